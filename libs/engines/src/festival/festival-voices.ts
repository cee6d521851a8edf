import { clamp } from '@cw/util';
import type { VoiceConditioning } from '../engine.interface';
import { engineConditioning } from '../voice-conditioning';
import { parseEspeakConditioning } from '../espeak/voice-presets';
import { FESTIVAL_VOICE_NAME } from './festival.protocol';

/**
 * How a voice row describes a Festival voice (its `conditioning.festival`):
 * - `voice`: an installed Festival voice (`cmu_us_slt_arctic_hts`); unset: the engine's default
 *   voice, or an installed voice of `gender` when the default is not of that gender;
 * - `gender`: `female` or `male`, used only when `voice` is unset;
 * - `rate`: speaking-rate multiplier 0.5-2 (1 = the voice's own pace).
 */
export interface FestivalConditioning {
  voice?: string;
  gender?: 'female' | 'male';
  rate: number;
}

export const FESTIVAL_RATE_MIN = 0.5;
export const FESTIVAL_RATE_MAX = 2;
/** The eSpeak rate (words per minute) of the default preset, which Festival's own pace matches. */
const ESPEAK_NOMINAL_RATE = 145;

export function parseFestivalConditioning(value: unknown): FestivalConditioning | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const c = value as Record<string, unknown>;
  if (c.voice !== undefined && (typeof c.voice !== 'string' || !FESTIVAL_VOICE_NAME.test(c.voice)))
    return null;
  if (c.gender !== undefined && c.gender !== 'female' && c.gender !== 'male') return null;
  const rate = c.rate ?? 1;
  if (
    typeof rate !== 'number' ||
    !Number.isFinite(rate) ||
    rate < FESTIVAL_RATE_MIN ||
    rate > FESTIVAL_RATE_MAX
  )
    return null;
  return { voice: c.voice, gender: c.gender, rate };
}

/**
 * A voice's Festival conditioning: its own `festival` entry, or one derived from its eSpeak
 * entry (every built-in and cloned voice has one): eSpeak's female variants (`f1`..`f5`) ask for
 * a female voice, the rest for a male one, and the eSpeak rate becomes a rate multiplier.
 */
export function festivalConditioningOf(
  voiceConditioning: Record<string, unknown>,
): VoiceConditioning {
  const own = engineConditioning(voiceConditioning, 'festival');
  if (own) return own;
  const espeak = parseEspeakConditioning(engineConditioning(voiceConditioning, 'espeak'));
  if (!espeak) return {};
  const female = espeak.variant !== undefined && /^f\d*$/.test(espeak.variant);
  return {
    gender: female ? 'female' : 'male',
    rate: clamp(espeak.rate / ESPEAK_NOMINAL_RATE, FESTIVAL_RATE_MIN, FESTIVAL_RATE_MAX),
  };
}
