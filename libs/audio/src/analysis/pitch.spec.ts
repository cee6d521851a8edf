import { isVoicedAt, medianF0, trackPitch } from '@cw/audio';
import { noise, scale, syntheticVoice } from './__tests__/synthetic-voice';

function relativeError(measured: number | null, expected: number): number {
  expect(measured).not.toBeNull();
  return Math.abs((measured as number) / expected - 1);
}

describe('trackPitch / medianF0', () => {
  it.each([100, 220])('finds the F0 of a %i Hz voice within 2%%', (f0) => {
    const voice = syntheticVoice({ f0, sampleRate: 16000, seconds: 3 });
    const track = trackPitch(voice, 16000);
    expect(relativeError(medianF0(track), f0)).toBeLessThan(0.02);
    // The envelope falls to zero between syllables, so a good part of the frames is unvoiced.
    expect(track.voicedFrames).toBeGreaterThan(track.f0.length * 0.4);
    expect(track.voicedFrames).toBeLessThan(track.f0.length * 0.95);
  });

  it.each([
    [70, 16000],
    [380, 16000],
    [150, 8000],
    [150, 24000],
    [150, 44100],
  ])('finds %i Hz at %i Hz sampling', (f0, sampleRate) => {
    const voice = syntheticVoice({ f0, sampleRate, seconds: 1.5 });
    expect(relativeError(medianF0(trackPitch(voice, sampleRate)), f0)).toBeLessThan(0.02);
  });

  it('uses 512-sample frames every 10 ms at 16 kHz, and spreads them over long recordings', () => {
    const short = trackPitch(new Float32Array(16000), 16000);
    expect(short).toMatchObject({ frameLength: 512, hop: 160 });
    const long = trackPitch(new Float32Array(16000 * 90), 16000);
    expect(long.f0.length).toBeLessThanOrEqual(3000);
    expect(long.hop).toBe(480);
  });

  it('gives no F0 for silence, noise, or a voice under -50 dBFS', () => {
    const voice = syntheticVoice({ f0: 120, sampleRate: 16000, seconds: 2 });
    const cases = [new Float32Array(32000), noise(32000, 0.3), scale(voice, 0.001)];
    for (const signal of cases) expect(medianF0(trackPitch(signal, 16000))).toBeNull();
  });

  it('tells voiced moments from silent ones', () => {
    // Syllable peaks at 0.125 s + k/4 s; the envelope is zero at k/4 s.
    const track = trackPitch(syntheticVoice({ f0: 150, sampleRate: 16000, seconds: 2 }), 16000);
    expect(isVoicedAt(track, 0.625)).toBe(true);
    expect(isVoicedAt(track, 1.125)).toBe(true);
    expect(isVoicedAt(track, 1.0)).toBe(false);
    expect(isVoicedAt(track, 5)).toBe(false);
  });

  it('rejects a range the sample rate cannot hold', () => {
    expect(() => trackPitch(new Float32Array(100), 8000, { maxHz: 2500 })).toThrow(RangeError);
    expect(() => trackPitch(new Float32Array(100), 8000, { minHz: 0 })).toThrow(RangeError);
  });
});
