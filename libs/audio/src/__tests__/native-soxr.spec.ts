import { concatInt16, createResampler, resamplerBuild, rms } from '@cw/audio';
import { nativeSoxr } from '../native-soxr';
import { randomChunks, sine } from './signal';

// The system's libsoxr (Debian's libsoxr0, which `.ci/run` installs) for whole pieces, checked on
// its own and against SpeexDSP's WebAssembly build: without it these are reported as skipped.
const withLibrary = nativeSoxr() ? describe : describe.skip;

/** Two tones inside every output rate's passband, chunked like eSpeak's callbacks. */
function tones(seconds: number): Int16Array {
  const a = sine(220, 22050, seconds);
  const b = sine(3100, 22050, seconds);
  return a.map((v, i) => Math.round(v * 0.6 + b[i] * 0.3));
}

async function resample(
  input: Int16Array,
  rate: number,
  options: { webAssembly?: boolean; chunk?: number } = {},
): Promise<{ output: Int16Array; beforeFlush: number }> {
  const resampler = await createResampler(22050, rate, {
    quality: 7,
    bulk: true,
    webAssembly: options.webAssembly,
  });
  const parts = randomChunks(input, options.chunk ?? 700).map((c) => resampler.process(c));
  const beforeFlush = parts.reduce((n, p) => n + p.length, 0);
  return { output: concatInt16([...parts, resampler.flush()]), beforeFlush };
}

withLibrary('the resampler on the system libsoxr', () => {
  it('is the one createResampler picks for whole pieces, SpeexDSP the one for live streams', () => {
    expect(resamplerBuild({ bulk: true })).toMatch(/^soxr \(native, .*libsoxr\.so\.0\)$/);
    expect(resamplerBuild()).toMatch(/^speexdsp /);
  });

  it.each([8000, 16000, 24000, 44100])(
    'matches the SpeexDSP build inside the passband, 22050 -> %i, and the exact length',
    async (rate) => {
      const input = tones(1.5);
      const [soxr, speex] = await Promise.all([
        resample(input, rate),
        resample(input, rate, { webAssembly: true }),
      ]);
      expect(soxr.output).toHaveLength(Math.round(1.5 * rate));
      expect(soxr.output).toHaveLength(speex.output.length);
      // Same timing and level: the two filters differ by far less than a percent of the signal.
      let worst = 0;
      for (let i = 200; i < soxr.output.length - 200; i++)
        worst = Math.max(worst, Math.abs(soxr.output[i] - speex.output[i]));
      expect(worst).toBeLessThan(rms(input) * 32767 * 0.02);
      expect(rms(soxr.output)).toBeGreaterThan(0.1); // of full scale: not silence
    },
  );

  it('gives the same samples however the input is chunked (no dither)', async () => {
    const input = tones(1.3);
    const a = await resample(input, 8000, { chunk: 300 });
    const b = await resample(input, 8000, { chunk: 5000 });
    expect(a.output).toEqual(b.output);
  });

  it('lets audio out as it goes, holding back less than 100 ms until flush', async () => {
    const { output, beforeFlush } = await resample(tones(1.3), 8000, { chunk: 300 });
    expect(beforeFlush).toBeGreaterThan(output.length - 800);
  });

  it('keeps the top of the telephone band (3.4 kHz) at its level at 8 kHz', async () => {
    const input = sine(3400, 22050, 0.5);
    const { output } = await resample(input, 8000);
    const db = 20 * Math.log10(rms(output.subarray(200, -200)) / rms(input));
    expect(Math.abs(db)).toBeLessThan(0.5);
  });

  it('removes a tone above the new Nyquist frequency by more than 80 dB', async () => {
    const input = sine(6000, 22050, 0.5);
    const { output } = await resample(input, 8000);
    expect(rms(output.subarray(200, -200))).toBeLessThan(rms(input) / 10_000);
  });

  it('refuses to be used after close, like the WebAssembly build', async () => {
    const resampler = await createResampler(22050, 8000, { bulk: true });
    resampler.close();
    expect(() => resampler.process(new Int16Array(10))).toThrow('resampler is closed');
  });
});
