import { BUILTIN_VOICE_PRESETS } from '../espeak/voice-presets';
import { festivalConditioningOf, parseFestivalConditioning } from './festival-voices';

describe('festival voice conditioning', () => {
  it('uses a voice row’s own festival entry', () => {
    const own = { voice: 'cmu_us_slt_arctic_hts', rate: 1.1 };
    expect(festivalConditioningOf({ festival: own, espeak: BUILTIN_VOICE_PRESETS.default })).toBe(
      own,
    );
  });

  it('derives gender and pace from the eSpeak entry of the built-in voices', () => {
    const of = (preset: string) =>
      festivalConditioningOf({ espeak: BUILTIN_VOICE_PRESETS[preset] });
    expect(of('naija_female')).toEqual({ gender: 'female', rate: 148 / 145 });
    expect(of('professional_female')).toEqual({ gender: 'female', rate: 143 / 145 });
    expect(of('naija_male')).toMatchObject({ gender: 'male' });
    expect(of('default')).toEqual({ gender: 'male', rate: 1 });
    expect(festivalConditioningOf({})).toEqual({});
  });

  it('parses and bounds what it reads', () => {
    expect(parseFestivalConditioning({})).toEqual({ rate: 1 });
    expect(parseFestivalConditioning({ voice: 'kal_diphone', rate: 0.8 })).toEqual({
      voice: 'kal_diphone',
      rate: 0.8,
    });
    expect(parseFestivalConditioning({ voice: 'x) (quit' })).toBeNull();
    expect(parseFestivalConditioning({ rate: 3 })).toBeNull();
    expect(parseFestivalConditioning({ gender: 'other' })).toBeNull();
    expect(parseFestivalConditioning([])).toBeNull();
  });
});
