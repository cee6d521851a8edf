import { Lexicon, planSpeechDetailed } from '@cw/text';
import { PlanMemo } from './plan-memo';

describe('PlanMemo', () => {
  const lexicon = new Lexicon(
    [
      {
        type: 'alias',
        stringToReplace: 'Ikeja',
        alias: 'Ee-kay-jah',
        source: { dictionaryId: 'd' },
      },
    ],
    { phonemes: true },
  );
  let made: number;
  const planner = (text: string, lex?: Lexicon) => () => {
    made++;
    return planSpeechDetailed({ text, ssml: false, language: 'en', lexicon: lex, phonemes: true });
  };
  const input = (text: string, lex?: Lexicon) => ({
    text,
    ssml: false,
    language: 'en',
    lexicon: lex,
    phonemes: true,
  });

  beforeEach(() => (made = 0));

  it('plans a repeated text once per lexicon and hands out the same frozen plan', () => {
    const memo = new PlanMemo();
    const text = 'Your rider is at Ikeja, 2 minutes away.';
    const first = memo.plan(input(text, lexicon), planner(text, lexicon));
    const again = memo.plan(input(text, lexicon), planner(text, lexicon));
    expect(again).toBe(first);
    expect(made).toBe(1);
    expect(Object.isFrozen(first.plan)).toBe(true);
    expect(Object.isFrozen(first.plan[0])).toBe(true);
    expect(JSON.stringify(first.plan)).toContain('Ee-kay-jah');
  });

  it('plans again for another lexicon (a changed dictionary), language or SSML flag', () => {
    const memo = new PlanMemo();
    const text = 'Your rider is at Ikeja.';
    const other = new Lexicon([], { phonemes: true });
    const withRule = memo.plan(input(text, lexicon), planner(text, lexicon));
    const without = memo.plan(input(text, other), planner(text, other));
    memo.plan({ ...input(text, lexicon), language: 'en-gb' }, planner(text, lexicon));
    memo.plan({ ...input(text, lexicon), ssml: true }, planner(text, lexicon));
    expect(made).toBe(4);
    expect(JSON.stringify(without.plan)).not.toContain('Ee-kay-jah');
    expect(JSON.stringify(withRule.plan)).toContain('Ee-kay-jah');
  });

  it('does not keep long texts, nor failures', () => {
    const memo = new PlanMemo();
    const long = 'Thank you for calling. '.repeat(60);
    memo.plan(input(long), planner(long));
    memo.plan(input(long), planner(long));
    expect(made).toBe(2);
    const failing = () => {
      made++;
      throw new Error('invalid');
    };
    expect(() => memo.plan(input('x'), failing)).toThrow('invalid');
    expect(() => memo.plan(input('x'), failing)).toThrow('invalid');
    expect(made).toBe(4);
  });
});
