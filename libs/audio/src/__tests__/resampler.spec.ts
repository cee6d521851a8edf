import { concatInt16, createResampler, rms } from '@cw/audio';
import { randomChunks, sine, toneFrequency } from './signal';

const ESPEAK_RATE = 22050;

async function resampleWhole(samples: Int16Array, from: number, to: number): Promise<Int16Array> {
  const resampler = await createResampler(from, to);
  return concatInt16([resampler.process(samples), resampler.flush()]);
}

describe('createResampler', () => {
  it.each([8000, 16000, 24000, 44100])(
    'keeps a 440 Hz tone at 440 Hz and the length ratio, 22050 -> %i',
    async (rate) => {
      const input = sine(440, ESPEAK_RATE, 1);
      const output = await resampleWhole(input, ESPEAK_RATE, rate);
      expect(output).toHaveLength(rate);
      expect(toneFrequency(output, rate)).toBeCloseTo(440, 0);
      // No level change and no delay: the output lines up with a tone generated at the new rate.
      expect(rms(output) / rms(input)).toBeCloseTo(1, 1);
      const reference = sine(440, rate, 1);
      const mid = Math.floor(rate / 2);
      expect(Math.abs(output[mid] - reference[mid])).toBeLessThan(600);
    },
  );

  it('upsamples too (8000 -> 22050) with the exact length ratio', async () => {
    const output = await resampleWhole(sine(300, 8000, 0.5), 8000, ESPEAK_RATE);
    expect(output).toHaveLength(Math.round(0.5 * ESPEAK_RATE));
    expect(toneFrequency(output, ESPEAK_RATE)).toBeCloseTo(300, 0);
  });

  it('filters out tones above the new Nyquist frequency instead of aliasing them', async () => {
    const input = sine(6000, ESPEAK_RATE, 0.5);
    const output = await resampleWhole(input, ESPEAK_RATE, 8000);
    expect(rms(output.subarray(200, -200))).toBeLessThan(rms(input) / 100);
  });

  it('gives the same result for many small chunks as for one big one', async () => {
    const input = sine(440, ESPEAK_RATE, 1.3);
    const whole = await resampleWhole(input, ESPEAK_RATE, 8000);

    const resampler = await createResampler(ESPEAK_RATE, 8000);
    const parts = randomChunks(input, 300).map((c) => resampler.process(c));
    const chunked = concatInt16([...parts, resampler.flush()]);

    expect(chunked).toHaveLength(whole.length);
    expect(chunked).toEqual(whole);
    // Output comes out as it goes, not all at flush.
    expect(parts.reduce((n, p) => n + p.length, 0)).toBeGreaterThan(whole.length - 100);
  });

  it('handles chunks larger than its internal block', async () => {
    const input = sine(440, ESPEAK_RATE, 3);
    const output = await resampleWhole(input, ESPEAK_RATE, 16000);
    expect(output).toHaveLength(48000);
    expect(toneFrequency(output, 16000)).toBeCloseTo(440, 0);
  });

  it('passes samples through untouched when the rates are equal', async () => {
    const resampler = await createResampler(ESPEAK_RATE, ESPEAK_RATE);
    const input = sine(440, ESPEAK_RATE, 0.1);
    expect(resampler.process(input)).toBe(input);
    expect(resampler.flush()).toHaveLength(0);
  });

  it('refuses to work after close(), which can be called twice', async () => {
    const resampler = await createResampler(ESPEAK_RATE, 8000);
    resampler.process(sine(440, ESPEAK_RATE, 0.1));
    resampler.close();
    resampler.close();
    expect(() => resampler.process(new Int16Array(10))).toThrow('closed');
    expect(() => resampler.flush()).toThrow('closed');
  });

  it('rejects nonsense rates', async () => {
    await expect(createResampler(0, 8000)).rejects.toThrow(RangeError);
    await expect(createResampler(22050, 8000.5)).rejects.toThrow(RangeError);
    await expect(createResampler(22050, 8000, { quality: 11 })).rejects.toThrow(RangeError);
  });
});
