import { PieceMerger, nextPiece } from './next-piece';
import { SplitOptions, resolveSplitOptions } from './split-options';

/**
 * Splits text into pieces an engine can synthesize one at a time: at sentence ends, then at
 * clause boundaries for sentences over maxChars, then at a word boundary. The first piece may be
 * cut early at a clause boundary (firstMaxChars) so the caller hears something sooner.
 */
export function splitForStreaming(text: string, options?: SplitOptions): string[] {
  const resolved = resolveSplitOptions(options);
  const merger = new PieceMerger(resolved);
  const pieces: string[] = [];
  let rest = text;
  let first = true;
  for (
    let piece = nextPiece(rest, first, true, resolved);
    piece;
    piece = nextPiece(rest, first, true, resolved)
  ) {
    pieces.push(...merger.push(piece.text));
    rest = rest.slice(piece.end);
    first = false;
  }
  return [...pieces, ...merger.flush()];
}
