import { PieceMerger, nextPiece } from './next-piece';
import { ResolvedSplitOptions, SplitOptions, resolveSplitOptions } from './split-options';

/**
 * Splits text that arrives a few words at a time (an LLM token stream) into the same pieces
 * splitForStreaming would give for the whole text, releasing each as soon as it is certain.
 */
export class SentenceChunker {
  private readonly options: ResolvedSplitOptions;
  private merger: PieceMerger;
  private buffer = '';
  private first = true;

  constructor(options?: SplitOptions) {
    this.options = resolveSplitOptions(options);
    this.merger = new PieceMerger(this.options);
  }

  /** Adds text; returns the pieces that are complete now. */
  push(text: string): string[] {
    this.buffer += text;
    return this.drain(false);
  }

  /** Text is held that no piece has been released for yet (a sentence still being written). */
  get pending(): boolean {
    return this.buffer.trim().length > 0 || this.merger.holding;
  }

  /** Returns everything still held and resets the chunker for a new stream. */
  flush(): string[] {
    const pieces = [...this.drain(true), ...this.merger.flush()];
    this.buffer = '';
    this.first = true;
    this.merger = new PieceMerger(this.options);
    return pieces;
  }

  private drain(final: boolean): string[] {
    const pieces: string[] = [];
    for (;;) {
      // Leading whitespace never matters to a boundary; dropping it keeps each scan short.
      this.buffer = this.buffer.trimStart();
      const piece = nextPiece(this.buffer, this.first, final, this.options);
      if (!piece) return pieces;
      this.buffer = this.buffer.slice(piece.end);
      this.first = false;
      pieces.push(...this.merger.push(piece.text));
    }
  }
}
