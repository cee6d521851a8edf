import { YIN } from 'pitchfinder';
import { DBFS_FLOOR, percentile, SILENCE_DBFS, toDbfs } from './levels';

export interface PitchOptions {
  /**
   * Lowest F0 looked for. It sets the frame length, two YIN lag windows of a power of two each,
   * and YIN's cost grows with its square: at 16 kHz, 63 Hz is the lowest a 512-sample frame
   * reaches, and 62 Hz would need 1024 samples and four times the work.
   */
  minHz?: number;
  maxHz?: number;
  hopMs?: number;
  /** The hop grows beyond hopMs when a signal would have more frames than this. */
  maxFrames?: number;
  /**
   * Periodicity (1 - YIN's aperiodicity at the chosen lag) a frame needs to count as voiced, i.e.
   * YIN's absolute threshold is 0.2. Stricter (0.85) left the median F0 of eSpeak test speech
   * unchanged but lost voiced frames in short syllables, and with them syllable nuclei.
   */
  minPeriodicity?: number;
  /** Frames below this level are not analysed. */
  floorDbfs?: number;
  /** Nor are frames more than this far below the loud frames (95th percentile of frame levels). */
  relativeFloorDb?: number;
}

export interface PitchTrack {
  sampleRate: number;
  /** Samples between frame starts. */
  hop: number;
  /** Samples per frame; frame i covers [i * hop, i * hop + frameLength). */
  frameLength: number;
  /** F0 per frame in Hz; 0 where the frame is unvoiced or was not analysed. */
  f0: Float32Array;
  voicedFrames: number;
}

const DEFAULTS: Required<PitchOptions> = {
  minHz: 63,
  maxHz: 400,
  hopMs: 10,
  // A median over 3,000 frames spread over the recording is as good as one over all of them.
  maxFrames: 3000,
  minPeriodicity: 0.8,
  floorDbfs: SILENCE_DBFS,
  relativeFloorDb: 30,
};

/** Fewer voiced frames than this (50 ms at the default hop) give no median: it would be noise. */
export const MIN_VOICED_FRAMES = 5;

/**
 * Frame-by-frame F0 with pitchfinder's YIN, only on frames loud enough to be speech. At 16 kHz
 * with the defaults a frame is 512 samples (32 ms) every 10 ms, or sparser past 30 s.
 */
export function trackPitch(
  samples: Float32Array,
  sampleRate: number,
  options: PitchOptions = {},
): PitchTrack {
  const o = { ...DEFAULTS, ...options };
  if (!(o.minHz > 0 && o.maxHz > o.minHz && o.maxHz < sampleRate / 4)) {
    throw new RangeError(`invalid pitch range ${o.minHz}-${o.maxHz} Hz at ${sampleRate} Hz`);
  }
  // pitchfinder runs YIN over the largest power of two strictly below the frame's length and
  // searches lags up to half of that, so a frame of 2·lagWindow + 1 samples reaches 1 / minHz.
  const lagWindow = nextPowerOfTwo(Math.ceil(sampleRate / o.minHz) + 2);
  const frameLength = 2 * lagWindow;
  const span = samples.length - frameLength - 1;
  const hop = Math.max(1, Math.round((o.hopMs * sampleRate) / 1000), Math.ceil(span / o.maxFrames));
  const frames = span < 0 ? 0 : 1 + Math.floor(span / hop);
  const f0 = new Float32Array(frames);
  const track: PitchTrack = { sampleRate, hop, frameLength, f0, voicedFrames: 0 };
  if (frames === 0) return track;

  const levels = new Float32Array(frames);
  for (let i = 0; i < frames; i++) levels[i] = frameLevelDbfs(samples, i * hop, frameLength);
  const gate = Math.max(o.floorDbfs, percentile(levels, 0.95) - o.relativeFloorDb);

  const detect = YIN({
    sampleRate,
    threshold: 1 - o.minPeriodicity,
    probabilityThreshold: o.minPeriodicity,
  });
  for (let i = 0; i < frames; i++) {
    if (levels[i] < gate) continue;
    const start = i * hop;
    const hz = detect(samples.subarray(start, start + frameLength + 1));
    if (hz !== null && hz >= o.minHz && hz <= o.maxHz) {
      f0[i] = hz;
      track.voicedFrames++;
    }
  }
  return track;
}

/** Median F0 of the voiced frames, or null when there are too few to trust. */
export function medianF0(track: PitchTrack): number | null {
  if (track.voicedFrames < MIN_VOICED_FRAMES) return null;
  const voiced = track.f0.filter((hz) => hz > 0).sort();
  const mid = voiced.length >> 1;
  return voiced.length % 2 === 1 ? voiced[mid] : (voiced[mid - 1] + voiced[mid]) / 2;
}

/** Whether the frame nearest `seconds`, or one either side of it, is voiced. */
export function isVoicedAt(track: PitchTrack, seconds: number): boolean {
  const centre = Math.round((seconds * track.sampleRate - track.frameLength / 2) / track.hop);
  for (let i = centre - 1; i <= centre + 1; i++) {
    if (i >= 0 && i < track.f0.length && track.f0[i] > 0) return true;
  }
  return false;
}

/** Milliseconds of voiced frames. */
export function voicedMs(track: PitchTrack): number {
  return (track.voicedFrames * track.hop * 1000) / track.sampleRate;
}

function frameLevelDbfs(samples: Float32Array, start: number, length: number): number {
  let sum = 0;
  for (let i = start; i < start + length; i++) sum += samples[i] * samples[i];
  return length > 0 ? toDbfs(Math.sqrt(sum / length)) : DBFS_FLOOR;
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
