import {
  AUDIO_FORMATS,
  applyGain,
  contentTypeFor,
  durationMs,
  floatToInt16,
  int16ToBytes,
  mixToMono,
  peak,
  rms,
  S16ToF32Converter,
  silence,
} from '@cw/audio';
import { sine } from './signal';

describe('contentTypeFor', () => {
  it('names every format', () => {
    expect(AUDIO_FORMATS.map((f) => contentTypeFor(f, 16000))).toEqual([
      'audio/wav',
      'audio/L16;rate=16000',
      'audio/basic',
      'audio/x-alaw-basic',
      'audio/mpeg',
    ]);
  });
});

describe('durationMs', () => {
  it('counts 16-bit samples for wav and pcm, bytes for G.711, bitrate for mp3', () => {
    expect(durationMs(32000, 'pcm', 16000)).toBe(1000);
    expect(durationMs(441, 'wav', 22050)).toBeCloseTo(10, 6);
    expect(durationMs(8000, 'mulaw', 8000)).toBe(1000);
    expect(durationMs(400, 'alaw', 8000)).toBe(50);
    expect(durationMs(4000, 'mp3', 8000)).toBe(1000); // 32 kbps
    expect(durationMs(8000, 'mp3', 44100)).toBe(1000); // 64 kbps
  });
});

describe('silence', () => {
  it('is all zeros of the right length', () => {
    const s = silence(250, 8000);
    expect(s).toHaveLength(2000);
    expect(s.every((v) => v === 0)).toBe(true);
    expect(silence(10, 22050)).toHaveLength(221);
  });
});

describe('applyGain', () => {
  it('scales, rounds and clips to the 16-bit range', () => {
    expect(Array.from(applyGain(Int16Array.from([20000, -20000, 101, -3]), 2))).toEqual([
      32767, -32768, 202, -6,
    ]);
    expect(Array.from(applyGain(Int16Array.from([101, -101]), 0.5))).toEqual([51, -50]);
  });

  it('leaves its input untouched', () => {
    const input = Int16Array.from([1, 2]);
    applyGain(input, 3);
    expect(Array.from(input)).toEqual([1, 2]);
  });
});

describe('rms and peak', () => {
  it('measure relative to full scale', () => {
    const tone = sine(440, 8000, 1, 16384);
    expect(rms(tone)).toBeCloseTo(0.5 / Math.SQRT2, 3);
    expect(peak(tone)).toBeCloseTo(0.5, 3);
    expect(rms(silence(100, 8000))).toBe(0);
    expect(peak(new Int16Array(0))).toBe(0);
    expect(peak(Int16Array.from([3, -32768]))).toBe(1);
  });
});

describe('int16ToBytes', () => {
  it('writes little-endian and copies', () => {
    const samples = Int16Array.from([1, -2, 0x1234]);
    const bytes = int16ToBytes(samples.subarray(1));
    samples[1] = 0;
    expect([...bytes]).toEqual([0xfe, 0xff, 0x34, 0x12]);
  });
});

describe('floatToInt16 and mixToMono', () => {
  it('convert parsed WAV data for the engines', () => {
    expect(Array.from(floatToInt16(Float32Array.from([-1, 0, 1, 0.5, 2, -2])))).toEqual([
      -32768, 0, 32767, 16384, 32767, -32768,
    ]);
    const mono = mixToMono([Float32Array.from([1, 0.5, 0]), Float32Array.from([0, -0.5, 0.5])]);
    expect(Array.from(mono)).toEqual([0.5, 0, 0.25]);
  });
});

describe('S16ToF32Converter', () => {
  const s16 = (...values: number[]) => int16ToBytes(Int16Array.from(values));
  const floats = (bytes: Buffer) =>
    Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));

  it('scales 16-bit samples to [-1, 1) as little-endian float32', () => {
    const out = new S16ToF32Converter().convert(s16(0, 16384, -32768, 32767));
    expect(out).toHaveLength(16);
    expect(floats(out)).toEqual([0, 0.5, -1, 32767 / 32768].map(Math.fround));
  });

  it('keeps a sample split across chunks whole', () => {
    const bytes = s16(1000, -2000, 3000);
    const converter = new S16ToF32Converter();
    const out = Buffer.concat([
      converter.convert(bytes.subarray(0, 3)),
      converter.convert(bytes.subarray(3, 5)),
      converter.convert(bytes.subarray(5)),
    ]);
    expect(floats(out)).toEqual([1000, -2000, 3000].map((v) => Math.fround(v / 32768)));
  });
});
