/** Speech-like test signals with a known F0 and syllable rate. */

export interface SyntheticVoiceOptions {
  f0: number;
  sampleRate: number;
  seconds: number;
  /** Amplitude-modulation rate, i.e. syllables per second. */
  syllablesPerSecond?: number;
  /** 1 makes the envelope fall to zero between syllables; 0.8 leaves 20% of the peak. */
  depth?: number;
  /** Peak amplitude of the harmonic series before modulation. */
  amplitude?: number;
  /** Slow F0 wander as a fraction of f0, like intonation. */
  drift?: number;
  /** Silence added before and after, in seconds. */
  pad?: number;
}

/**
 * A harmonic series (harmonics at 1/k amplitude up to 0.45·rate, like a glottal source) whose
 * F0 wanders ±2% and whose envelope rises and falls once per syllable.
 */
export function syntheticVoice(options: SyntheticVoiceOptions): Float32Array {
  const {
    f0,
    sampleRate,
    seconds,
    syllablesPerSecond = 4,
    depth = 1,
    amplitude = 0.3,
    drift = 0.02,
    pad = 0,
  } = options;
  const voiced = Math.round(seconds * sampleRate);
  const offset = Math.round(pad * sampleRate);
  const out = new Float32Array(voiced + 2 * offset);
  const harmonics = Math.min(30, Math.floor((0.45 * sampleRate) / f0));
  let phase = 0;
  for (let i = 0; i < voiced; i++) {
    const t = i / sampleRate;
    phase = (phase + (f0 * (1 + drift * Math.sin(2 * Math.PI * 0.7 * t))) / sampleRate) % 1;
    // sin(kθ) by the Chebyshev recurrence: one sin and one cos a sample instead of one per harmonic.
    const theta = 2 * Math.PI * phase;
    const twoCos = 2 * Math.cos(theta);
    let previous = 0;
    let current = Math.sin(theta);
    let v = current;
    for (let k = 2; k <= harmonics; k++) {
      const next = twoCos * current - previous;
      previous = current;
      current = next;
      v += current / k;
    }
    const envelope = 1 - depth * 0.5 * (1 + Math.cos(2 * Math.PI * syllablesPerSecond * t));
    out[offset + i] = amplitude * envelope * v;
  }
  return out;
}

/** Deterministic white noise in [-amplitude, amplitude). */
export function noise(length: number, amplitude: number, seed = 1): Float32Array {
  const next = random(seed);
  return Float32Array.from({ length }, () => amplitude * (2 * next() - 1));
}

/** mulberry32: a seeded uniform generator in [0, 1). */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function scale(samples: Float32Array, gain: number): Float32Array {
  return samples.map((v) => v * gain);
}
