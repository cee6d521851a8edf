import { analyzeVoice, DBFS_FLOOR, measureLevels } from '@cw/audio';
import { noise, scale, syntheticVoice } from './__tests__/synthetic-voice';

describe('measureLevels', () => {
  it('reads a full-scale sine as 0 dBFS peak and -3 dBFS RMS', () => {
    const sine = Float32Array.from({ length: 16000 }, (_, i) => Math.sin((2 * Math.PI * i) / 160));
    const { rmsDbfs, peakDbfs } = measureLevels(sine);
    expect(rmsDbfs).toBeCloseTo(-3.01, 2);
    expect(peakDbfs).toBeCloseTo(0, 3);
  });

  it('floors digital silence at a finite level', () => {
    expect(measureLevels(new Float32Array(100))).toEqual({
      rmsDbfs: DBFS_FLOOR,
      peakDbfs: DBFS_FLOOR,
    });
    expect(measureLevels(new Float32Array(0)).rmsDbfs).toBe(DBFS_FLOOR);
  });
});

describe('analyzeVoice', () => {
  const voice = syntheticVoice({ f0: 100, sampleRate: 16000, seconds: 3, pad: 0.3 });

  it('measures a voice', () => {
    const analysis = analyzeVoice(voice, 16000);
    expect(analysis.silent).toBe(false);
    expect(analysis.f0MedianHz).toBeCloseTo(100, -0.5);
    expect(analysis.speakingRate).toBeCloseTo(4, 0);
    expect(analysis.voicedMs).toBeGreaterThan(1500);
    expect(analysis.rmsDbfs).toBeGreaterThan(-25);
  });

  it.each([
    ['digital silence', new Float32Array(48000)],
    ['a voice at -60 dBFS', scale(voice, 0.001)],
    ['loud noise with nothing voiced', noise(48000, 0.3)],
  ])('calls %s silent', (_, signal) => {
    const analysis = analyzeVoice(signal, 16000);
    expect(analysis.silent).toBe(true);
    expect(analysis.f0MedianHz).toBeNull();
    expect(analysis.speakingRate).toBeNull();
  });
});
