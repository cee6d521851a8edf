import data from './nigerian-lexicon.json';
import { caseForm } from '../lexicon';
import type { CaseForm, LexiconRule } from '../pronunciation-rule';

/** How the lexicon is named where dictionaries are reported (`builtin:nigerian@1`). */
export const NIGERIAN_LEXICON_ID = 'builtin:nigerian';

/** One entry of the data file: said as IPA, or as other text (an alias). */
export type NigerianLexiconEntry = {
  grapheme: string;
  group: string;
  /** A brand its owner writes in capitals too (GLO, OPAY): that spelling still matches. */
  also_in_capitals?: boolean;
  /** The lower-case spelling is an English word (tope, wale): only Tope and TOPE match. */
  english_word?: boolean;
} & ({ ipa: string; alias?: undefined } | { alias: string; ipa?: undefined });

interface LexiconFile {
  id: string;
  version: number;
  sources: Record<string, string>;
  entries: NigerianLexiconEntry[];
}

const file = data as LexiconFile;

export const NIGERIAN_LEXICON_VERSION = file.version;

/** The entries in file order (the order `rule_index` refers to). */
export const NIGERIAN_LEXICON_ENTRIES: readonly NigerianLexiconEntry[] = Object.freeze(
  file.entries.map((entry) => Object.freeze({ ...entry })),
);

/** Where each group's entries came from, as the file's header says. */
export const NIGERIAN_LEXICON_SOURCES: Readonly<Record<string, string>> = Object.freeze({
  ...file.sources,
});

/** English acronyms and words have two to four letters; longer entries match in any case. */
const SHORT_LETTERS = 4;

/**
 * The spellings of an entry that mean something else in English text (see LexiconRule.skipCases):
 * a short name in capitals is an acronym (IMO), a short acronym Capitalised a name (Uba).
 */
export function skipCasesOf(entry: NigerianLexiconEntry): CaseForm[] {
  const letters = [...entry.grapheme].filter((c) => /\p{L}/u.test(c)).length;
  if (letters > SHORT_LETTERS) return [];
  const skip: CaseForm[] = [];
  if (caseForm(entry.grapheme) === 'capitals') skip.push('capitalised');
  else if (!entry.also_in_capitals) skip.push('capitals');
  if (entry.english_word) skip.push('lower');
  return skip;
}

/**
 * The lexicon as rules: whole words, case-insensitive, longest grapheme first so that
 * "Ibeju-Lekki" wins over "Lekki" and "Benin City" over a shorter entry at the same place.
 */
export const NIGERIAN_LEXICON_RULES: readonly LexiconRule[] = Object.freeze(
  NIGERIAN_LEXICON_ENTRIES.map((entry, ruleIndex): LexiconRule => {
    // Frozen, so the Lexicon compiles each rule once for all requests.
    const source = Object.freeze({
      dictionaryId: NIGERIAN_LEXICON_ID,
      version: file.version,
      ruleIndex,
    });
    const skipCases = skipCasesOf(entry);
    const guard = skipCases.length ? { skipCases: Object.freeze(skipCases) } : {};
    const rule: LexiconRule =
      entry.ipa !== undefined
        ? {
            type: 'phoneme',
            stringToReplace: entry.grapheme,
            phoneme: entry.ipa,
            alphabet: 'ipa',
            caseSensitive: false,
            source,
            ...guard,
          }
        : {
            type: 'alias',
            stringToReplace: entry.grapheme,
            alias: entry.alias,
            caseSensitive: false,
            source,
            ...guard,
          };
    return Object.freeze(rule);
  }).sort((a, b) => b.stringToReplace.length - a.stringToReplace.length),
);
