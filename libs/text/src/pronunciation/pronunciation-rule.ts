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

export type LexiconRule = PronunciationRule & { source: RuleSource };

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
