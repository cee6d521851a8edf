import type { EspeakConditioning } from './voice-presets';

/**
 * F0 (Hz) that eSpeak's `en-029` voice produces at each base pitch setting, measured on a
 * 13-word sentence with YIN (median of voiced frames), for the two variants we clone onto.
 */
const F0_BY_PITCH: Record<'m3' | 'f3', Array<[pitch: number, hz: number]>> = {
  m3: [
    [0, 87],
    [20, 91],
    [40, 101],
    [60, 112],
    [80, 139],
    [99, 171],
  ],
  f3: [
    [0, 142],
    [20, 166],
    [40, 193],
    [60, 226],
    [80, 275],
    [99, 334],
  ],
};

/** Below this median F0 a reference is mapped onto the male variant, above it the female one. */
export const VARIANT_SPLIT_HZ = 150;
const DEFAULT_RATE = 148;
/** eSpeak rate 148 reads at ~165 wpm; English averages ~1.5 syllables per word. */
const WPM_PER_RATE = 165 / 148;
const SYLLABLES_PER_WORD = 1.5;

function pitchFor(table: Array<[number, number]>, hz: number): number {
  if (hz <= table[0][1]) return table[0][0];
  for (let i = 1; i < table.length; i++) {
    const [p0, f0] = table[i - 1];
    const [p1, f1] = table[i];
    if (hz <= f1) return Math.round(p0 + ((hz - f0) / (f1 - f0)) * (p1 - p0));
  }
  return table[table.length - 1][0];
}

/**
 * Approximate cloning: the closest eSpeak voice to a reference's measured median F0 and speaking
 * rate. It keeps the speaker's register and pace, not their timbre.
 */
export function approximateEspeakVoice(measured: {
  f0MedianHz: number | null;
  speakingRate: number | null;
}): EspeakConditioning {
  const hz = measured.f0MedianHz ?? 110;
  const variant = hz < VARIANT_SPLIT_HZ ? 'm3' : 'f3';
  const rate =
    measured.speakingRate === null
      ? DEFAULT_RATE
      : Math.round(
          Math.min(
            220,
            Math.max(110, (measured.speakingRate * 60) / SYLLABLES_PER_WORD / WPM_PER_RATE),
          ),
        );
  return {
    espeakVoice: 'en-029',
    variant,
    pitch: pitchFor(F0_BY_PITCH[variant], hz),
    pitchRange: 55,
    rate,
  };
}
