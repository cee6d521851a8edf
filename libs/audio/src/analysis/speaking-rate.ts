import { DBFS_FLOOR, percentile, SILENCE_DBFS } from './levels';
import { isVoicedAt, type PitchTrack } from './pitch';

export interface SpeakingRateOptions {
  /** Hann window of the intensity contour; 64 ms matches Praat's intensity for a 50 Hz floor. */
  windowMs?: number;
  hopMs?: number;
  /** Peaks must be within this many dB of the loud part (99th percentile) of the contour. */
  silenceDb?: number;
  /** ... and above this absolute level. */
  floorDbfs?: number;
  /** Two peaks are separate syllables only if the contour dips this far below both. */
  minDipDb?: number;
  /** When given, only peaks where the voice is periodic count (vowels, not fricatives or clicks). */
  pitch?: PitchTrack;
}

export interface SyllableNuclei {
  /** Time of each nucleus in seconds. */
  times: number[];
  /** Start and end of the stretch above the silence threshold, in seconds (0, 0 if none). */
  speechStart: number;
  speechEnd: number;
}

const DEFAULTS: Required<Omit<SpeakingRateOptions, 'pitch'>> = {
  windowMs: 64,
  hopMs: 10,
  silenceDb: 25,
  floorDbfs: SILENCE_DBFS,
  minDipDb: 2,
};

/** Below this much speech a rate means little. */
const MIN_SPEECH_S = 0.5;

/**
 * Syllable nuclei as peaks of the intensity contour, after de Jong & Wempe (2009, "Praat script
 * to detect syllable nuclei and measure speech rate automatically"), simplified: peaks above a
 * threshold 25 dB under the contour's 99th percentile, merged unless a dip of at least 2 dB
 * separates them, and kept only where the pitch track is voiced.
 */
export function findSyllableNuclei(
  samples: Float32Array,
  sampleRate: number,
  options: SpeakingRateOptions = {},
): SyllableNuclei {
  const o = { ...DEFAULTS, ...options };
  const hop = Math.max(1, Math.round((o.hopMs * sampleRate) / 1000));
  const contour = intensityContour(samples, sampleRate, o.windowMs, hop);
  const threshold = Math.max(o.floorDbfs, percentile(contour, 0.99) - o.silenceDb);
  const timeOf = (frame: number): number => (frame * hop) / sampleRate;

  let first = -1;
  let last = -1;
  for (let i = 0; i < contour.length; i++) {
    if (contour[i] >= threshold) {
      if (first < 0) first = i;
      last = i;
    }
  }
  if (first < 0) return { times: [], speechStart: 0, speechEnd: 0 };

  // A maximum in the first or last frame is where the recording cuts a sound, not a peak of it.
  const peaks: number[] = [];
  for (let i = Math.max(1, first); i <= Math.min(last, contour.length - 2); i++) {
    const level = contour[i];
    if (level >= threshold && level > contour[i - 1] && level >= contour[i + 1]) peaks.push(i);
  }

  // Walk the peaks, holding the highest of the current group; a deep enough dip closes the group.
  const nuclei: number[] = [];
  let held = -1;
  for (const peak of peaks) {
    if (held < 0) {
      held = peak;
      continue;
    }
    let dip = contour[held];
    for (let i = held + 1; i < peak; i++) dip = Math.min(dip, contour[i]);
    if (Math.min(contour[held], contour[peak]) - dip >= o.minDipDb) {
      nuclei.push(held);
      held = peak;
    } else if (contour[peak] > contour[held]) {
      held = peak;
    }
  }
  if (held >= 0) nuclei.push(held);

  const { pitch } = o;
  const times = nuclei.map(timeOf).filter((t) => !pitch || isVoicedAt(pitch, t));
  return { times, speechStart: timeOf(first), speechEnd: timeOf(last) };
}

/**
 * Syllables per second of speech: nuclei divided by the time from the first to the last moment
 * above the silence threshold, so leading and trailing silence do not count but pauses do.
 * Null when there is under half a second of speech or no nucleus.
 */
export function measureSpeakingRate(
  samples: Float32Array,
  sampleRate: number,
  options: SpeakingRateOptions = {},
): number | null {
  const { times, speechStart, speechEnd } = findSyllableNuclei(samples, sampleRate, options);
  const span = speechEnd - speechStart;
  if (span < MIN_SPEECH_S || times.length === 0) return null;
  return times.length / span;
}

/** Hann-weighted mean power in dBFS every `hop` samples, frame i centred on sample i·hop. */
function intensityContour(
  samples: Float32Array,
  sampleRate: number,
  windowMs: number,
  hop: number,
): Float32Array {
  const half = Math.max(1, Math.round((windowMs * sampleRate) / 2000));
  const weights = new Float32Array(2 * half + 1);
  for (let k = -half; k <= half; k++)
    weights[k + half] = 0.5 + 0.5 * Math.cos((Math.PI * k) / half);
  const frames = Math.ceil(samples.length / hop);
  const contour = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    const centre = f * hop;
    let power = 0;
    let weight = 0;
    for (let k = -half; k <= half; k++) {
      const at = centre + k;
      if (at < 0 || at >= samples.length) continue;
      power += weights[k + half] * samples[at] * samples[at];
      weight += weights[k + half];
    }
    contour[f] = power > 0 ? Math.max(DBFS_FLOOR, 10 * Math.log10(power / weight)) : DBFS_FLOOR;
  }
  return contour;
}
