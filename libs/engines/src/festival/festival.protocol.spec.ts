import { FestivalReplyParser, sayCommand, type FestivalReply } from './festival.protocol';

function waveBytes(samples: number[]): Buffer {
  const buf = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => buf.writeInt16LE(s, i * 2));
  return buf;
}

describe('FestivalReplyParser', () => {
  const samples = [0, 10, -10, 2570, 0x0a0a, -32768, 32767];
  const stream = Buffer.concat([
    Buffer.from('CWVOICE cmu_us_slt_arctic_hts female\nCWREADY\n'),
    Buffer.from(`CWWAV ${samples.length} 32000\n`),
    waveBytes(samples),
    Buffer.from('CWEND 7\nCWERR 8\nsomething else\n'),
  ]);
  const expected: FestivalReply[] = [
    { kind: 'voice', name: 'cmu_us_slt_arctic_hts', gender: 'female' },
    { kind: 'ready' },
    { kind: 'wave', samples: Int16Array.from(samples), sampleRate: 32000 },
    { kind: 'end', id: 7 },
    { kind: 'error', id: 8 },
    { kind: 'other', line: 'something else' },
  ];

  it('reads lines and length-prefixed audio (newline bytes inside it are audio)', () => {
    expect(new FestivalReplyParser().push(stream)).toEqual(expected);
  });

  it('gives the same replies however the bytes are split', () => {
    for (const size of [1, 2, 3, 5, 11]) {
      const parser = new FestivalReplyParser();
      const replies: FestivalReply[] = [];
      for (let at = 0; at < stream.length; at += size) {
        replies.push(...parser.push(stream.subarray(at, at + size)));
      }
      expect(replies).toEqual(expected);
    }
  });

  it('refuses a malformed wave header', () => {
    expect(() => new FestivalReplyParser().push(Buffer.from('CWWAV -3 32000\n'))).toThrow(
      /malformed wave header/,
    );
  });
});

describe('sayCommand', () => {
  it('puts the folded text in a Scheme string and validates the voice name', () => {
    expect(
      sayCommand({
        id: 3,
        voice: 'cmu_us_slt_arctic_hts',
        text: 'a "b" \\ c',
        rate: 1.25,
        sampleRate: 8000,
      }),
    ).toBe('(cw_say 3 "voice_cmu_us_slt_arctic_hts" "a \\"b\\" \\\\ c" 1.250 8000)\n');
    expect(() =>
      sayCommand({ id: 1, voice: 'x) (quit', text: 'a', rate: 1, sampleRate: 0 }),
    ).toThrow(/not a Festival voice name/);
  });
});
