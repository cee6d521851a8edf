import type { Pronunciation, RuleSource } from './pronunciation-rule';

/**
 * Replaced spans travel through normalization and splitting as two private-use characters, which
 * no normalization rule reads and no splitter cuts: a marker and the entry's index.
 */
const MARK = '\uE000';
const FIRST_INDEX = 0xe100;
const LAST_INDEX = 0xf8ff;
export const MAX_REPLACEMENTS = LAST_INDEX - FIRST_INDEX + 1;
const TOKEN = /\uE000([\uE100-\uF8FF])/g;
/** Caller text never holds these; they have no pronunciation anyway. */
const PRIVATE_USE = /[\uE000-\uF8FF]/g;

export interface TableEntry {
  /** The caller's words, reported in word timings instead of what is said. */
  original: string;
  say: Pronunciation;
  source: RuleSource;
}

/** A rule that would have fired but the engine cannot say it (a phoneme rule with no alias). */
export interface SkippedReplacement {
  original: string;
  source: RuleSource;
}

/** Entries for one text's replaced spans, each standing in the text as its token. */
export class PronunciationTable {
  readonly entries: TableEntry[] = [];
  readonly skipped: SkippedReplacement[] = [];

  /** The token that stands for the new entry in the text, or undefined when the table is full. */
  add(entry: TableEntry): string | undefined {
    if (this.entries.length >= MAX_REPLACEMENTS) return undefined;
    this.entries.push(entry);
    return MARK + String.fromCharCode(FIRST_INDEX + this.entries.length - 1);
  }

  /** The entries whose tokens are in `text`, with `text` holding their originals instead. */
  decode(text: string): {
    text: string;
    spans: { start: number; end: number; entry: TableEntry }[];
  } {
    const spans: { start: number; end: number; entry: TableEntry }[] = [];
    let out = '';
    let last = 0;
    for (const match of text.matchAll(TOKEN)) {
      const entry = this.entries[match[1].charCodeAt(0) - FIRST_INDEX];
      out += text.slice(last, match.index);
      last = match.index + match[0].length;
      if (!entry) continue;
      spans.push({ start: out.length, end: out.length + entry.original.length, entry });
      out += entry.original;
    }
    return { text: out + text.slice(last), spans };
  }
}

export function hasToken(text: string): boolean {
  return text.includes(MARK);
}

export function stripPrivateUse(text: string): string {
  return text.replace(PRIVATE_USE, ' ');
}
