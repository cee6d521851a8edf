/** Level reported for digital silence, so that every level is a finite, JSON-safe number. */
export const DBFS_FLOOR = -120;

/** Below this overall RMS a recording counts as silent. */
export const SILENCE_DBFS = -50;

export interface Levels {
  /** RMS relative to full scale (a full-scale sine measures about -3 dBFS). */
  rmsDbfs: number;
  /** Largest absolute sample; above 0 for float input that clips. */
  peakDbfs: number;
}

/** RMS and peak level of float samples in [-1, 1]. */
export function measureLevels(samples: Float32Array): Levels {
  let sum = 0;
  let max = 0;
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i];
    sum += v * v;
    const a = Math.abs(v);
    if (a > max) max = a;
  }
  const rms = samples.length === 0 ? 0 : Math.sqrt(sum / samples.length);
  return { rmsDbfs: toDbfs(rms), peakDbfs: toDbfs(max) };
}

/** 20·log10 of an amplitude, never below DBFS_FLOOR. */
export function toDbfs(amplitude: number): number {
  return amplitude > 0 ? Math.max(DBFS_FLOOR, 20 * Math.log10(amplitude)) : DBFS_FLOOR;
}

/** The value below which `fraction` of the values lie (nearest rank). */
export function percentile(values: Float32Array, fraction: number): number {
  if (values.length === 0) return DBFS_FLOOR;
  const sorted = Float32Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank];
}
