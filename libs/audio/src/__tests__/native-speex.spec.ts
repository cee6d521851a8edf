import { concatInt16, createResampler, resamplerBuild, rms } from '@cw/audio';
import { nativeSpeex } from '../native-speex';
import { randomChunks, sine } from './signal';

// The system's libspeexdsp (Debian's libspeexdsp1, which `.ci/run` installs) against the
// WebAssembly build of the same library: without it these are reported as skipped.
const withLibrary = nativeSpeex() ? describe : describe.skip;

/** A speech-like test signal: two tones and a little noise, chunked like eSpeak's callbacks. */
function signal(seconds: number): Int16Array {
  const a = sine(220, 22050, seconds);
  const b = sine(3100, 22050, seconds);
  let seed = 1;
  return a.map((v, i) => {
    seed = (seed * 48271) % 2147483647;
    return Math.round(v * 0.6 + b[i] * 0.3 + ((seed % 2001) - 1000));
  });
}

withLibrary('the resampler on the system libspeexdsp', () => {
  it('is the one createResampler picks', () => {
    expect(resamplerBuild()).toMatch(/^speexdsp \(native, .*libspeexdsp\.so\.1\)$/);
  });

  it.each([
    [8000, 3],
    [16000, 7],
    [24000, 7],
    [44100, 7],
  ])(
    "gives the WebAssembly build's samples, within one step, 22050 -> %i at quality %i",
    async (rate, quality) => {
      const input = signal(1.5);
      const run = async (webAssembly: boolean) => {
        const resampler = await createResampler(22050, rate, { quality, webAssembly });
        const parts = randomChunks(input, 700).map((chunk) => resampler.process(chunk));
        return concatInt16([...parts, resampler.flush()]);
      };
      const [native, wasm] = await Promise.all([run(false), run(true)]);
      expect(native).toHaveLength(Math.round(1.5 * rate));
      expect(native).toHaveLength(wasm.length);
      let worst = 0;
      for (let i = 0; i < native.length; i++)
        worst = Math.max(worst, Math.abs(native[i] - wasm[i]));
      expect(worst).toBeLessThanOrEqual(2);
      expect(rms(native)).toBeGreaterThan(0.1); // of full scale: not silence
    },
  );

  it('refuses to be used after close, like the WebAssembly build', async () => {
    const resampler = await createResampler(22050, 8000);
    resampler.close();
    expect(() => resampler.process(new Int16Array(10))).toThrow('resampler is closed');
  });
});
