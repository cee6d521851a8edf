import { approximateEspeakVoice } from './espeak-cloning';

describe('approximateEspeakVoice', () => {
  it.each([
    [87, 'm3', 0],
    [100, 'm3', 38],
    [112, 'm3', 60],
    [149, 'm3', 86],
    [150, 'f3', 7],
    [193, 'f3', 40],
    [220, 'f3', 56],
    [400, 'f3', 99],
  ])('%d Hz → variant %s, pitch %d', (hz, variant, pitch) => {
    const c = approximateEspeakVoice({ f0MedianHz: hz, speakingRate: null });
    expect(c).toMatchObject({ espeakVoice: 'en-029', variant, pitch, rate: 148 });
  });

  it('maps a lower reference F0 to a setting that produces a lower F0', () => {
    const low = approximateEspeakVoice({ f0MedianHz: 100, speakingRate: 4 });
    const high = approximateEspeakVoice({ f0MedianHz: 220, speakingRate: 4 });
    expect(low.variant).toBe('m3');
    expect(high.variant).toBe('f3');
  });

  it.each([
    [3, 110],
    [4, 144],
    [5, 179],
    [9, 220],
    [1, 110],
  ])('%d syllables/s → rate %d', (sps, rate) => {
    expect(approximateEspeakVoice({ f0MedianHz: 120, speakingRate: sps }).rate).toBe(rate);
  });
});
