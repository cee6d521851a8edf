import { SsmlError } from '../ssml/ssml.error';
import { Lexicon } from '../pronunciation/lexicon';
import {
  isBlank,
  looksLikeSsml,
  planSpeech,
  planSpeechDetailed,
  spokenText,
  SpeechPlanItem,
} from './plan-speech';

const plain = { rate: 1, pitch: 1, volume: 1 };
const speak = (text: string, prosody = plain): SpeechPlanItem => ({ type: 'speak', text, prosody });

describe('planSpeech', () => {
  it('normalizes plain text and splits it into streaming pieces', () => {
    expect(
      planSpeech({
        text: 'Hello Mrs. Bello! Your balance is ₦5,000. Call 08031234567 for help.',
        ssml: false,
      }),
    ).toEqual([
      speak('Hello Missus Bello!'),
      speak('Your balance is five thousand naira.'),
      speak('Call zero eight zero three, one two three, four five six seven for help.'),
    ]);
  });

  it('does not read text as SSML unless asked or it starts with <speak', () => {
    expect(planSpeech({ text: 'Use <b>bold</b> & stuff', ssml: false })).toEqual([
      speak('Use <b>bold</b> and stuff'),
    ]);
  });

  it('detects an SSML document even when ssml is false', () => {
    expect(planSpeech({ text: '  <speak>Hi<break time="1s"/>there</speak>', ssml: false })).toEqual(
      [speak('Hi'), { type: 'break', ms: 1000 }, speak('there')],
    );
  });

  it('renders SSML: prosody, say-as inside a sentence, marks and breaks in order', () => {
    const plan = planSpeech({
      ssml: true,
      text:
        '<speak><mark name="greeting"/>Hello <emphasis>Ada</emphasis>! ' +
        '<break strength="strong"/>Your code is <say-as interpret-as="characters">AB12</say-as>, ' +
        'due on <say-as interpret-as="date" format="dmy">01/02/2025</say-as>.' +
        '<mark name="code"/><prosody rate="slow" volume="soft">Goodbye.</prosody></speak>',
    });
    expect(plan).toEqual([
      { type: 'mark', name: 'greeting' },
      speak('Hello'),
      speak('Ada!', { rate: 0.9, pitch: 1, volume: 1.25 }),
      { type: 'break', ms: 700 },
      speak('Your code is A B one two, due on the first of February, twenty twenty-five.'),
      { type: 'mark', name: 'code' },
      speak('Goodbye.', { rate: 0.75, pitch: 1, volume: 0.5 }),
    ]);
  });

  it('speaks a <sub> alias and normalizes it like other text', () => {
    expect(
      planSpeech({
        ssml: true,
        text: '<speak>Ask <sub alias="Dr. Ade">the doctor</sub> today.</speak>',
      }),
    ).toEqual([speak('Ask Doctor Ade today.')]);
  });

  it('splits paragraphs with a pause and ends sentences from <s>', () => {
    expect(
      planSpeech({
        ssml: true,
        text: '<speak><p><s>First sentence</s><s>Second sentence</s></p><p>Next paragraph</p></speak>',
      }),
    ).toEqual([
      speak('First sentence.'),
      speak('Second sentence.'),
      { type: 'break', ms: 500 },
      speak('Next paragraph.'),
    ]);
  });

  it('keeps a sentence end that closes a say-as with the spoken number', () => {
    expect(
      planSpeech({
        ssml: true,
        text: '<speak><s>Your number is <say-as interpret-as="digits">42</say-as></s><s>Bye</s></speak>',
      }),
    ).toEqual([speak('Your number is four two.'), speak('Bye.')]);
  });

  it('only shortens the very first piece for latency', () => {
    const sentence =
      'Thank you for calling CallWaiting support, we are glad to have you with us today and we will help you right away.';
    const plan = planSpeech({
      ssml: true,
      text: `<speak>${sentence}<break time="1s"/>${sentence}</speak>`,
    });
    expect(plan).toEqual([
      speak('Thank you for calling CallWaiting support,'),
      speak('we are glad to have you with us today and we will help you right away.'),
      { type: 'break', ms: 1000 },
      speak(sentence),
    ]);
  });

  it('passes split options through', () => {
    const plan = planSpeech({ text: 'one two three four five six', maxChars: 10 });
    expect(plan.map((item) => item.type === 'speak' && item.text)).toEqual([
      'one two',
      'three four',
      'five six',
    ]);
  });

  it('leaves digits for the engine in other languages', () => {
    expect(planSpeech({ text: 'Il a 25 ans. Merci.', language: 'fr' })).toEqual([
      speak('Il a 25 ans.'),
      speak('Merci.'),
    ]);
  });

  it('gives an empty plan for blank text', () => {
    expect(planSpeech({ text: '   ', ssml: false })).toEqual([]);
    expect(planSpeech({ text: '<speak> </speak>', ssml: true })).toEqual([]);
  });

  it('throws SsmlError for broken SSML', () => {
    expect(() => planSpeech({ text: '<speak>Hi <break time="x"/></speak>', ssml: true })).toThrow(
      SsmlError,
    );
    expect(() => planSpeech({ text: 'Hi there', ssml: true })).toThrow(
      /^Invalid SSML at line 1, column \d+: text data outside of root node/,
    );
  });
});

describe('spokenText', () => {
  it('joins exactly the spoken pieces, ignoring breaks and marks', () => {
    const plan = planSpeech({
      ssml: true,
      text: '<speak>Pay <say-as interpret-as="currency">₦2,500.50</say-as> now.<break time="1s"/><mark name="m"/>Thanks!</speak>',
    });
    expect(spokenText(plan)).toBe('Pay two thousand five hundred naira fifty kobo now. Thanks!');
  });

  it('is empty for a plan with nothing to say', () => {
    expect(spokenText([{ type: 'break', ms: 100 }])).toBe('');
  });
});

describe('isBlank and looksLikeSsml', () => {
  it.each([
    ['', true],
    ['  \n\t', true],
    [null, true],
    [undefined, true],
    [' a ', false],
  ])('isBlank(%j) is %s', (text, blank) => {
    expect(isBlank(text)).toBe(blank);
  });

  it.each([
    ['<speak>x</speak>', true],
    ['  <speak version="1.1">x</speak>', true],
    ['<speak/>', true],
    ['<?xml version="1.0"?>\n<speak>x</speak>', true],
    ['<speaker>x</speaker>', false],
    ['Say <speak>', false],
    ['<p>x</p>', false],
  ])('looksLikeSsml(%j) is %s', (text, ssml) => {
    expect(looksLikeSsml(text)).toBe(ssml);
  });
});

describe('planSpeech with pronunciations', () => {
  const lexicon = new Lexicon(
    [
      {
        type: 'phoneme',
        stringToReplace: 'Chukwuemeka',
        phoneme: 'tʃukwuˈɛmɛka',
        alphabet: 'ipa',
        source: { dictionaryId: 'names', ruleIndex: 0 },
      },
      {
        type: 'alias',
        stringToReplace: 'GTB',
        alias: 'G T Bank No. 1',
        source: { dictionaryId: 'names', ruleIndex: 1 },
      },
    ],
    { phonemes: true },
  );

  it('keeps the caller’s words in the text and says them as the rules do', () => {
    const [item] = planSpeech({ text: 'Chukwuemeka paid ₦500 at GTB.', lexicon, phonemes: true });
    expect(item).toEqual({
      type: 'speak',
      text: 'Chukwuemeka paid five hundred naira at GTB.',
      prosody: plain,
      pronunciations: [
        {
          start: 0,
          end: 11,
          say: { kind: 'phoneme', phoneme: 'tʃukwuˈɛmɛka', alphabet: 'ipa' },
          source: { dictionaryId: 'names', ruleIndex: 0 },
        },
        {
          start: 39,
          end: 42,
          // The alias is normalized like any text.
          say: { kind: 'alias', text: 'G T Bank number one' },
          source: { dictionaryId: 'names', ruleIndex: 1 },
        },
      ],
    });
    expect(spokenText([item])).toBe(
      '/tʃukwuˈɛmɛka/ paid five hundred naira at G T Bank number one.',
    );
  });

  it('keeps each span with its piece when the text is split', () => {
    const plan = planSpeech({
      text: 'Hello there. Is that Chukwuemeka? Yes, Chukwuemeka.',
      lexicon,
      phonemes: true,
      firstMaxChars: 12,
      maxChars: 20,
    });
    const speaks = plan.filter((item) => item.type === 'speak');
    expect(speaks.length).toBeGreaterThan(1);
    for (const item of speaks) {
      for (const span of item.pronunciations ?? []) {
        expect(item.text.slice(span.start, span.end)).toBe('Chukwuemeka');
      }
    }
    expect(speaks.flatMap((item) => item.pronunciations ?? [])).toHaveLength(2);
  });

  it('reads SSML <phoneme> as a pronunciation, or as its text with no phoneme engine', () => {
    const text =
      '<speak>Welcome to <phoneme alphabet="x-sampa" ph="i&quot;kEdZa">Ikeja</phoneme>.</speak>';
    expect(planSpeech({ text, phonemes: true })).toEqual([
      {
        type: 'speak',
        text: 'Welcome to Ikeja.',
        prosody: plain,
        pronunciations: [
          {
            start: 11,
            end: 16,
            say: { kind: 'phoneme', phoneme: 'i"kEdZa', alphabet: 'x-sampa' },
            source: { dictionaryId: 'ssml' },
          },
        ],
      },
    ]);
    const detailed = planSpeechDetailed({ text, phonemes: false });
    expect(detailed.plan).toEqual([speak('Welcome to Ikeja.')]);
    expect(detailed.skipped).toEqual([{ original: 'Ikeja', source: { dictionaryId: 'ssml' } }]);
  });

  it('refuses a <phoneme> in an alphabet it cannot read', () => {
    expect(() =>
      planSpeech({ text: '<speak><phoneme alphabet="arpabet" ph="EY1">A</phoneme></speak>' }),
    ).toThrow(/phoneme alphabet "arpabet" must be ipa or x-sampa/);
  });

  it('ignores private-use characters in the caller’s text', () => {
    expect(planSpeech({ text: 'Hi \uE000\uE100 there', lexicon, phonemes: true })).toEqual([
      speak('Hi there'),
    ]);
  });
});
