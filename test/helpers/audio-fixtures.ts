import { randomBytes } from 'node:crypto';
import { createAudioEncoder } from '@cw/audio';

/**
 * A speech-like test signal: a harmonic series at `f0` (so pitch trackers see that F0), its
 * amplitude modulated at ~4 Hz like syllables.
 */
export function voiceLike(f0: number, seconds: number, sampleRate: number): Float32Array {
  const n = Math.round(seconds * sampleRate);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    let v = 0;
    for (let h = 1; h <= 8; h++) v += Math.sin(2 * Math.PI * f0 * h * t) / h;
    const syllable = 0.5 - 0.5 * Math.cos(2 * Math.PI * 4 * t);
    out[i] = 0.25 * v * syllable;
  }
  return out;
}

function header(
  sampleRate: number,
  channels: number,
  bits: number,
  dataBytes: number,
  format = 1,
): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(format, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE((sampleRate * channels * bits) / 8, 28);
  h.writeUInt16LE((channels * bits) / 8, 32);
  h.writeUInt16LE(bits, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/** A WAV file written by hand (not by the code under test): 8/16-bit PCM, mono or stereo. */
export function wavFile(
  signal: Float32Array,
  sampleRate: number,
  opts: { bits?: 8 | 16; channels?: 1 | 2 } = {},
): Buffer {
  const bits = opts.bits ?? 16;
  const channels = opts.channels ?? 1;
  const bytesPer = bits / 8;
  const data = Buffer.alloc(signal.length * channels * bytesPer);
  for (let i = 0; i < signal.length; i++) {
    for (let c = 0; c < channels; c++) {
      const v = Math.max(-1, Math.min(1, signal[i]));
      const at = (i * channels + c) * bytesPer;
      if (bits === 16) data.writeInt16LE(Math.round(v * 32767), at);
      else data.writeUInt8(Math.round(v * 127 + 128), at);
    }
  }
  return Buffer.concat([header(sampleRate, channels, bits, data.length), data]);
}

export async function mp3File(signal: Float32Array, sampleRate: number): Promise<Buffer> {
  const pcm = Int16Array.from(signal, (v) => Math.round(v * 32767));
  const encoder = await createAudioEncoder({
    format: 'mp3',
    inputSampleRate: sampleRate,
    outputSampleRate: sampleRate,
  });
  return Buffer.concat([encoder.encode(pcm), encoder.flush()]);
}

export const randomNoiseBytes = (n: number) => randomBytes(n);
