/** Pure helpers for the eSpeak worker: input escaping, and eSpeak events into word timings. */
import type { WordTiming } from '../engine.interface';

/** One event as the emscripten build reports it (positions: 1-based code points of the input). */
export interface EspeakEvent {
  type: string;
  text_position: number;
  word_length: number;
  /** Milliseconds from the start of the synthesis call. */
  audio_position: number;
  id?: string | number;
}

/** A span of the original text replaced in eSpeak's input: `input` is given as it is. */
export interface EspeakSpan {
  start: number;
  end: number;
  /** eSpeak input for the span: `[[phonemes]]`, or alias text (escaped here like any text). */
  input: string;
  /** True for phoneme input, which must reach eSpeak unescaped. */
  raw: boolean;
}

export interface PreparedText {
  original: string;
  /** What eSpeak is given. */
  input: string;
  /** For each code point of `input`, the UTF-16 offset of the original character it came from. */
  offsets: number[];
  /** For each code point of `input`, the index of the span it says, or -1. */
  groups: number[];
  spans: readonly EspeakSpan[];
}

function escapeChar(ch: string, previous: string): string {
  if (ch === '&') return '&amp;';
  if (ch === '<') return '&lt;';
  if (ch === '>') return '&gt;';
  if (ch === '[' && previous === '[') return ' [';
  return ch;
}

function escapeText(text: string): string {
  let out = '';
  let previous = '';
  for (const ch of text) {
    out += escapeChar(ch, previous);
    previous = ch;
  }
  return out;
}

/**
 * The emscripten build always synthesizes with eSpeak's SSML and `[[phoneme]]` readers on, so plain
 * text must be escaped: `<`/`&` would be read as markup and `[[` would switch to phoneme input.
 * Spans (in order, not overlapping) are replaced by their own input, set apart by spaces; every
 * code point of a replacement maps back to its span, so timings name the original words.
 */
export function prepareEspeakInput(text: string, spans: readonly EspeakSpan[] = []): PreparedText {
  let input = '';
  const offsets: number[] = [];
  const groups: number[] = [];
  let offset = 0;
  let previous = '';
  let next = 0;
  const push = (out: string, at: number, group: number) => {
    for (const cp of out) {
      input += cp;
      offsets.push(at);
      groups.push(group);
    }
  };
  while (offset < text.length) {
    const span = spans[next];
    if (span && span.start === offset && span.end > span.start) {
      push(` ${span.raw ? span.input : escapeText(span.input)} `, span.start, next);
      offset = span.end;
      previous = ' ';
      next++;
      continue;
    }
    if (span && span.start < offset) {
      next++;
      continue;
    }
    const ch = String.fromCodePoint(text.codePointAt(offset)!);
    push(escapeChar(ch, previous), offset, -1);
    previous = ch;
    offset += ch.length;
  }
  return { original: text, input, offsets, groups, spans };
}

/** The span eSpeak's word at `position` (1-based) belongs to, or -1. */
export function spanAt(prepared: PreparedText, position: number): number {
  return prepared.groups[position - 1] ?? -1;
}

/** Original text of the word eSpeak reported at `position` (1-based), `length` code points long. */
export function originalWord(prepared: PreparedText, position: number, length: number): string {
  const first = position - 1;
  if (first < 0 || first >= prepared.offsets.length || length <= 0) return '';
  const group = prepared.groups[first];
  if (group >= 0) {
    const span = prepared.spans[group];
    return prepared.original.slice(span.start, span.end).trim();
  }
  const start = prepared.offsets[first];
  const after = first + length;
  const end = after < prepared.offsets.length ? prepared.offsets[after] : prepared.original.length;
  return prepared.original.slice(start, Math.max(start + 1, end)).trim();
}

export interface AssembledChunk {
  samples: Int16Array;
  words: WordTiming[];
}

/**
 * Collects eSpeak callbacks into chunks to send. A word's end is only known when the next word or
 * clause starts, so a chunk is held back while it contains the word still being spoken; at ~200x
 * real time that costs a few milliseconds, never the whole utterance.
 */
export class ChunkAssembler {
  private readonly pending: AssembledChunk[] = [];
  private openWord: WordTiming | null = null;
  private openChunk: AssembledChunk | null = null;
  /** The replaced span the open word says; its further eSpeak words are the same word. */
  private openSpan = -1;
  private totalSamples = 0;

  constructor(
    private readonly prepared: PreparedText,
    private readonly sampleRate: number,
  ) {}

  /** Adds one eSpeak callback's output; returns the chunks that are now complete, in order. */
  push(samples: Int16Array, events: readonly EspeakEvent[]): AssembledChunk[] {
    // Events arrive with the audio that contains them; an empty final callback belongs to the last.
    const last = this.pending[this.pending.length - 1];
    let chunk: AssembledChunk;
    if (samples.length === 0 && last) {
      chunk = last;
    } else {
      chunk = { samples, words: [] };
      this.pending.push(chunk);
    }
    this.totalSamples += samples.length;

    for (const event of events) {
      switch (event.type) {
        case 'word': {
          // libespeak-ng 1.51 also reports an empty word where phoneme input starts; it says nothing.
          if (event.word_length <= 0) break;
          const span = spanAt(this.prepared, event.text_position);
          if (span >= 0 && span === this.openSpan && this.openWord) break;
          this.closeOpenWord(event.audio_position);
          const word = originalWord(this.prepared, event.text_position, event.word_length);
          if (word === '') break;
          const timing = { word, startMs: event.audio_position, endMs: event.audio_position };
          chunk.words.push(timing);
          this.openWord = timing;
          this.openChunk = chunk;
          this.openSpan = span;
          break;
        }
        case 'end':
        case 'sentence':
        case 'msg_terminated':
          this.closeOpenWord(event.audio_position);
          break;
        default:
          break;
      }
    }
    return this.release();
  }

  /** Closes the last word at the end of the audio and returns everything still held. */
  finish(): AssembledChunk[] {
    this.closeOpenWord((this.totalSamples * 1000) / this.sampleRate);
    return this.release();
  }

  private closeOpenWord(atMs: number): void {
    if (!this.openWord) return;
    this.openWord.endMs = Math.max(this.openWord.startMs, Math.round(atMs));
    this.openWord = null;
    this.openChunk = null;
    this.openSpan = -1;
  }

  private release(): AssembledChunk[] {
    const ready: AssembledChunk[] = [];
    while (this.pending.length > 0 && this.pending[0] !== this.openChunk) {
      const chunk = this.pending.shift()!;
      if (chunk.samples.length > 0) ready.push(chunk);
    }
    return ready;
  }
}
