import { endianness } from 'node:os';

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

export function silence(ms: number, sampleRate: number): Int16Array {
  return new Int16Array(Math.max(0, Math.round((ms * sampleRate) / 1000)));
}

/** Scales by a linear factor, rounding and clipping to the 16-bit range. */
export function applyGain(samples: Int16Array, gain: number): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    out[i] = clampInt16(Math.round(samples[i] * gain));
  }
  return out;
}

/** Root mean square relative to full scale (0 = silence, ~0.707 = full-scale sine). */
export function rms(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / samples.length) / 32768;
}

/** Largest absolute sample relative to full scale. */
export function peak(samples: Int16Array): number {
  let max = 0;
  for (let i = 0; i < samples.length; i++) {
    const v = Math.abs(samples[i]);
    if (v > max) max = v;
  }
  return max / 32768;
}

/** Little-endian s16 bytes, copied so later changes to `samples` cannot alter them. */
export function int16ToBytes(samples: Int16Array): Buffer {
  const bytes = Buffer.from(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
  return LITTLE_ENDIAN_HOST ? bytes : bytes.swap16();
}

/**
 * Little-endian s16 bytes → little-endian IEEE float32 bytes in [-1, 1), for clients that ask for
 * `pcm_f32le`. A chunk may end in the middle of a sample: the odd byte is kept for the next call.
 */
export class S16ToF32Converter {
  private carry: number | undefined;

  convert(bytes: Buffer): Buffer {
    const input = this.carry === undefined ? bytes : Buffer.concat([Buffer.of(this.carry), bytes]);
    const samples = input.length >> 1;
    this.carry = input.length % 2 === 1 ? input[input.length - 1] : undefined;
    const out = Buffer.alloc(samples * 4);
    for (let i = 0; i < samples; i++) out.writeFloatLE(input.readInt16LE(i * 2) / 32768, i * 4);
    return out;
  }
}

export function floatToInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i];
    out[i] = clampInt16(Math.round(v < 0 ? v * 32768 : v * 32767));
  }
  return out;
}

/** Averages the channels into one. */
export function mixToMono(channelData: Float32Array[]): Float32Array {
  if (channelData.length === 1) return channelData[0];
  const length = Math.min(...channelData.map((c) => c.length));
  const out = new Float32Array(length);
  for (const channel of channelData) {
    for (let i = 0; i < length; i++) out[i] += channel[i] / channelData.length;
  }
  return out;
}

export function concatInt16(chunks: Int16Array[]): Int16Array {
  const out = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

function clampInt16(v: number): number {
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}
