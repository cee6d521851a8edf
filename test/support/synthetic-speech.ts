/** Speech-like test signals and the one measurement the specs need on them (F0). */

export interface VoicedSpeechOptions {
  f0Hz: number;
  seconds: number;
  sampleRate: number;
  /** Syllable-like loudness bumps per second. */
  syllablesPerSecond?: number;
  /** Peak level relative to full scale. */
  level?: number;
  /** Varies the syllable loudness; the same seed gives the same signal. */
  seed?: number;
}

/**
 * A voiced signal: ten harmonics of a slowly falling F0 (declination, as in a spoken phrase),
 * under a sin² envelope per syllable with a short gap between syllables.
 */
export function voicedSpeech({
  f0Hz,
  seconds,
  sampleRate,
  syllablesPerSecond = 4,
  level = 0.5,
  seed = 1,
}: VoicedSpeechOptions): Int16Array {
  const out = new Int16Array(Math.max(0, Math.round(seconds * sampleRate)));
  const random = prng(seed);
  const syllable = sampleRate / syllablesPerSecond;
  const loudness = Array.from(
    { length: Math.ceil(out.length / syllable) + 1 },
    () => 0.6 + 0.4 * random(),
  );
  // Few Math calls per sample: they are slow under jest's sandbox, and a clip is seconds long.
  const { sin, cos, PI } = Math;
  const n = Math.max(1, out.length);
  let phase = 0;
  for (let i = 0; i < out.length; i++) {
    const f0 = f0Hz * (1.04 - (0.08 * i) / n);
    phase += (2 * PI * f0) / sampleRate;
    if (phase > 2 * PI) phase -= 2 * PI;
    // sin(kφ) by the Chebyshev recurrence: two trig calls per sample instead of ten.
    const twoCos = 2 * cos(phase);
    let previous = 0;
    let current = sin(phase);
    let value = current;
    for (let k = 2; k <= 10; k++) {
      const next = twoCos * current - previous;
      previous = current;
      current = next;
      value += current / k;
    }
    const s = i / syllable;
    const index = s | 0;
    const within = s - index;
    // The last 15% of each syllable is silent, like the closure before the next consonant.
    const rise = within < 0.85 ? sin((PI * within) / 0.85) : 0;
    // Int16Array stores truncate; well inside the range, that is rounding enough.
    out[i] = (value / 3) * rise * rise * loudness[index] * level * 32767;
  }
  return out;
}

/**
 * Median F0 over voiced 40 ms frames (normalized autocorrelation, 60-400 Hz, refined by
 * parabolic interpolation), or null when no frame is voiced.
 */
export function medianF0(samples: ArrayLike<number>, sampleRate: number): number | null {
  const frame = Math.round(0.04 * sampleRate);
  const hop = Math.round(0.02 * sampleRate);
  const minLag = Math.floor(sampleRate / 400);
  const maxLag = Math.ceil(sampleRate / 60);
  const energies: number[] = [];
  for (let i = 0; i + frame + maxLag + 1 < samples.length; i += hop) {
    let e = 0;
    for (let j = 0; j < frame; j++) e += samples[i + j] * samples[i + j];
    energies.push(e);
  }
  const loudest = Math.max(0, ...energies);
  if (loudest === 0) return null;
  const f0s: number[] = [];
  energies.forEach((e0, k) => {
    if (e0 < loudest * 0.1) return;
    const i = k * hop;
    const r = new Float64Array(maxLag + 2);
    for (let lag = minLag - 1; lag <= maxLag + 1; lag++) {
      let cross = 0;
      let e1 = 0;
      for (let j = 0; j < frame; j++) {
        cross += samples[i + j] * samples[i + j + lag];
        e1 += samples[i + j + lag] * samples[i + j + lag];
      }
      r[lag] = cross / Math.sqrt(e0 * e1 + 1e-9);
    }
    let peak = minLag;
    for (let lag = minLag; lag <= maxLag; lag++) if (r[lag] > r[peak]) peak = lag;
    if (r[peak] < 0.7) return;
    // Multiples of the period correlate almost as well: take the first peak that nearly matches.
    let best = peak;
    for (let lag = minLag; lag < peak; lag++) {
      if (r[lag] >= 0.9 * r[peak] && r[lag] >= r[lag - 1] && r[lag] >= r[lag + 1]) {
        best = lag;
        break;
      }
    }
    const [a, b, c] = [r[best - 1], r[best], r[best + 1]];
    const shift = a - 2 * b + c === 0 ? 0 : (0.5 * (a - c)) / (a - 2 * b + c);
    f0s.push(sampleRate / (best + shift));
  });
  if (f0s.length === 0) return null;
  f0s.sort((x, y) => x - y);
  return f0s[Math.floor(f0s.length / 2)];
}

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
