import { mulaw } from 'alawmulaw';
import {
  AudioError,
  AudioErrorCode,
  encodeWav,
  parseWav,
  WavFormatTag,
  wavHeader,
} from '@cw/audio';

/** Builds WAV files by hand, independently of the code under test. */
function chunk(id: string, body: Buffer, sizeField = body.length): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'ascii');
  head.writeUInt32LE(sizeField, 4);
  return Buffer.concat([head, body, Buffer.alloc(body.length % 2)]);
}

function fmtBody(tag: number, channels: number, rate: number, bits: number): Buffer {
  const body = Buffer.alloc(16);
  body.writeUInt16LE(tag, 0);
  body.writeUInt16LE(channels, 2);
  body.writeUInt32LE(rate, 4);
  body.writeUInt32LE((rate * channels * bits) / 8, 8);
  body.writeUInt16LE((channels * bits) / 8, 12);
  body.writeUInt16LE(bits, 14);
  return body;
}

function extensibleFmtBody(subTag: number, channels: number, rate: number, bits: number): Buffer {
  const body = Buffer.concat([fmtBody(0xfffe, channels, rate, bits), Buffer.alloc(24)]);
  body.writeUInt16LE(22, 16); // cbSize
  body.writeUInt16LE(bits, 18); // valid bits
  body.writeUInt32LE(channels === 2 ? 3 : 4, 20); // channel mask
  // KSDATAFORMAT_SUBTYPE_xxx: {0000000x-0000-0010-8000-00aa00389b71}
  Buffer.from('000000001000800000aa00389b71', 'hex').copy(body, 26);
  body.writeUInt16LE(subTag, 24);
  return body;
}

function riff(chunks: Buffer[], sizeField?: number): Buffer {
  const body = Buffer.concat([Buffer.from('WAVE'), ...chunks]);
  return Buffer.concat([chunk('RIFF', Buffer.alloc(0), sizeField ?? body.length), body]);
}

function pcm16(values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => b.writeInt16LE(v, i * 2));
  return b;
}

describe('wavHeader', () => {
  it('writes a canonical header with real sizes', () => {
    const h = wavHeader({ sampleRate: 16000, channels: 2, bitsPerSample: 16, dataBytes: 1000 });
    expect(h).toHaveLength(44);
    expect(h.toString('ascii', 0, 4)).toBe('RIFF');
    expect(h.readUInt32LE(4)).toBe(1036);
    expect(h.toString('ascii', 8, 16)).toBe('WAVEfmt ');
    expect(h.readUInt16LE(20)).toBe(1);
    expect(h.readUInt16LE(22)).toBe(2);
    expect(h.readUInt32LE(24)).toBe(16000);
    expect(h.readUInt32LE(28)).toBe(64000);
    expect(h.readUInt16LE(32)).toBe(4);
    expect(h.readUInt16LE(34)).toBe(16);
    expect(h.toString('ascii', 36, 40)).toBe('data');
    expect(h.readUInt32LE(40)).toBe(1000);
  });

  it('marks both sizes 0xFFFFFFFF when the length is unknown', () => {
    const h = wavHeader({ sampleRate: 8000, channels: 1, bitsPerSample: 16 });
    expect(h).toHaveLength(44);
    expect(h.readUInt32LE(4)).toBe(0xffffffff);
    expect(h.readUInt32LE(40)).toBe(0xffffffff);
  });

  it('declares float and G.711 data, which parseWav reads back', () => {
    const floats = Buffer.alloc(8);
    floats.writeFloatLE(0.5, 0);
    floats.writeFloatLE(-0.25, 4);
    const header = wavHeader({
      sampleRate: 24000,
      channels: 1,
      bitsPerSample: 32,
      dataBytes: 8,
      format: WavFormatTag.Float,
    });
    expect(header.readUInt16LE(20)).toBe(3);
    expect(header.readUInt32LE(28)).toBe(96000);
    const wav = parseWav(Buffer.concat([header, floats]));
    expect(wav.format).toBe(WavFormatTag.Float);
    expect(Array.from(wav.samples[0])).toEqual([0.5, -0.25]);
    const mulaw = wavHeader({
      sampleRate: 8000,
      channels: 1,
      bitsPerSample: 8,
      format: WavFormatTag.Mulaw,
    });
    expect(mulaw.readUInt16LE(20)).toBe(7);
    expect(mulaw.readUInt16LE(32)).toBe(1);
  });

  it('rejects impossible parameters', () => {
    expect(() =>
      wavHeader({
        sampleRate: 8000,
        channels: 1,
        bitsPerSample: 16,
        format: WavFormatTag.Float,
      }),
    ).toThrow(RangeError);
    expect(() => wavHeader({ sampleRate: 8000, channels: 1, bitsPerSample: 12 })).toThrow(
      RangeError,
    );
    expect(() => wavHeader({ sampleRate: 8000, channels: 0, bitsPerSample: 16 })).toThrow(
      RangeError,
    );
  });
});

describe('encodeWav / parseWav', () => {
  it('round-trips 16-bit samples exactly', () => {
    const samples = Int16Array.from([0, 1, -1, 32767, -32768, 12345, -23456]);
    const file = encodeWav(samples, 22050);
    expect(file).toHaveLength(44 + samples.length * 2);
    expect(file.readUInt32LE(4)).toBe(file.length - 8);

    const wav = parseWav(file);
    expect(wav).toMatchObject({ sampleRate: 22050, channels: 1, bitsPerSample: 16, format: 1 });
    expect(wav.dataBytes).toBe(samples.length * 2);
    expect(Array.from(wav.samples[0], (v) => Math.round(v * 32768))).toEqual(Array.from(samples));
  });

  it('reads a streamed file whose sizes are 0xFFFFFFFF, dropping a partial last frame', () => {
    const header = wavHeader({ sampleRate: 8000, channels: 1, bitsPerSample: 16 });
    const wav = parseWav(Buffer.concat([header, pcm16([100, -200, 300]), Buffer.from([7])]));
    expect(wav.dataBytes).toBe(6);
    expect(Array.from(wav.samples[0], (v) => v * 32768)).toEqual([100, -200, 300]);
  });

  it('reads a streamed file whose sizes were left at 0', () => {
    const file = riff([chunk('fmt ', fmtBody(1, 1, 8000, 16)), chunk('data', pcm16([5, 6]), 0)], 0);
    expect(parseWav(file).dataBytes).toBe(4);
  });

  it('reads a truncated file up to where it ends', () => {
    const data = chunk('data', pcm16([1, 2, 3, 4]), 1000);
    const wav = parseWav(riff([chunk('fmt ', fmtBody(1, 1, 8000, 16)), data]));
    expect(wav.samples[0]).toHaveLength(4);
  });

  it('skips LIST and odd-sized chunks and ignores chunks after the data', () => {
    const file = riff([
      chunk('LIST', Buffer.from('INFOISFT\x05\x00\x00\x00Lavf\x00', 'latin1')),
      chunk('fmt ', fmtBody(1, 1, 16000, 16)),
      chunk('junk', Buffer.from([1, 2, 3])), // odd size: followed by a pad byte
      chunk('data', pcm16([1000, -1000])),
      chunk('LIST', Buffer.alloc(10, 0x55)),
    ]);
    const wav = parseWav(file);
    expect(wav.sampleRate).toBe(16000);
    expect(wav.dataBytes).toBe(4);
    expect(Array.from(wav.samples[0], (v) => v * 32768)).toEqual([1000, -1000]);
  });

  it('decodes unsigned 8-bit PCM', () => {
    const file = riff([
      chunk('fmt ', fmtBody(1, 1, 8000, 8)),
      chunk('data', Buffer.from([0, 128, 255, 64])),
    ]);
    const wav = parseWav(file);
    expect(wav.bitsPerSample).toBe(8);
    expect(Array.from(wav.samples[0])).toEqual([-1, 0, 127 / 128, -0.5]);
  });

  it('decodes packed 24-bit PCM', () => {
    const data = Buffer.alloc(12);
    [-8388608, 0, 8388607, -4194304].forEach((v, i) => data.writeIntLE(v, i * 3, 3));
    const wav = parseWav(riff([chunk('fmt ', fmtBody(1, 1, 48000, 24)), chunk('data', data)]));
    expect(Array.from(wav.samples[0])).toEqual([-1, 0, Math.fround(8388607 / 8388608), -0.5]);
  });

  it('decodes 32-bit integer PCM', () => {
    const data = Buffer.alloc(8);
    data.writeInt32LE(-2147483648, 0);
    data.writeInt32LE(1073741824, 4);
    const wav = parseWav(riff([chunk('fmt ', fmtBody(1, 1, 44100, 32)), chunk('data', data)]));
    expect(Array.from(wav.samples[0])).toEqual([-1, 0.5]);
  });

  it('decodes 32-bit and 64-bit float', () => {
    const f32 = Buffer.alloc(12);
    [0.25, -0.75, 1].forEach((v, i) => f32.writeFloatLE(v, i * 4));
    const wav32 = parseWav(riff([chunk('fmt ', fmtBody(3, 1, 24000, 32)), chunk('data', f32)]));
    expect(wav32.format).toBe(WavFormatTag.Float);
    expect(Array.from(wav32.samples[0])).toEqual([0.25, -0.75, 1]);

    const f64 = Buffer.alloc(16);
    [0.5, -0.125].forEach((v, i) => f64.writeDoubleLE(v, i * 8));
    const wav64 = parseWav(riff([chunk('fmt ', fmtBody(3, 1, 24000, 64)), chunk('data', f64)]));
    expect(Array.from(wav64.samples[0])).toEqual([0.5, -0.125]);
  });

  it('de-interleaves stereo into one array per channel', () => {
    const data = pcm16([100, -100, 200, -200, 300, -300]);
    const wav = parseWav(riff([chunk('fmt ', fmtBody(1, 2, 44100, 16)), chunk('data', data)]));
    expect(wav.channels).toBe(2);
    expect(Array.from(wav.samples[0], (v) => v * 32768)).toEqual([100, 200, 300]);
    expect(Array.from(wav.samples[1], (v) => v * 32768)).toEqual([-100, -200, -300]);
  });

  it('resolves WAVE_FORMAT_EXTENSIBLE to its PCM or float sub-format', () => {
    const data = Buffer.alloc(12);
    [4194304, -4194304].forEach((v, i) => data.writeIntLE(v, i * 3, 3));
    [0, 8388607].forEach((v, i) => data.writeIntLE(v, 6 + i * 3, 3));
    const pcm = parseWav(
      riff([chunk('fmt ', extensibleFmtBody(1, 2, 48000, 24)), chunk('data', data)]),
    );
    expect(pcm).toMatchObject({ format: WavFormatTag.Pcm, channels: 2, bitsPerSample: 24 });
    expect(Array.from(pcm.samples[0])).toEqual([0.5, 0]);
    expect(Array.from(pcm.samples[1])).toEqual([-0.5, Math.fround(8388607 / 8388608)]);

    const floats = Buffer.alloc(4);
    floats.writeFloatLE(-0.5, 0);
    const float = parseWav(
      riff([chunk('fmt ', extensibleFmtBody(3, 1, 16000, 32)), chunk('data', floats)]),
    );
    expect(float.format).toBe(WavFormatTag.Float);
    expect(Array.from(float.samples[0])).toEqual([-0.5]);
  });

  it('decodes G.711 mu-law WAV as telephony recordings often are', () => {
    const pcm = Int16Array.from([0, 1000, -8000, 30000]);
    const data = Buffer.from(mulaw.encode(pcm));
    const wav = parseWav(riff([chunk('fmt ', fmtBody(7, 1, 8000, 8)), chunk('data', data)]));
    expect(wav.format).toBe(WavFormatTag.Mulaw);
    expect(Array.from(wav.samples[0], (v) => v * 32768)).toEqual(Array.from(mulaw.decode(data)));
  });

  it.each([
    ['an empty buffer', Buffer.alloc(0), AudioErrorCode.InvalidWav],
    [
      'an MP3 file',
      Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x00\x00\x00'),
      AudioErrorCode.InvalidWav,
    ],
    ['a WAV without fmt', riff([chunk('data', pcm16([1]))]), AudioErrorCode.InvalidWav],
    [
      'a WAV without data',
      riff([chunk('fmt ', fmtBody(1, 1, 8000, 16))]),
      AudioErrorCode.InvalidWav,
    ],
    [
      'IMA ADPCM',
      riff([chunk('fmt ', fmtBody(0x11, 1, 8000, 4)), chunk('data', Buffer.alloc(4))]),
      AudioErrorCode.UnsupportedWav,
    ],
    [
      '12-bit PCM',
      riff([chunk('fmt ', fmtBody(1, 1, 8000, 12)), chunk('data', Buffer.alloc(4))]),
      AudioErrorCode.UnsupportedWav,
    ],
    [
      'RF64',
      Buffer.concat([Buffer.from('RF64'), Buffer.alloc(4), Buffer.from('WAVE')]),
      AudioErrorCode.UnsupportedWav,
    ],
  ])('rejects %s with a coded AudioError', (_name, file, code) => {
    expect(() => parseWav(file)).toThrow(AudioError);
    expect(() => parseWav(file)).toThrow(expect.objectContaining({ code }));
  });
});
