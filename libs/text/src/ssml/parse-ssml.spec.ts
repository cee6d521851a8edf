import { parseSsml } from './parse-ssml';
import { SsmlError, TextErrorCode } from './ssml.error';
import { Prosody, SpeechSegment } from './speech-segment';

const plain: Prosody = { rate: 1, pitch: 1, volume: 1 };
const text = (value: string, prosody: Prosody = plain): SpeechSegment => ({
  type: 'text',
  text: value,
  prosody,
});

function parseError(xml: string): SsmlError {
  try {
    parseSsml(xml);
  } catch (error) {
    if (error instanceof SsmlError) return error;
    throw error;
  }
  throw new Error(`expected ${xml} to be rejected`);
}

describe('parseSsml', () => {
  it('reads plain text inside <speak>, collapsing whitespace', () => {
    expect(parseSsml('<speak>\n  Hello   there,\n  friend.\n</speak>')).toEqual([
      text('Hello there, friend.'),
    ]);
  });

  it('gives nothing for an empty document', () => {
    expect(parseSsml('<speak/>')).toEqual([]);
    expect(parseSsml('<?xml version="1.0"?><speak>  </speak>')).toEqual([]);
  });

  it('decodes entities and CDATA through the XML parser', () => {
    expect(
      parseSsml('<speak>Salt &amp; pepper &lt;3 &#8358;5 <![CDATA[a <b> c]]></speak>'),
    ).toEqual([text('Salt & pepper <3 ₦5 a <b> c')]);
  });

  it('ignores comments and processing instructions', () => {
    expect(parseSsml('<speak>One <!-- not this --> two<?pi nothing?></speak>')).toEqual([
      text('One two'),
    ]);
  });

  describe('breaks', () => {
    it.each([
      ['time="500ms"', 500],
      ['time="1.5s"', 1500],
      ['time="2s"', 2000],
      ['time=" 250 ms "', 250],
      ['strength="x-weak"', 100],
      ['strength="weak"', 200],
      ['strength="medium"', 400],
      ['strength="strong"', 700],
      ['strength="x-strong"', 1000],
      ['', 400],
      ['time="300ms" strength="x-strong"', 300],
      ['time="60s"', 10_000],
    ])('<break %s/> is %d ms', (attributes, ms) => {
      expect(parseSsml(`<speak>A<break ${attributes}/>B</speak>`)).toEqual([
        text('A'),
        { type: 'break', ms },
        text('B'),
      ]);
    });

    it('drops a zero-length break and lets the text around it join', () => {
      expect(parseSsml('<speak>A <break strength="none"/>B</speak>')).toEqual([text('A B')]);
    });

    it('adds up breaks in a row', () => {
      expect(parseSsml('<speak>A<break time="1s"/><break time="500ms"/>B</speak>')).toEqual([
        text('A'),
        { type: 'break', ms: 1500 },
        text('B'),
      ]);
    });

    it('keeps a break at the very start', () => {
      expect(parseSsml('<speak><break time="300ms"/>Hi</speak>')).toEqual([
        { type: 'break', ms: 300 },
        text('Hi'),
      ]);
    });
  });

  describe('paragraphs and sentences', () => {
    it('ends each <s> as a sentence without adding a pause', () => {
      expect(parseSsml('<speak><s>First one</s><s>Second one</s></speak>')).toEqual([
        text('First one. Second one.'),
      ]);
    });

    it('does not double up punctuation the author wrote', () => {
      expect(parseSsml('<speak><s>Really?</s><s>Yes!</s></speak>')).toEqual([text('Really? Yes!')]);
    });

    it('turns a trailing comma into a full stop', () => {
      expect(parseSsml('<speak><s>Wait,</s><s>go</s></speak>')).toEqual([text('Wait. go.')]);
    });

    it('pauses between paragraphs but not before the first or after the last', () => {
      expect(parseSsml('<speak><p>Para one</p>\n<p>Para two</p></speak>')).toEqual([
        text('Para one.'),
        { type: 'break', ms: 500 },
        text('Para two.'),
      ]);
    });

    it('lets an explicit break replace the paragraph pause', () => {
      expect(
        parseSsml('<speak><p>One</p><break time="2s"/><p>Two</p><break time="100ms"/></speak>'),
      ).toEqual([
        text('One.'),
        { type: 'break', ms: 2000 },
        text('Two.'),
        { type: 'break', ms: 100 },
      ]);
    });

    it('keeps the longer of a break inside a paragraph and the paragraph pause', () => {
      expect(parseSsml('<speak><p>One<break time="200ms"/></p><p>Two</p></speak>')).toEqual([
        text('One.'),
        { type: 'break', ms: 500 },
        text('Two.'),
      ]);
    });
  });

  describe('prosody and emphasis', () => {
    it.each([
      ['rate="x-slow"', { rate: 0.5 }],
      ['rate="slow"', { rate: 0.75 }],
      ['rate="fast"', { rate: 1.25 }],
      ['rate="x-fast"', { rate: 1.5 }],
      ['rate="80%"', { rate: 0.8 }],
      ['rate="+10%"', { rate: 1.1 }],
      ['rate="-20%"', { rate: 0.8 }],
      ['rate="500%"', { rate: 2 }],
      ['pitch="x-low"', { pitch: 0.8 }],
      ['pitch="high"', { pitch: 1.1 }],
      ['pitch="+12st"', { pitch: 2 }],
      ['pitch="-10%"', { pitch: 0.9 }],
      ['pitch="+15Hz"', { pitch: 1.1 }],
      ['pitch="-30Hz"', { pitch: 0.8 }],
      ['volume="silent"', { volume: 0 }],
      ['volume="soft"', { volume: 0.5 }],
      ['volume="x-loud"', { volume: 2 }],
      ['volume="+6dB"', { volume: 1.9953 }],
      ['volume="-6dB"', { volume: 0.5012 }],
      ['rate="slow" pitch="low" volume="loud"', { rate: 0.75, pitch: 0.9, volume: 1.5 }],
    ])('<prosody %s>', (attributes, expected) => {
      const [segment] = parseSsml(`<speak><prosody ${attributes}>Hi</prosody></speak>`);
      expect(segment).toEqual(text('Hi', { ...plain, ...expected }));
    });

    it('multiplies nested relative changes and restores the outer prosody afterwards', () => {
      expect(
        parseSsml(
          '<speak><prosody rate="80%" volume="+6dB">slow <prosody rate="50%" pitch="+2st">slower</prosody> back</prosody> normal</speak>',
        ),
      ).toEqual([
        text('slow ', { rate: 0.8, pitch: 1, volume: 1.9953 }),
        text('slower', { rate: 0.5, pitch: 1.1225, volume: 1.9953 }),
        text(' back', { rate: 0.8, pitch: 1, volume: 1.9953 }),
        text(' normal'),
      ]);
    });

    it('treats labels as absolute, so "medium" inside "fast" is the normal rate', () => {
      expect(
        parseSsml(
          '<speak><prosody rate="fast">quick <prosody rate="medium">normal</prosody></prosody></speak>',
        ),
      ).toEqual([text('quick ', { ...plain, rate: 1.25 }), text('normal')]);
    });

    it.each([
      ['', { rate: 0.9, pitch: 1, volume: 1.25 }],
      [' level="strong"', { rate: 0.8, pitch: 1, volume: 1.5 }],
      [' level="reduced"', { rate: 1.1, pitch: 1, volume: 0.8 }],
      [' level="none"', plain],
    ])('<emphasis%s> is slower and louder (or the reverse)', (attributes, prosody) => {
      expect(parseSsml(`<speak><emphasis${attributes}>Now</emphasis></speak>`)).toEqual([
        text('Now', prosody),
      ]);
    });

    it('applies emphasis on top of the surrounding prosody', () => {
      expect(
        parseSsml(
          '<speak><prosody rate="slow"><emphasis level="strong">Stop</emphasis></prosody></speak>',
        ),
      ).toEqual([text('Stop', { rate: 0.6, pitch: 1, volume: 1.5 })]);
    });
  });

  describe('say-as, sub and mark', () => {
    it('keeps say-as text as written with its instruction', () => {
      expect(
        parseSsml(
          '<speak>Call <say-as interpret-as="telephone">0803 123 4567</say-as> or <say-as interpret-as="date" format="mdy" detail="1">12/25/2024</say-as></speak>',
        ),
      ).toEqual([
        text('Call '),
        { ...text('0803 123 4567'), sayAs: { interpretAs: 'telephone' } },
        text(' or '),
        {
          ...text('12/25/2024'),
          sayAs: { interpretAs: 'date', format: 'mdy', detail: '1' },
        },
      ]);
    });

    it('collects the text of markup nested in say-as without acting on it', () => {
      expect(
        parseSsml('<speak><say-as interpret-as="characters">A<break time="1s"/>B</say-as></speak>'),
      ).toEqual([{ ...text('AB'), sayAs: { interpretAs: 'characters' } }]);
    });

    it('speaks the alias of <sub> instead of its text', () => {
      expect(
        parseSsml('<speak>The <sub alias="World Health Organisation">WHO</sub> says</speak>'),
      ).toEqual([text('The World Health Organisation says')]);
    });

    it('places marks between the text around them', () => {
      expect(
        parseSsml(
          '<speak><mark name="start"/>Hello <mark name="mid"/>world<mark name="end"/></speak>',
        ),
      ).toEqual([
        { type: 'mark', name: 'start' },
        text('Hello'),
        { type: 'mark', name: 'mid' },
        text('world'),
        { type: 'mark', name: 'end' },
      ]);
    });

    it('puts a mark after a paragraph before the paragraph pause', () => {
      expect(parseSsml('<speak><p>One</p><mark name="m"/><p>Two</p></speak>')).toEqual([
        text('One.'),
        { type: 'mark', name: 'm' },
        { type: 'break', ms: 500 },
        text('Two.'),
      ]);
    });

    it('adds the sentence end after say-as rather than inside it', () => {
      expect(
        parseSsml('<speak><s>Pay <say-as interpret-as="cardinal">5</say-as></s></speak>'),
      ).toEqual([text('Pay '), { ...text('5'), sayAs: { interpretAs: 'cardinal' } }, text('.')]);
    });
  });

  describe('other elements', () => {
    it('speaks the text of unknown and vendor elements', () => {
      expect(
        parseSsml(
          '<speak><voice name="x"><lang xml:lang="yo">Ẹ kú</lang> <amazon:effect name="whispered">quietly</amazon:effect></voice> <phoneme ph="x">tomato</phoneme> <audio src="a.wav">fallback</audio></speak>',
        ),
      ).toEqual([text('Ẹ kú quietly tomato fallback')]);
    });

    it('does not speak metadata or audio descriptions', () => {
      expect(
        parseSsml(
          '<speak><meta name="a" content="b"/><metadata>secret</metadata>Hi<audio src="a.wav"><desc>a bell</desc></audio></speak>',
        ),
      ).toEqual([text('Hi')]);
    });
  });

  describe('malformed SSML', () => {
    it.each([
      ['unclosed tag', '<speak>Hello <emphasis>there</speak>', 1, 36, 'unexpected close tag'],
      ['unclosed root', '<speak>Hello', 1, 12, 'unclosed tag: speak'],
      ['unquoted attribute', '<speak><break time=1s/></speak>', 1, 20, 'unquoted attribute value'],
      [
        'duplicate attribute',
        '<speak><break time="1s" time="2s"/></speak>',
        1,
        35,
        'duplicate attribute',
      ],
      ['text before the root', 'Hello <speak>x</speak>', 1, 7, 'text data outside of root node'],
      ['text after the root', '<speak>x</speak> bye', 1, 20, 'text data outside of root node'],
      ['undefined entity', '<speak>a &nbsp; b</speak>', 1, 15, 'undefined entity'],
      ['wrong root', '<p>Hi</p>', 1, 3, 'the root element must be <speak>, found <p>'],
      ['bad break time', '<speak><break time="soon"/></speak>', 1, 27, 'break time "soon"'],
      [
        'bad break strength',
        '<speak><break strength="huge"/></speak>',
        1,
        31,
        'break strength "huge"',
      ],
      [
        'bad rate',
        '<speak><prosody rate="quick">x</prosody></speak>',
        1,
        29,
        'prosody rate "quick"',
      ],
      [
        'inherited object key as a label',
        '<speak><prosody rate="constructor">x</prosody></speak>',
        1,
        35,
        'prosody rate "constructor"',
      ],
      ['bad pitch', '<speak><prosody pitch="up">x</prosody></speak>', 1, 27, 'prosody pitch "up"'],
      [
        'bad volume',
        '<speak><prosody volume="+6">x</prosody></speak>',
        1,
        28,
        'prosody volume "+6"',
      ],
      [
        'bad emphasis',
        '<speak><emphasis level="max">x</emphasis></speak>',
        1,
        29,
        'emphasis level "max"',
      ],
      ['mark without name', '<speak><mark/></speak>', 1, 14, '<mark> needs a name attribute'],
      [
        'say-as without interpret-as',
        '<speak><say-as>1</say-as></speak>',
        1,
        15,
        'needs a interpret-as',
      ],
      [
        'sub without alias',
        '<speak><sub>WHO</sub></speak>',
        1,
        12,
        '<sub> needs a alias attribute',
      ],
    ])('%s', (_case, xml, line, column, reason) => {
      const error = parseError(xml);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(TextErrorCode.InvalidSsml);
      expect(error.reason).toContain(reason);
      expect({ line: error.line, column: error.column }).toEqual({ line, column });
      expect(error.message).toBe(`Invalid SSML at line ${line}, column ${column}: ${error.reason}`);
    });

    it('reports the line of an error on a later line', () => {
      const error = parseError('<speak>\n  <p>One</p>\n  <p>Two</speak>');
      expect(error.line).toBe(3);
      expect(error.message).toMatch(/^Invalid SSML at line 3, column \d+: unexpected close tag/);
    });
  });
});
