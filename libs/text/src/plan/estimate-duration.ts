import type { SpeechPlanItem } from './plan-speech';

/**
 * Milliseconds per character at speed 1 that no engine speaks faster than: 25 characters a
 * second, against eSpeak's ~15 (145 words a minute) and XTTS's ~14. An estimate from it is a
 * lower bound, so refusing on it never refuses text that would have fit.
 */
export const MIN_MS_PER_CHAR = 40;

/** The same clamp the synthesis service puts on speed times an SSML prosody rate. */
const MIN_RATE = 0.25;
const MAX_RATE = 4;

/**
 * The least audio a plan can make, in ms: its spoken characters at the fastest plausible pace
 * for `speed` (times each piece's prosody rate), plus its breaks. Gaps the renderer adds between
 * pieces are left out, keeping it a lower bound.
 */
export function minimumSpeechMs(plan: readonly SpeechPlanItem[], speed = 1): number {
  let ms = 0;
  for (const item of plan) {
    if (item.type === 'break') ms += item.ms;
    else if (item.type === 'speak') {
      const rate = Math.min(MAX_RATE, Math.max(MIN_RATE, speed * item.prosody.rate));
      ms += (item.text.length * MIN_MS_PER_CHAR) / rate;
    }
  }
  return ms;
}
