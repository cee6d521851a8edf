import { splitForStreaming } from './split-for-streaming';

describe('splitForStreaming', () => {
  it('gives nothing for blank text', () => {
    expect(splitForStreaming('')).toEqual([]);
    expect(splitForStreaming(' \n\t ')).toEqual([]);
  });

  it.each([
    ['Hello there! How are you? Fine.', ['Hello there!', 'How are you?', 'Fine.']],
    ['Wait... I know. Okay', ['Wait...', 'I know.', 'Okay']],
    ['Wait… what?! No.', ['Wait…', 'what?!', 'No.']],
    ['He said "Go home." Then left.', ['He said "Go home."', 'Then left.']],
    ['(It was late.) We slept.', ['(It was late.)', 'We slept.']],
    ['First part\n\nSecond part', ['First part', 'Second part']],
    ['One line\nstill the same sentence.', ['One line still the same sentence.']],
  ])('splits %j at sentence ends', (text, pieces) => {
    expect(splitForStreaming(text)).toEqual(pieces);
  });

  it.each([
    ['Dr. Ade will call. Bye.', ['Dr. Ade will call.', 'Bye.']],
    ['Mr. and Mrs. Okafor are here. Come in.', ['Mr. and Mrs. Okafor are here.', 'Come in.']],
    ['Visit St. Nicholas today. Bye.', ['Visit St. Nicholas today.', 'Bye.']],
    ['Bring rice, e.g. ofada. Thanks.', ['Bring rice, e.g. ofada.', 'Thanks.']],
    ['Go to No. 5 now. Thanks.', ['Go to No. 5 now.', 'Thanks.']],
    ['Say no. Then go.', ['Say no.', 'Then go.']],
    ['It is 3.5 percent. Okay.', ['It is 3.5 percent.', 'Okay.']],
    ['Pay ₦2,500.50 today. Thanks.', ['Pay ₦2,500.50 today.', 'Thanks.']],
    ['Visit callwaiting.ng now. Bye.', ['Visit callwaiting.ng now.', 'Bye.']],
    ['Written by J. K. Rowling. Nice.', ['Written by J. K. Rowling.', 'Nice.']],
    [
      'Rice, beans, etc. are here. We also have yam, etc. Enjoy.',
      ['Rice, beans, etc. are here.', 'We also have yam, etc.', 'Enjoy.'],
    ],
    ['Meet at 3 p.m. today. Bye.', ['Meet at 3 p.m. today.', 'Bye.']],
    ['Meet at 3 p.m. Then go.', ['Meet at 3 p.m.', 'Then go.']],
    ['1. Open the app. 2. Tap pay.', ['1. Open the app.', '2. Tap pay.']],
    ['Neither am I. Go.', ['Neither am I.', 'Go.']],
  ])('does not split after abbreviations, decimals or initials: %j', (text, pieces) => {
    expect(splitForStreaming(text)).toEqual(pieces);
  });

  it('cuts a long sentence at the last clause boundary that fits', () => {
    const text =
      'We have rice, beans, yam and plantain on the menu today; we also have drinks, which you can order now or later: water, juice and soda.';
    expect(splitForStreaming(text, { maxChars: 70, firstMaxChars: 70 })).toEqual([
      'We have rice, beans, yam and plantain on the menu today;',
      'we also have drinks, which you can order now or later: water,',
      'juice and soda.',
    ]);
  });

  it('treats dashes as clause boundaries', () => {
    expect(
      splitForStreaming('Some drinks — water or juice — are free with every meal today.', {
        maxChars: 40,
        firstMaxChars: 40,
      }),
    ).toEqual(['Some drinks — water or juice —', 'are free with every meal today.']);
  });

  it('never splits inside a number with a thousands comma', () => {
    expect(
      splitForStreaming('The total amount you owe us is 1,250,000 naira and that is final', {
        maxChars: 40,
        firstMaxChars: 40,
      }),
    ).toEqual(['The total amount you owe us is 1,250,000', 'naira and that is final']);
  });

  it('falls back to a word boundary, then to a hard cut for one huge word', () => {
    expect(
      splitForStreaming('one two three four five six seven eight nine ten', { maxChars: 15 }),
    ).toEqual(['one two three', 'four five six', 'seven eight', 'nine ten']);
    expect(splitForStreaming('a'.repeat(25), { maxChars: 10 })).toEqual([
      'a'.repeat(10),
      'a'.repeat(10),
      'a'.repeat(5),
    ]);
  });

  it('keeps every piece within maxChars', () => {
    const text = 'word '.repeat(200) + 'end, then more, and more; finally. '.repeat(20);
    const pieces = splitForStreaming(text, { maxChars: 50 });
    expect(pieces.every((p) => p.length <= 50)).toBe(true);
    expect(pieces.join(' ')).toBe(text.replace(/\s+/g, ' ').trim());
  });

  describe('first piece', () => {
    const long =
      'Thank you for calling CallWaiting support, we are glad to have you with us today and we will help you right away. Bye.';

    it('is cut early at a clause boundary so audio starts sooner', () => {
      expect(splitForStreaming(long)).toEqual([
        'Thank you for calling CallWaiting support,',
        'we are glad to have you with us today and we will help you right away.',
        'Bye.',
      ]);
    });

    it('without punctuation, is cut before a clause-opening word within the first limit', () => {
      const noComma =
        'Thank you for calling CallWaiting support where we are glad to have you with us today and always.';
      expect(splitForStreaming(noComma)).toEqual([
        'Thank you for calling CallWaiting support',
        'where we are glad to have you with us today and always.',
      ]);
    });

    it('stays whole when it has no natural break within the first limit', () => {
      const noBreak =
        'Thank you for calling the CallWaiting customer support line for business owners in Lagos today.';
      expect(splitForStreaming(noBreak)).toEqual([noBreak]);
    });

    it('stays whole when it is already short', () => {
      expect(splitForStreaming('Hello, Ada. How are you?')).toEqual([
        'Hello, Ada.',
        'How are you?',
      ]);
    });

    it('can be turned off by setting firstMaxChars to maxChars', () => {
      expect(splitForStreaming(long, { firstMaxChars: 200 })).toEqual([long.slice(0, -5), 'Bye.']);
    });
  });

  describe('minChars', () => {
    it('joins short pieces onto the next while they fit', () => {
      expect(splitForStreaming('Hi. Yes. I can help with that today.', { minChars: 10 })).toEqual([
        'Hi. Yes. I can help with that today.',
      ]);
    });

    it('releases a short piece alone when joining would pass maxChars', () => {
      expect(
        splitForStreaming('Hi. This sentence is rather long.', { minChars: 5, maxChars: 30 }),
      ).toEqual(['Hi.', 'This sentence is rather long.']);
    });

    it('keeps a short last piece', () => {
      expect(splitForStreaming('I can help with that. Ok.', { minChars: 10 })).toEqual([
        'I can help with that.',
        'Ok.',
      ]);
    });
  });

  it.each([{ maxChars: 0 }, { maxChars: 2.5 }, { firstMaxChars: -1 }, { minChars: -3 }])(
    'rejects bad options %j',
    (options) => {
      expect(() => splitForStreaming('Hi.', options)).toThrow(RangeError);
    },
  );
});
