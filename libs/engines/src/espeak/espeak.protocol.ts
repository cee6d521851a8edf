/** Messages between EspeakEngine (main thread) and espeak.worker (pool threads). */
import type { MessagePort } from 'node:worker_threads';
import type { WordTiming } from '../engine.interface';
import type { EspeakSpan } from './espeak-text';

export const ESPEAK_SAMPLE_RATE = 22050;

export interface EspeakVoiceRef {
  /** Voice file name, identifier or display name, as eSpeak's SetVoiceByName takes it. */
  voice: string;
  variant?: string;
}

export interface EspeakWorkerData {
  warmVoices: EspeakVoiceRef[];
  /** The system's libespeak-ng to load (a private copy per thread); absent: the embedded build. */
  library?: string;
  /** Int32 slots: [workers done starting, workers that failed]; the engine waits on it in init. */
  readiness: SharedArrayBuffer;
}

export const SETTLED_SLOT = 0;
export const FAILED_SLOT = 1;

/** Int32 slot the engine sets to non-zero to stop a synthesis at the next eSpeak callback. */
export const CANCEL_SLOT = 0;

export interface SynthTask {
  kind: 'synth';
  /** Plain text; the worker escapes it for eSpeak's SSML reader. */
  text: string;
  /** Spans of `text` said by phonemes or an alias instead (see prepareEspeakInput). */
  spans?: EspeakSpan[];
  voice: EspeakVoiceRef;
  pitch: number;
  pitchRange: number;
  rate: number;
  /** Rate of the samples sent back; the thread resamples when it differs from eSpeak's own. */
  sampleRate: number;
  port: MessagePort;
  cancel: SharedArrayBuffer;
}

export interface DescribeTask {
  kind: 'describe';
}

export type EspeakTask = SynthTask | DescribeTask;

export interface EspeakVoiceInfo {
  identifier: string;
  name: string;
  /** Lower priority number = the voice is a better match for that language. */
  languages: { priority: number; name: string }[];
}

export interface EspeakDescription {
  voices: EspeakVoiceInfo[];
  variants: string[];
  sampleRate: number;
  /** Time this worker spent loading eSpeak and warming its voices. */
  warmUpMs: number;
  /** Which eSpeak build the thread runs, and its version. */
  build: string;
}

export interface SynthStats {
  threadId: number;
  aborted: boolean;
  samples: number;
  chunks: number;
}

export type StreamMessage =
  | { type: 'chunk'; samples: Int16Array; words?: WordTiming[] }
  /** The end of the piece, with the audio still held when it ended (one message, not two). */
  | { type: 'end'; renderMs: number; samples?: Int16Array; words?: WordTiming[] }
  | { type: 'error'; message: string };
