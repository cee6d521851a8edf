import { dates, times } from './rules/date-time.rules';
import { currency, phones } from './rules/money-phone.rules';
import {
  dottedNumbers,
  fractions,
  longDigitStrings,
  numbers,
  ordinals,
  percentages,
  ranges,
  units,
  yearsInContext,
} from './rules/number.rules';
import { collapseWhitespace, type Rule } from './rules/rule-kit';
import {
  abbreviations,
  paragraphsToSentences,
  stripMarkdown,
  symbols,
  tidy,
  webAddresses,
} from './rules/text-shape.rules';

export function isEnglish(language: string): boolean {
  return /^en(?:[-_]|$)/i.test(language.trim());
}

const ENGLISH_RULES: Rule[] = [
  stripMarkdown,
  paragraphsToSentences,
  collapseWhitespace,
  webAddresses,
  dates,
  times,
  currency,
  phones,
  abbreviations,
  percentages,
  ordinals,
  units,
  fractions,
  ranges,
  yearsInContext,
  dottedNumbers,
  longDigitStrings,
  numbers,
  symbols,
  tidy,
];

/**
 * Rewrites written forms (numbers, money, phone numbers, dates, times, abbreviations, web
 * addresses) as the words a caller should hear. Only English is expanded; other languages get
 * whitespace cleanup and keep their digits for the engine, which knows how to read them.
 */
export function normalizeText(text: string, language = 'en'): string {
  if (!isEnglish(language)) return collapseWhitespace(text);
  return ENGLISH_RULES.reduce((current, rule) => rule(current), text);
}
