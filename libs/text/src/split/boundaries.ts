import {
  MAYBE_TERMINAL_ABBREVIATIONS,
  NON_TERMINAL_ABBREVIATIONS,
} from '../normalize/abbreviations';

/**
 * Where the first sentence ends. `undecided`: a possible end at `index` depends on text that has
 * not arrived yet. `beyond`: no end before `index`, just past the scanned window. `none`: no end in
 * the text at all. In the last three cases the sentence runs at least to `index` or the text's end.
 */
export type SentenceEnd =
  | { kind: 'end'; index: number }
  | { kind: 'undecided'; index: number }
  | { kind: 'beyond'; index: number }
  | { kind: 'none' };

const TERMINATORS = '.!?…';
const CLOSERS = `"'’”)]»`;
const OPENERS = `"'‘“([«`;

function isSpace(c: string | undefined): boolean {
  return c !== undefined && /\s/.test(c);
}

function nextNonSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && isSpace(text[i])) i++;
  return i;
}

type Verdict = 'end' | 'not-end' | 'undecided';

/** Decides whether a "." followed by whitespace ends a sentence, looking at the word before it. */
function dotVerdict(
  text: string,
  pieceStart: number,
  dot: number,
  after: number,
  final: boolean,
): Verdict {
  let wordStart = dot;
  while (wordStart > pieceStart && !isSpace(text[wordStart - 1])) wordStart--;
  let word = text.slice(wordStart, dot);
  while (word && OPENERS.includes(word[0])) word = word.slice(1);
  const lower = word.toLowerCase();

  if (NON_TERMINAL_ABBREVIATIONS.has(lower)) return 'not-end';
  // An initial ("J. K. Rowling"), but not the pronoun "I".
  if (/^[A-HJ-Z]$/.test(word)) return 'not-end';
  // A list marker ("1. Open the app") at the start of a piece.
  if (/^\d{1,2}$/.test(word) && !text.slice(pieceStart, wordStart).trim()) return 'not-end';

  const dotted = /^(?:[A-Za-z]\.)+[A-Za-z]$/.test(word);
  if (lower !== 'no' && !dotted && !MAYBE_TERMINAL_ABBREVIATIONS.has(lower)) return 'end';
  const next = nextNonSpace(text, after);
  if (next >= text.length) return final ? 'end' : 'undecided';
  // "No. 5" is "number five"; "etc. Then" and "U.S. They" end a sentence.
  if (lower === 'no') return /\d/.test(text[next]) ? 'not-end' : 'end';
  return /[A-Z"“‘'(]/.test(text[next]) ? 'end' : 'not-end';
}

/**
 * Finds the first sentence end at or after `from`; its index is just past the terminator and any
 * closing quote or bracket. A terminator counts only when whitespace (or, when `final`, the end)
 * follows, so "3.5" and "example.com" never split. A blank line also ends a sentence. Only
 * terminators before `scanTo` are considered.
 */
export function findSentenceEnd(
  text: string,
  from: number,
  final: boolean,
  scanTo = Infinity,
): SentenceEnd {
  const length = text.length;
  for (let i = from; i < Math.min(length, scanTo); i++) {
    const c = text[i];
    if (c === '\n') {
      const next = nextNonSpace(text, i + 1);
      const blankLine = text.slice(i + 1, next).includes('\n');
      const content = hasWord(text, from, i);
      if (blankLine && content) return { kind: 'end', index: i };
      if (next >= length && !final && content) return { kind: 'undecided', index: i };
      continue;
    }
    if (!TERMINATORS.includes(c)) continue;
    let end = i + 1;
    while (end < length && TERMINATORS.includes(text[end])) end++;
    while (end < length && CLOSERS.includes(text[end])) end++;
    if (end >= length) return { kind: final ? 'end' : 'undecided', index: end };
    if (!isSpace(text[end])) {
      i = end - 1;
      continue;
    }
    if (c === '.' && end === i + 1) {
      const verdict = dotVerdict(text, from, i, end, final);
      if (verdict === 'undecided') return { kind: 'undecided', index: end };
      if (verdict === 'not-end') continue;
    }
    return { kind: 'end', index: end };
  }
  // Every end at or before scanTo comes from a terminator scanned above, so any end is later.
  if (scanTo < length) return { kind: 'beyond', index: scanTo + 1 };
  return { kind: 'none' };
}

function hasWord(text: string, from: number, to: number): boolean {
  return /[\p{L}\p{N}]/u.test(text.slice(from, to));
}

/**
 * Index just past the last clause boundary (, ; : followed by whitespace, a dash) that keeps the
 * piece from `from` within `limit`, or -1.
 */
export function lastClauseEnd(text: string, from: number, limit: number): number {
  for (let i = Math.min(limit, text.length) - 1; i > from; i--) {
    const c = text[i];
    const clause =
      (',;:'.includes(c) && isSpace(text[i + 1])) ||
      c === '—' ||
      c === '–' ||
      (c === '-' && text[i - 1] === ' ' && text[i + 1] === ' ');
    if (clause && hasWord(text, from, i)) return i + 1;
  }
  return -1;
}

/** Index of the last whitespace that keeps the piece from `from` within `limit`, or -1. */
export function lastWordBreak(text: string, from: number, limit: number): number {
  for (let i = Math.min(limit, text.length - 1); i > from; i--) {
    if (isSpace(text[i]) && hasWord(text, from, i)) return i;
  }
  return -1;
}

/** Words that start a new clause: a first piece may end just before one (a natural break). */
const CLAUSE_OPENERS = new Set([
  'and',
  'but',
  'or',
  'so',
  'because',
  'where',
  'which',
  'who',
  'when',
  'while',
  'if',
  'although',
  'though',
  'unless',
  'until',
  'since',
  'whereas',
]);
/** A first piece cut before a clause opener keeps at least this many words. */
const MIN_WORDS_BEFORE_OPENER = 3;

/**
 * Index of the space before the last clause-opening word ("and", "where", "because", ...) that
 * keeps the piece from `from` within `limit`, with at least three words before it, or -1. The
 * opener must be followed by more text, so a half-arrived word is never taken for one.
 */
export function lastSoftBreak(text: string, from: number, limit: number): number {
  const end = Math.min(limit, text.length - 1);
  for (let i = end; i > from; i--) {
    if (!isSpace(text[i]) || isSpace(text[i - 1])) continue;
    const match = /^\s+([\p{L}']+)\s/u.exec(text.slice(i));
    if (!match || !CLAUSE_OPENERS.has(match[1].toLowerCase())) continue;
    const words = text.slice(from, i).trim().split(/\s+/).length;
    if (words >= MIN_WORDS_BEFORE_OPENER) return i;
  }
  return -1;
}

export function skipSpace(text: string, from = 0): number {
  return nextNonSpace(text, from);
}
