import {
  findSentenceEnd,
  lastClauseEnd,
  lastSoftBreak,
  lastWordBreak,
  skipSpace,
} from './boundaries';
import { ResolvedSplitOptions } from './split-options';

export interface Piece {
  text: string;
  /** Index in the input just past the piece. */
  end: number;
}

/**
 * Takes the next speakable piece from the start of `text`, or returns null when more text is
 * needed to decide (never when `final`). Batch splitting and the incremental chunker share this,
 * so the same text gives the same pieces however it arrives.
 */
export function nextPiece(
  text: string,
  first: boolean,
  final: boolean,
  options: ResolvedSplitOptions,
): Piece | null {
  const start = skipSpace(text);
  if (start >= text.length) return null;
  // An end past maxChars cuts the same way as no end at all, so there is no need to look further.
  const found = findSentenceEnd(text, start, final, start + options.maxChars);
  const sentenceEnd =
    found.kind === 'end' ? found.index : final && found.kind === 'none' ? text.length : -1;
  const known = sentenceEnd >= 0;
  // When the end is not known yet, the sentence is at least as long as what is certain so far.
  const length = (known ? sentenceEnd : found.kind === 'none' ? text.length : found.index) - start;
  const piece = (end: number): Piece => ({
    text: text.slice(start, end).replace(/\s+/g, ' ').trim(),
    end,
  });

  if (first && length > options.firstMaxChars) {
    const limit = start + options.firstMaxChars;
    const clause = lastClauseEnd(text, start, known ? Math.min(sentenceEnd, limit) : limit);
    if (clause > 0) return piece(clause);
    // No punctuation to cut at: a natural break before "and", "where", "because", ...
    const soft = lastSoftBreak(text, start, known ? Math.min(sentenceEnd, limit) : limit);
    if (soft > 0) return piece(soft);
  }
  if (length <= options.maxChars) return known ? piece(sentenceEnd) : null;

  const limit = start + options.maxChars;
  const clause = lastClauseEnd(text, start, limit);
  if (clause > 0) return piece(clause);
  const wordBreak = lastWordBreak(text, start, limit);
  return piece(wordBreak > 0 ? wordBreak : limit);
}

/** Joins pieces shorter than minChars onto the next one while the result fits in maxChars. */
export class PieceMerger {
  private held: string | undefined;

  constructor(private readonly options: ResolvedSplitOptions) {}

  push(piece: string): string[] {
    const out: string[] = [];
    let current = piece;
    if (this.held !== undefined) {
      const joined = `${this.held} ${piece}`;
      if (joined.length <= this.options.maxChars) current = joined;
      else out.push(this.held);
      this.held = undefined;
    }
    if (current.length < this.options.minChars) this.held = current;
    else out.push(current);
    return out;
  }

  /** A short piece is held back, waiting to be merged with the next. */
  get holding(): boolean {
    return this.held !== undefined;
  }

  flush(): string[] {
    const held = this.held;
    this.held = undefined;
    return held === undefined ? [] : [held];
  }
}
