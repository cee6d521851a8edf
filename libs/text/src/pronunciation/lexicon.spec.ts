import { caseForm, Lexicon } from './lexicon';
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
  it('finds case-insensitive matches in every spelling the pattern folds (the quick pre-check misses none)', () => {
    const rules = [
      alias('Sokoto', 'S', { caseSensitive: false }),
      alias('Kano', 'K', { caseSensitive: false }),
      alias('Ọyọ', 'O', { caseSensitive: false }),
    ];
    // U+017F long s and U+212A Kelvin sign fold to s and k; Ọ is not ASCII, so no pre-check.
    // Each alone in its text, so no other spelling lets the pattern run.
    expect(apply('\u017Fokoto', rules).shown).toBe('[\u017Fokoto→S]');
    expect(apply('\u212Aano', rules).shown).toBe('[\u212Aano→K]');
    expect(apply('SOKOTO kANO', rules).shown).toBe('[SOKOTO→S] [kANO→K]');
    expect(apply('ọyọ', rules).shown).toBe('[ọyọ→O]');
    expect(apply('Sokoto', [alias('sokoto', 'S')]).shown).toBe('Sokoto');
  });

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

  describe('spellings a rule leaves alone (skipCases)', () => {
    const imo = alias('Imo', 'EE-mo', { caseSensitive: false, skipCases: ['capitals'] });
    const uba = alias('UBA', 'U B A', { caseSensitive: false, skipCases: ['capitalised'] });
    const tope = alias('Tope', 'TAW-peh', { caseSensitive: false, skipCases: ['lower'] });

    it('names the case of a word', () => {
      expect(['IMO', 'Imo', 'imo', 'iMo', 'GOtv', 'I', 'A', 'Ọyọ', 'ỌYỌ'].map(caseForm)).toEqual([
        'capitals',
        'capitalised',
        'lower',
        'mixed',
        'mixed',
        'capitalised',
        'capitalised',
        'capitalised',
        'capitals',
      ]);
    });

    it('takes a name in capitals within mixed-case text for an acronym', () => {
      expect(apply('The IMO sets shipping rules.', [imo]).shown).toBe(
        'The IMO sets shipping rules.',
      );
      expect(apply('IMO, that is cheaper.', [imo]).shown).toBe('IMO, that is cheaper.');
      // Without the guard the same rule fires on the acronym.
      expect(apply('The IMO sets shipping rules.', [{ ...imo, skipCases: undefined }]).shown).toBe(
        'The [IMO→EE-mo] sets shipping rules.',
      );
    });

    it('still says the name in other spellings, in text written in capitals, and next to capitals', () => {
      expect(apply('Imo State and imo state.', [imo]).shown).toBe(
        '[Imo→EE-mo] State and [imo→EE-mo] state.',
      );
      expect(apply('WELCOME TO IMO.', [imo]).shown).toBe('WELCOME TO [IMO→EE-mo].');
      expect(apply('Send it to IMO STATE, please.', [imo]).shown).toBe(
        'Send it to [IMO→EE-mo] STATE, please.',
      );
      expect(apply('Please call the GOVERNMENT OF IMO today.', [imo]).shown).toBe(
        'Please call the GOVERNMENT OF [IMO→EE-mo] today.',
      );
      // "I" alone is not a word in capitals.
      expect(apply('I IMO you.', [imo]).shown).toBe('I IMO you.');
    });

    it('takes an acronym written Capitalised for a name', () => {
      expect(apply('Pay into UBA or uba, says Mr Uba.', [uba]).shown).toBe(
        'Pay into [UBA→U B A] or [uba→U B A], says Mr Uba.',
      );
    });

    it('takes a name in lower case for the English word when asked', () => {
      expect(apply('Tope will tope; TOPE.', [tope]).shown).toBe(
        '[Tope→TAW-peh] will tope; [TOPE→TAW-peh].',
      );
    });

    it('ignores skipCases on a case-sensitive rule, which matches one spelling only', () => {
      const exact = alias('IMO', 'in my opinion', { skipCases: ['capitals'] });
      expect(apply('The IMO sets rules.', [exact]).shown).toBe(
        'The [IMO→in my opinion] sets rules.',
      );
    });

    it('lets a later rule take a spelling an earlier rule left alone', () => {
      const acronym = alias('IMO', 'I M O', { source: source(1) });
      expect(apply('The IMO and Imo.', [imo, acronym]).shown).toBe(
        'The [IMO→I M O] and [Imo→EE-mo].',
      );
    });
  });
});
