/** What the rewrite rules share: the rule type, number patterns and context helpers. */
import { numberWords } from '../number-words';

/** One rewrite of the whole text; the pipeline applies them in order. */
export type Rule = (text: string) => string;

/** A written number: "1,250.50", "3.5", "42". */
export const NUM = String.raw`(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)`;
/** Not glued to a word or to another number ("mp3", "1.2.3", "1,2"). */
export const FREE = String.raw`(?<![\w.,])`;
/** Not followed by more of a word or number. */
export const END = String.raw`(?![\w]|[.,]\d)`;

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** True when what follows a consumed dot shows that the dot also ended the sentence. */
export function endsSentence(rest: string): boolean {
  return /^\s*$/.test(rest) || /^\s+["“'‘(]?[A-Z]/.test(rest);
}

/**
 * The few words before `at`, for context checks; a bounded window keeps end-anchored patterns
 * from rescanning the whole text on every match.
 */
export function wordsBefore(text: string, at: number, window = 60): string {
  return text.slice(Math.max(0, at - window), at);
}

export function readNumber(raw: string): string {
  return numberWords(raw) ?? raw;
}

export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
