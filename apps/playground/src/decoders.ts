import { alaw, mulaw } from 'alawmulaw';

export type AudioFormat = 'wav' | 'pcm' | 'mulaw' | 'alaw' | 'mp3';

/** Turns the bytes of a streamed response, in whatever pieces they arrive, into float samples. */
export interface ChunkDecoder {
  push(chunk: Uint8Array): Float32Array;
  /** Samples decoded so far. */
  readonly samples: number;
}

/** 16-bit little-endian PCM, keeping an odd byte for the next chunk. */
class Pcm16Decoder implements ChunkDecoder {
  samples = 0;
  private carry: Uint8Array = new Uint8Array(0);

  push(chunk: Uint8Array): Float32Array {
    const bytes = concat(this.carry, chunk);
    const whole = bytes.length - (bytes.length % 2);
    this.carry = bytes.slice(whole);
    const view = new DataView(bytes.buffer, bytes.byteOffset, whole);
    const out = new Float32Array(whole / 2);
    for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true) / 32768;
    this.samples += out.length;
    return out;
  }
}

/** A streamed WAV: the header (sizes 0xFFFFFFFF) up to its `data` chunk, then 16-bit PCM. */
class WavDecoder implements ChunkDecoder {
  private header: Uint8Array | null = new Uint8Array(0);
  private readonly pcm = new Pcm16Decoder();

  get samples(): number {
    return this.pcm.samples;
  }

  push(chunk: Uint8Array): Float32Array {
    if (this.header === null) return this.pcm.push(chunk);
    const bytes = concat(this.header, chunk);
    const at = findDataChunk(bytes);
    if (at < 0) {
      this.header = bytes;
      return new Float32Array(0);
    }
    this.header = null;
    return this.pcm.push(bytes.slice(at));
  }
}

class G711Decoder implements ChunkDecoder {
  samples = 0;
  constructor(private readonly decode: (bytes: Uint8Array) => Int16Array) {}

  push(chunk: Uint8Array): Float32Array {
    const pcm = this.decode(chunk);
    const out = new Float32Array(pcm.length);
    for (let i = 0; i < pcm.length; i++) out[i] = pcm[i] / 32768;
    this.samples += out.length;
    return out;
  }
}

/** A decoder for the formats Web Audio plays sample by sample (MP3 goes through MediaSource). */
export function chunkDecoder(format: Exclude<AudioFormat, 'mp3'>): ChunkDecoder {
  switch (format) {
    case 'wav':
      return new WavDecoder();
    case 'pcm':
      return new Pcm16Decoder();
    case 'mulaw':
      return new G711Decoder((b) => mulaw.decode(b));
    case 'alaw':
      return new G711Decoder((b) => alaw.decode(b));
  }
}

/** Offset of the first sample: just past the `data` chunk header; -1 while it has not arrived. */
function findDataChunk(bytes: Uint8Array): number {
  for (let i = 12; i + 8 <= bytes.length; i++) {
    if (
      bytes[i] === 0x64 &&
      bytes[i + 1] === 0x61 &&
      bytes[i + 2] === 0x74 &&
      bytes[i + 3] === 0x61
    )
      return i + 8;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** A streamed WAV says 0xFFFFFFFF for its sizes; a saved file gets the real ones. */
export function fixWavSizes<T extends Uint8Array>(file: T): T {
  const at = findDataChunk(file);
  if (at < 0) return file;
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  view.setUint32(4, file.length - 8, true);
  view.setUint32(at - 4, file.length - at, true);
  return file;
}

/** A mono 16-bit WAV file of these samples (a microphone recording, before upload). */
export function encodeWav(samples: Float32Array, sampleRate: number): Uint8Array {
  const out = new Uint8Array(44 + samples.length * 2);
  const view = new DataView(out.buffer);
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) out[at + i] = s.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + samples.length * 2, true);
  ascii(8, 'WAVEfmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i]));
    view.setInt16(44 + i * 2, Math.round(v * 32767), true);
  }
  return out;
}
