import { Lexicon } from './lexicon';
import type { LexiconRule } from './pronunciation-rule';
import { PronunciationTable } from './pronunciation-table';

const source = (ruleIndex: number) => ({ dictionaryId: 'd1', ruleIndex });
const alias = (from: string, to: string, extra: Partial<LexiconRule> = {}): LexiconRule =>
  ({ type: 'alias', stringToReplace: from, alias: to, source: source(0), ...extra }) as LexiconRule;

/** Applies the rules and shows each replaced span as [original→alias or /phoneme/]. */
function apply(text: string, rules: LexiconRule[], phonemes = true) {
  const table = new PronunciationTable();
  const out = new Lexicon(rules, { phonemes }).apply(text, table);
  const { text: original, spans } = table.decode(out);
  let shown = '';
  let at = 0;
  for (const { start, end, entry } of spans) {
    const said = entry.say.kind === 'alias' ? entry.say.text : `/${entry.say.phoneme}/`;
    shown += original.slice(at, start) + `[${original.slice(start, end)}→${said}]`;
    at = end;
  }
  return { shown: shown + original.slice(at), original, skipped: table.skipped };
}

describe('Lexicon', () => {
  it('replaces whole words only, by default case-sensitively', () => {
    const rules = [alias('Ade', 'Ah-day')];
    expect(apply('Ade, Adewale and ade met Ade.', rules).shown).toBe(
      '[Ade→Ah-day], Adewale and ade met [Ade→Ah-day].',
    );
  });

  it('treats accented letters and combining marks as part of a word', () => {
    const rules = [alias('Ade', 'Ah-day')];
    // "Adé" with a precomposed é, and "Ade" followed by a combining acute accent.
    expect(apply('Adé Ade\u0301 Ade', rules).shown).toBe('Adé Ade\u0301 [Ade→Ah-day]');
  });

  it('matches inside words when word_boundaries is false, and any case when asked', () => {
    expect(apply('MTNing mtn', [alias('mtn', 'M T N', { caseSensitive: false })]).shown).toBe(
      'MTNing [mtn→M T N]',
    );
    expect(
      apply('MTNing mtn', [alias('MTN', 'M T N', { caseSensitive: false, wordBoundaries: false })])
        .shown,
    ).toBe('[MTN→M T N]ing [mtn→M T N]');
  });

  it('lets the earlier rule win where two match at the same place, and the leftmost match win', () => {
    const rules = [
      alias('Lagos', 'LAY-goss', { source: source(0) }),
      alias('Lagos Island', 'Island of Lagos', { source: source(1) }),
    ];
    expect(apply('Lagos Island', rules).shown).toBe('[Lagos→LAY-goss] Island');
    expect(apply('Lagos Island', [...rules].reverse()).shown).toBe(
      '[Lagos Island→Island of Lagos]',
    );
    // "New Lagos" starts first, so it wins over "Lagos" inside it.
    expect(apply('New Lagos', [alias('Lagos', 'X'), alias('New Lagos', 'Y')]).shown).toBe(
      '[New Lagos→Y]',
    );
  });

  it('never applies a rule to another rule’s output', () => {
    const rules = [alias('GTB', 'GT Bank'), alias('Bank', 'BANK!')];
    expect(apply('GTB Bank', rules).shown).toBe('[GTB→GT Bank] [Bank→BANK!]');
  });

  it('escapes regular-expression characters in the text to replace', () => {
    expect(apply('C++ and C', [alias('C++', 'C plus plus')]).shown).toBe('[C++→C plus plus] and C');
  });

  it('falls back to the alias of a phoneme rule, or skips it, when the engine has no phonemes', () => {
    const rules: LexiconRule[] = [
      {
        type: 'phoneme',
        stringToReplace: 'Ikeja',
        phoneme: 'ikɛdʒa',
        alphabet: 'ipa',
        alias: 'Ee-keh-jah',
        source: source(0),
      },
      {
        type: 'phoneme',
        stringToReplace: 'Ojo',
        phoneme: 'ɔdʒɔ',
        alphabet: 'ipa',
        source: source(1),
      },
    ];
    expect(apply('Ikeja to Ojo', rules).shown).toBe('[Ikeja→/ikɛdʒa/] to [Ojo→/ɔdʒɔ/]');
    const without = apply('Ikeja to Ojo', rules, false);
    expect(without.shown).toBe('[Ikeja→Ee-keh-jah] to Ojo');
    expect(without.skipped).toEqual([{ original: 'Ojo', source: source(1) }]);
  });
});
