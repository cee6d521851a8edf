import { SentenceChunker } from './sentence-chunker';
import { splitForStreaming } from './split-for-streaming';
import { SplitOptions } from './split-options';

/** Feeds text word by word (each word with its following space), as an LLM stream would. */
function feedWords(chunker: SentenceChunker, text: string): string[][] {
  return text.split(/(?<=\s)/).map((word) => chunker.push(word));
}

describe('SentenceChunker', () => {
  it('releases each sentence once the space after it arrives', () => {
    const chunker = new SentenceChunker();
    expect(chunker.push('Hello')).toEqual([]);
    expect(chunker.push(' there!')).toEqual([]);
    expect(chunker.push(' How')).toEqual(['Hello there!']);
    expect(chunker.push(' are you?')).toEqual([]);
    expect(chunker.flush()).toEqual(['How are you?']);
  });

  it('does not release at "Dr." or inside "3.5"', () => {
    const chunker = new SentenceChunker();
    const released = feedWords(chunker, 'Dr. Ade says the rate is 3.5 percent. Thanks ');
    expect(released.flat()).toEqual(['Dr. Ade says the rate is 3.5 percent.']);
    expect(chunker.push('3')).toEqual([]);
    expect(chunker.push('.')).toEqual([]);
    expect(chunker.push('5')).toEqual([]);
    expect(chunker.flush()).toEqual(['Thanks 3.5']);
  });

  it('waits for the next word to decide an abbreviation that may end a sentence', () => {
    const chunker = new SentenceChunker();
    expect(chunker.push('We sell rice, beans, etc. ')).toEqual([]);
    expect(chunker.push('Come')).toEqual(['We sell rice, beans, etc.']);
    expect(chunker.flush()).toEqual(['Come']);
  });

  it('releases a short first piece at a clause boundary once the sentence runs long', () => {
    const chunker = new SentenceChunker();
    const released = feedWords(
      chunker,
      'Thank you for calling CallWaiting support, we are glad to have you with us today and we will help you right away.',
    );
    const firstAt = released.findIndex((pieces) => pieces.length > 0);
    expect(released[firstAt]).toEqual(['Thank you for calling CallWaiting support,']);
    // Released before the sentence was complete: that is the latency win.
    expect(released.slice(firstAt + 1).flat()).toEqual([]);
    expect(chunker.flush()).toEqual([
      'we are glad to have you with us today and we will help you right away.',
    ]);
  });

  it('cuts a run-on stream before it exceeds maxChars', () => {
    const chunker = new SentenceChunker({ maxChars: 20, firstMaxChars: 20 });
    const released = feedWords(chunker, 'one two three four five six seven eight nine ten ').flat();
    expect(released).toEqual(['one two three four', 'five six seven eight']);
    expect(chunker.flush()).toEqual(['nine ten']);
  });

  it('resets after flush so it can be reused', () => {
    const chunker = new SentenceChunker();
    chunker.push('First stream without an end');
    expect(chunker.flush()).toEqual(['First stream without an end']);
    expect(chunker.flush()).toEqual([]);
    expect(chunker.push('Second.')).toEqual([]);
    expect(chunker.push(' Stream')).toEqual(['Second.']);
  });

  const samples = [
    'Hello there! I am Dr. Ade, and I will be your assistant today. The rate is 3.5 percent... Is that okay? Yes.',
    'Well, the thing is, we have many options: rice, beans, yam, plantain; and also, if you like, some drinks — water, juice, or soda — which you can order now, or later, whenever you are ready, and we will deliver them to your address in Ikeja before six in the evening.',
    'No. 5 is the house. Say no. Then go.\n\nNew paragraph without punctuation\n\nAnd another, etc. We also have J. K. Rowling and the U.S. They said e.g. this.',
    `${'A'.repeat(250)} tail. Short.`,
    '1. Open the app. 2. Tap pay. Pay ₦2,500.50 at 3 p.m. today, or at 4 p.m. Then rest.',
  ];
  const optionSets: SplitOptions[] = [{}, { maxChars: 60, firstMaxChars: 30 }, { minChars: 15 }];

  it.each(samples.flatMap((text) => optionSets.map((options) => [text, options] as const)))(
    'gives the same pieces as splitForStreaming however the text is cut up (%#)',
    (text, options) => {
      const expected = splitForStreaming(text, options);
      for (const size of [1, 2, 3, 5, 8, 13]) {
        const chunker = new SentenceChunker(options);
        const pieces: string[] = [];
        for (let i = 0; i < text.length; i += size)
          pieces.push(...chunker.push(text.slice(i, i + size)));
        pieces.push(...chunker.flush());
        expect(pieces).toEqual(expected);
      }
      const byWord = new SentenceChunker(options);
      expect([...feedWords(byWord, text).flat(), ...byWord.flush()]).toEqual(expected);
    },
  );

  it('matches splitForStreaming on random text cut at random points', () => {
    // A fixed-seed generator keeps the test repeatable while covering many awkward layouts.
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const tokens = [
      'Dr.',
      'Mrs.',
      '3.5',
      'etc.',
      'No.',
      '5',
      'no.',
      'Hello',
      'world.',
      'yes!',
      'what?!',
      'wait...',
      'so,',
      'then;',
      'note:',
      '—',
      '-',
      'J.',
      'U.S.',
      '"Hi."',
      '(ok.)',
      'e.g.',
      'p.m.',
      'Then',
      'the',
      'callwaiting.ng',
      '₦2,500.50',
      'a',
      'word',
      'longerword',
      '1.',
    ];
    const spaces = [' ', ' ', ' ', '  ', '\n', '\n\n', ' \n '];
    for (let round = 0; round < 200; round++) {
      let text = '';
      const count = 5 + random(80);
      for (let i = 0; i < count; i++)
        text += tokens[random(tokens.length)] + spaces[random(spaces.length)];
      const options: SplitOptions = [
        {},
        { maxChars: 40, firstMaxChars: 15 },
        { maxChars: 25, minChars: 10 },
      ][random(3)];
      const expected = splitForStreaming(text, options);
      const chunker = new SentenceChunker(options);
      const pieces: string[] = [];
      for (let at = 0; at < text.length;) {
        const size = 1 + random(12);
        pieces.push(...chunker.push(text.slice(at, at + size)));
        at += size;
      }
      pieces.push(...chunker.flush());
      expect({ text, pieces }).toEqual({ text, pieces: expected });
      const limit = options.maxChars ?? 200;
      expect(expected.every((piece) => piece.length <= limit)).toBe(true);
    }
  });
});
