export interface SplitOptions {
  /** Longest piece, in characters; longer sentences are cut at clauses, then at words. Default 200. */
  maxChars?: number;
  /**
   * Longest first piece when the first sentence can be cut at a clause boundary, so the first
   * audio starts sooner. Default 80; set it to maxChars to turn this off.
   */
  firstMaxChars?: number;
  /** Pieces shorter than this are joined to the next one when the two fit in maxChars. Default 0. */
  minChars?: number;
}

export type ResolvedSplitOptions = Required<SplitOptions>;

export const DEFAULT_MAX_CHARS = 200;
export const DEFAULT_FIRST_MAX_CHARS = 80;

function positiveInteger(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer of at least ${min}, got ${value}`);
  }
  return value;
}

export function resolveSplitOptions(options: SplitOptions = {}): ResolvedSplitOptions {
  const maxChars = positiveInteger('maxChars', options.maxChars ?? DEFAULT_MAX_CHARS, 1);
  const firstMaxChars = Math.min(
    maxChars,
    positiveInteger('firstMaxChars', options.firstMaxChars ?? DEFAULT_FIRST_MAX_CHARS, 1),
  );
  const minChars = positiveInteger('minChars', options.minChars ?? 0, 0);
  return { maxChars, firstMaxChars, minChars };
}
