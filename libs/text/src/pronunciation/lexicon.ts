import type { CaseForm, LexiconRule, Pronunciation } from './pronunciation-rule';
import type { PronunciationTable } from './pronunciation-table';

/** A letter, digit or combining mark: what a word boundary must not cut through. */
const WORD_CHAR = String.raw`[\p{L}\p{N}\p{M}_]`;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface CompiledRule {
  rule: LexiconRule;
  pattern: RegExp;
  /**
   * Text the rule's matches must contain (lower-cased for case-insensitive rules), so that the
   * pattern runs only on texts that may match: with hundreds of rules (the built-in lexicon)
   * running every pattern costs milliseconds per text.
   */
  needle?: string;
  caseless: boolean;
  skipCases?: readonly CaseForm[];
}

const UPPER = /\p{Lu}/u;
const LOWER = /\p{Ll}/u;
const WORD_BEFORE = /([\p{L}\p{M}]+)[^\p{L}\p{M}]*$/u;
const WORD_AFTER = /^[^\p{L}\p{M}]*([\p{L}\p{M}]+)/u;

/** How `word` is written; one capital letter alone ("I", "A") is not a word in capitals. */
export function caseForm(word: string): CaseForm {
  const letters = [...word].filter((c) => UPPER.test(c) || LOWER.test(c));
  const upper = letters.filter((c) => UPPER.test(c)).length;
  if (upper === 0) return 'lower';
  if (upper === letters.length && upper >= 2) return 'capitals';
  return upper === 1 && UPPER.test(letters[0]) ? 'capitalised' : 'mixed';
}

/**
 * Whether the match at start..end is a spelling its rule leaves alone. A word in capitals counts
 * as one only where it stands in mixed-case text: in a text written in capitals, or next to
 * another word in capitals ("IMO STATE"), it is the name shouted, not an acronym.
 */
function skipped(
  skipCases: readonly CaseForm[],
  text: string,
  start: number,
  end: number,
): boolean {
  const form = caseForm(text.slice(start, end));
  if (!skipCases.includes(form)) return false;
  if (form !== 'capitals') return true;
  if (!LOWER.test(text)) return false;
  const before = WORD_BEFORE.exec(text.slice(0, start))?.[1];
  const after = WORD_AFTER.exec(text.slice(end))?.[1];
  return ![before, after].some((word) => word !== undefined && caseForm(word) === 'capitals');
}

/** Letters that Unicode case-insensitive matching folds to ASCII but toLowerCase() does not. */
const FOLDS_TO_ASCII = /\u017F/g;

function caselessHaystack(text: string): string {
  return text.toLowerCase().replace(FOLDS_TO_ASCII, 's');
}

/**
 * Compiled forms of rules that outlive a request (the built-in lexicon's frozen rules), so each
 * request does not build hundreds of patterns again. Safe to share: matchAll copies the pattern.
 */
const COMPILED = new WeakMap<LexiconRule, CompiledRule>();

function compile(rule: LexiconRule): CompiledRule {
  const cached = COMPILED.get(rule);
  if (cached) return cached;
  const body = escapeRegExp(rule.stringToReplace);
  const bounded = rule.wordBoundaries === false ? body : `(?<!${WORD_CHAR})${body}(?!${WORD_CHAR})`;
  const caseless = rule.caseSensitive === false;
  const flags = caseless ? 'giu' : 'gu';
  // Only an ASCII needle is sure to be found by toLowerCase() wherever the pattern matches.
  const needle = !caseless
    ? rule.stringToReplace
    : /^[\x20-\x7E]+$/.test(rule.stringToReplace)
      ? rule.stringToReplace.toLowerCase()
      : undefined;
  const compiled: CompiledRule = {
    rule,
    pattern: new RegExp(bounded, flags),
    needle,
    caseless,
    // A case-sensitive rule matches one spelling only; there is nothing to leave alone.
    skipCases: caseless && rule.skipCases?.length ? rule.skipCases : undefined,
  };
  if (Object.isFrozen(rule)) COMPILED.set(rule, compiled);
  return compiled;
}

export interface LexiconOptions {
  /** The engine takes phonemes; otherwise phoneme rules fall back to their alias or are skipped. */
  phonemes: boolean;
}

/**
 * Rules compiled once (per request or WebSocket session) and applied to each text. At every
 * position the earliest-listed rule that matches wins; replaced text is not matched again, so
 * rules never apply to each other's output.
 */
export class Lexicon {
  private readonly compiled: CompiledRule[];

  constructor(
    rules: readonly LexiconRule[],
    private readonly options: LexiconOptions,
  ) {
    this.compiled = rules.filter((rule) => rule.stringToReplace.length > 0).map(compile);
  }

  get size(): number {
    return this.compiled.length;
  }

  /**
   * `text` with each replaced span standing as its table token; matches the engine cannot say
   * are left as they are and noted in the table's `skipped`.
   */
  apply(text: string, table: PronunciationTable): string {
    if (!this.compiled.length) return text;
    const matches: { start: number; end: number; order: number }[] = [];
    let lowered: string | undefined;
    this.compiled.forEach(({ pattern, needle, caseless, skipCases }, order) => {
      if (needle !== undefined) {
        const haystack = caseless ? (lowered ??= caselessHaystack(text)) : text;
        if (!haystack.includes(needle)) return;
      }
      for (const match of text.matchAll(pattern)) {
        const end = match.index + match[0].length;
        if (skipCases && skipped(skipCases, text, match.index, end)) continue;
        matches.push({ start: match.index, end, order });
      }
    });
    matches.sort((a, b) => a.start - b.start || a.order - b.order);

    let out = '';
    let at = 0;
    for (const match of matches) {
      if (match.start < at) continue;
      const { rule } = this.compiled[match.order];
      const original = text.slice(match.start, match.end);
      const say = this.pronunciationOf(rule);
      if (!say) {
        table.skipped.push({ original, source: rule.source });
        out += text.slice(at, match.end);
        at = match.end;
        continue;
      }
      const token = table.add({ original, say, source: rule.source });
      if (token === undefined) break;
      out += text.slice(at, match.start) + token;
      at = match.end;
    }
    return out + text.slice(at);
  }

  private pronunciationOf(rule: LexiconRule): Pronunciation | undefined {
    if (rule.type === 'alias') return { kind: 'alias', text: rule.alias };
    if (this.options.phonemes) {
      return {
        kind: 'phoneme',
        phoneme: rule.phoneme,
        alphabet: rule.alphabet,
        ...(rule.alias !== undefined ? { alias: rule.alias } : {}),
      };
    }
    return rule.alias !== undefined ? { kind: 'alias', text: rule.alias } : undefined;
  }
}
