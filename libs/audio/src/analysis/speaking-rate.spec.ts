import { findSyllableNuclei, measureSpeakingRate, trackPitch } from '@cw/audio';
import { noise, syntheticVoice } from './__tests__/synthetic-voice';

const RATE = 16000;

function rateOf(samples: Float32Array): number | null {
  return measureSpeakingRate(samples, RATE, { pitch: trackPitch(samples, RATE) });
}

function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

describe('measureSpeakingRate', () => {
  it.each([
    [100, 4, 1],
    [220, 4, 1],
    [120, 3, 0.8],
    [180, 6, 0.9],
  ])('measures a %i Hz voice at %i syllables/s (depth %d) within 5%%', (f0, rate, depth) => {
    const voice = syntheticVoice({
      f0,
      sampleRate: RATE,
      seconds: 4,
      syllablesPerSecond: rate,
      depth,
      pad: 0.5,
    });
    const measured = rateOf(voice);
    expect(measured).not.toBeNull();
    expect(Math.abs((measured as number) / rate - 1)).toBeLessThan(0.05);
  });

  it('places one nucleus at each syllable peak', () => {
    const voice = syntheticVoice({ f0: 130, sampleRate: RATE, seconds: 2 });
    const { times, speechStart, speechEnd } = findSyllableNuclei(voice, RATE, {
      pitch: trackPitch(voice, RATE),
    });
    expect(times).toHaveLength(8);
    times.forEach((t, k) => expect(Math.abs(t - (0.125 + k * 0.25))).toBeLessThanOrEqual(0.02));
    expect(speechStart).toBeLessThan(0.05);
    expect(speechEnd).toBeGreaterThan(1.95);
  });

  it('counts pauses between phrases but not silence around them', () => {
    const phrase = syntheticVoice({ f0: 110, sampleRate: RATE, seconds: 2 });
    const pause = new Float32Array(RATE);
    // 16 syllables over 2 + 1 + 2 s.
    expect(rateOf(concat(pause, phrase, pause, phrase, pause))).toBeCloseTo(16 / 5, 1);
  });

  it('does not count unvoiced bursts (fricatives) when given the pitch track', () => {
    const voice = syntheticVoice({ f0: 110, sampleRate: RATE, seconds: 3 });
    // A 60 ms hiss as loud as the vowels, centred in each gap between syllables.
    const burst = noise(RATE * 0.06, 0.3, 7).map(
      (v, i, a) => v * Math.sin((Math.PI * i) / a.length),
    );
    for (let k = 1; k < 12; k++) {
      const at = Math.round(RATE * (k * 0.25 - 0.03));
      burst.forEach((v, i) => (voice[at + i] += v));
    }
    expect(rateOf(voice)).toBeCloseTo(4, 0);
    expect(measureSpeakingRate(voice, RATE)).toBeGreaterThan(7);
  });

  it('sees one long syllable in a steady vowel', () => {
    const vowel = syntheticVoice({ f0: 200, sampleRate: RATE, seconds: 2, depth: 0 });
    expect(rateOf(vowel)).toBeCloseTo(0.5, 1);
  });

  it('gives null for silence and for less than half a second of sound', () => {
    expect(rateOf(new Float32Array(RATE * 2))).toBeNull();
    const blip = syntheticVoice({ f0: 150, sampleRate: RATE, seconds: 0.25, pad: 0.5 });
    expect(rateOf(blip)).toBeNull();
  });
});
