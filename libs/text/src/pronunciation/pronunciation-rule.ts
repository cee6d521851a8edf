/** Pronunciation rules as dictionaries hold them (the ElevenLabs shape, camel-cased). */

export const PHONEME_ALPHABETS = ['ipa', 'x-sampa'] as const;
export type PhonemeAlphabet = (typeof PHONEME_ALPHABETS)[number];

export interface AliasRule {
  type: 'alias';
  stringToReplace: string;
  alias: string;
  /** Default true, as ElevenLabs has it. */
  caseSensitive?: boolean;
  /** Default true: only whole words match ("Ade" does not fire inside "Adewale"). */
  wordBoundaries?: boolean;
}

export interface PhonemeRule {
  type: 'phoneme';
  stringToReplace: string;
  phoneme: string;
  alphabet: PhonemeAlphabet;
  /** Spoken instead by engines that cannot take phonemes (a PLS lexeme may carry both). */
  alias?: string;
  caseSensitive?: boolean;
  wordBoundaries?: boolean;
}

export type PronunciationRule = AliasRule | PhonemeRule;

/** Where a rule came from, for reports of what fired (`/v1/text/normalize`, skipped rules). */
export interface RuleSource {
  /** A dictionary id, or `ssml` for a `<phoneme>` element. */
  dictionaryId: string;
  version?: number;
  /** Position of the rule in its dictionary. */
  ruleIndex?: number;
}

/**
 * How a word is written where it stands: `capitals` IMO, `capitalised` Imo, `lower` imo (every
 * other spelling, such as iMo or GOtv, is `mixed`).
 */
export type CaseForm = 'capitals' | 'capitalised' | 'lower' | 'mixed';

export type LexiconRule = PronunciationRule & {
  source: RuleSource;
  /**
   * Spellings a case-insensitive rule leaves alone because they mean something else in English
   * text: a name in `capitals` is an acronym (IMO, ABA) unless the words around it are in
   * capitals too; an acronym `capitalised` is a name (Uba); a name in `lower` case is an
   * English word (tope, wale). Set by the built-in lexicon; tenant rules have none.
   */
  skipCases?: readonly CaseForm[];
};

/** How a span of the caller's text is said. */
export type Pronunciation =
  | { kind: 'alias'; text: string }
  | { kind: 'phoneme'; phoneme: string; alphabet: PhonemeAlphabet; alias?: string };

/** A span of a speak item's text (UTF-16 offsets, end exclusive) and how it is said. */
export interface SpanPronunciation {
  start: number;
  end: number;
  say: Pronunciation;
  source: RuleSource;
}

export function isPhonemeAlphabet(value: string): value is PhonemeAlphabet {
  return (PHONEME_ALPHABETS as readonly string[]).includes(value);
}
