import type { LexiconRule, Pronunciation } from './pronunciation-rule';
import type { PronunciationTable } from './pronunciation-table';

/** A letter, digit or combining mark: what a word boundary must not cut through. */
const WORD_CHAR = String.raw`[\p{L}\p{N}\p{M}_]`;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface CompiledRule {
  rule: LexiconRule;
  pattern: RegExp;
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
    this.compiled = rules
      .filter((rule) => rule.stringToReplace.length > 0)
      .map((rule) => {
        const body = escapeRegExp(rule.stringToReplace);
        const bounded =
          rule.wordBoundaries === false ? body : `(?<!${WORD_CHAR})${body}(?!${WORD_CHAR})`;
        const flags = rule.caseSensitive === false ? 'giu' : 'gu';
        return { rule, pattern: new RegExp(bounded, flags) };
      });
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
    this.compiled.forEach(({ pattern }, order) => {
      for (const match of text.matchAll(pattern)) {
        matches.push({ start: match.index, end: match.index + match[0].length, order });
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
