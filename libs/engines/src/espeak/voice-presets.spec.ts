import { BUILTIN_VOICE_PRESETS, parseEspeakConditioning } from './voice-presets';

describe('voice presets', () => {
  it('defines the five built-in voices, all well-formed', () => {
    expect(Object.keys(BUILTIN_VOICE_PRESETS).sort()).toEqual([
      'default',
      'naija_female',
      'naija_male',
      'professional_female',
      'professional_male',
    ]);
    for (const preset of Object.values(BUILTIN_VOICE_PRESETS)) {
      expect(parseEspeakConditioning({ ...preset })).toEqual(preset);
    }
  });

  it('rejects malformed conditioning', () => {
    const base = { espeakVoice: 'en', pitch: 50, pitchRange: 50, rate: 150 };
    expect(parseEspeakConditioning(base)).toEqual({ ...base, variant: undefined });
    expect(parseEspeakConditioning(null)).toBeNull();
    expect(parseEspeakConditioning({ ...base, espeakVoice: ' ' })).toBeNull();
    expect(parseEspeakConditioning({ ...base, variant: 3 })).toBeNull();
    expect(parseEspeakConditioning({ ...base, pitch: 120 })).toBeNull();
    expect(parseEspeakConditioning({ ...base, rate: 20 })).toBeNull();
  });
});
