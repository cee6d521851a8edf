import type { SayAs } from '../normalize/say-as';

/** Multipliers of the voice's own rate, pitch and volume; 1 leaves the voice as it is. */
export interface Prosody {
  rate: number;
  pitch: number;
  volume: number;
}

export const DEFAULT_PROSODY: Readonly<Prosody> = Object.freeze({ rate: 1, pitch: 1, volume: 1 });

export interface TextSegment {
  type: 'text';
  /** Written text; say-as text is left as written and read by `renderSayAs` at planning time. */
  text: string;
  prosody: Prosody;
  sayAs?: SayAs;
}

export interface BreakSegment {
  type: 'break';
  ms: number;
}

export interface MarkSegment {
  type: 'mark';
  name: string;
}

export type SpeechSegment = TextSegment | BreakSegment | MarkSegment;

export function sameProsody(a: Prosody, b: Prosody): boolean {
  return a.rate === b.rate && a.pitch === b.pitch && a.volume === b.volume;
}
