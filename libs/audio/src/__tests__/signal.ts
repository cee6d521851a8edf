/** Test signals and measurements shared by the audio specs. */

export function sine(
  hz: number,
  sampleRate: number,
  seconds: number,
  amplitude = 16000,
): Int16Array {
  const out = new Int16Array(Math.round(sampleRate * seconds));
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRate));
  }
  return out;
}

/** Frequency of a clean tone from its sign changes, ignoring the edges where filters ramp. */
export function toneFrequency(samples: Int16Array, sampleRate: number): number {
  const margin = Math.floor(samples.length / 20);
  let crossings = 0;
  let first = -1;
  let last = -1;
  for (let i = margin + 1; i < samples.length - margin; i++) {
    if (samples[i - 1] < 0 !== samples[i] < 0) {
      crossings++;
      if (first < 0) first = i;
      last = i;
    }
  }
  // (crossings - 1) half periods lie between the first and the last crossing.
  return ((crossings - 1) / 2) * (sampleRate / (last - first));
}

/** Splits into chunks of pseudo-random sizes 1..maxSize, the same every run. */
export function randomChunks(samples: Int16Array, maxSize: number, seed = 1): Int16Array[] {
  const chunks: Int16Array[] = [];
  let state = seed;
  for (let offset = 0; offset < samples.length;) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const size = 1 + (state % maxSize);
    chunks.push(samples.subarray(offset, offset + size));
    offset += size;
  }
  return chunks;
}

export function snrDb(reference: Int16Array, actual: Int16Array): number {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < reference.length; i++) {
    signal += reference[i] ** 2;
    noise += (reference[i] - actual[i]) ** 2;
  }
  return 10 * Math.log10(signal / noise);
}
