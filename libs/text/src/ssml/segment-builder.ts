import type { SayAs } from '../normalize/say-as';
import { MAX_BREAK_MS } from './ssml-attributes';
import { Prosody, SpeechSegment, TextSegment, sameProsody } from './speech-segment';

const SENTENCE_END = /[.!?…]["'’”)\]»]*$/;
const CLAUSE_END = /[,;:—–-]$/;

/**
 * Collects segments in document order and keeps them tidy: adjacent text with the same prosody
 * is merged, adjacent breaks add up, and paragraph pauses only fall between spoken content.
 */
export class SegmentBuilder {
  private readonly segments: SpeechSegment[] = [];
  /** A paragraph pause owed before the next spoken text, unless an explicit break replaces it. */
  private pendingPauseMs = 0;

  constructor(private readonly paragraphPauseMs: number) {}

  addText(raw: string, prosody: Prosody, sayAs?: SayAs): void {
    const text = raw.replace(/\s+/g, ' ');
    if (!text) return;
    const last = this.segments.at(-1);
    if (!text.trim() && !sayAs) {
      // Whitespace between elements still separates words: keep it on the text before.
      if (last?.type === 'text' && !last.text.endsWith(' ')) last.text += ' ';
      return;
    }
    this.flushPause();
    const tail = this.segments.at(-1);
    if (tail?.type === 'text' && !tail.sayAs && !sayAs && sameProsody(tail.prosody, prosody)) {
      tail.text = (tail.text + text).replace(/\s+/g, ' ');
      return;
    }
    this.segments.push({
      type: 'text',
      text,
      prosody: { ...prosody },
      ...(sayAs ? { sayAs } : {}),
    });
  }

  /** An explicit `<break>` replaces any paragraph pause owed at this point. */
  addBreak(ms: number): void {
    this.pendingPauseMs = 0;
    if (ms <= 0) return;
    const last = this.segments.at(-1);
    if (last?.type === 'break') {
      last.ms = Math.min(MAX_BREAK_MS, last.ms + ms);
      return;
    }
    this.segments.push({ type: 'break', ms });
  }

  addMark(name: string): void {
    this.segments.push({ type: 'mark', name });
  }

  /** `<s>` starts or ends: the text so far must read as a finished sentence. */
  sentenceBoundary(): void {
    let index = this.segments.length - 1;
    while (index >= 0 && this.segments[index].type !== 'text') index--;
    if (index < 0) return;
    const segment = this.segments[index] as TextSegment;
    const body = segment.text.trimEnd();
    if (!body) return;
    const finished = SENTENCE_END.test(body);
    if (segment.sayAs) {
      // Punctuation inside say-as text would change how it is read; add it as its own text.
      if (!finished) {
        this.segments.splice(index + 1, 0, {
          type: 'text',
          text: '. ',
          prosody: { ...segment.prosody },
        });
      }
      return;
    }
    // The trailing space keeps the next sentence a separate word; finish() trims it at the end.
    const sentence = finished ? body : (CLAUSE_END.test(body) ? body.slice(0, -1) : body) + '.';
    segment.text = `${sentence} `;
  }

  /** `<p>` starts or ends: a sentence end plus a pause before whatever is spoken next. */
  paragraphBoundary(): void {
    this.sentenceBoundary();
    if (this.segments.some((s) => s.type === 'text')) this.pendingPauseMs = this.paragraphPauseMs;
  }

  /** The segments, with text trimmed where it meets a break, a mark or either end. */
  finish(): SpeechSegment[] {
    const out: SpeechSegment[] = [];
    this.segments.forEach((segment, i) => {
      if (segment.type !== 'text') {
        out.push(segment);
        return;
      }
      let text = segment.text;
      if (this.segments[i - 1]?.type !== 'text') text = text.trimStart();
      if (this.segments[i + 1]?.type !== 'text') text = text.trimEnd();
      if (text) out.push({ ...segment, text });
    });
    return out;
  }

  private flushPause(): void {
    if (!this.pendingPauseMs) return;
    const last = this.segments.at(-1);
    if (last?.type === 'break') last.ms = Math.max(last.ms, this.pendingPauseMs);
    else this.segments.push({ type: 'break', ms: this.pendingPauseMs });
    this.pendingPauseMs = 0;
  }
}
