import { alaw, mulaw } from 'alawmulaw';
import { AudioError, AudioErrorCode } from './audio.exception';
import { int16ToBytes } from './pcm';

/** Size field value of a header written before the length was known (a live stream). */
export const WAV_UNKNOWN_SIZE = 0xffffffff;
export const WAV_HEADER_BYTES = 44;

export enum WavFormatTag {
  Pcm = 1,
  Float = 3,
  Alaw = 6,
  Mulaw = 7,
}
const EXTENSIBLE_TAG = 0xfffe;
const SUPPORTED_BITS: Record<WavFormatTag, number[]> = {
  [WavFormatTag.Pcm]: [8, 16, 24, 32],
  [WavFormatTag.Float]: [32, 64],
  [WavFormatTag.Alaw]: [8],
  [WavFormatTag.Mulaw]: [8],
};

export interface WavHeaderOptions {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Length of the sample data; leave out for a streaming header with 0xFFFFFFFF sizes. */
  dataBytes?: number;
  /** The sample encoding; PCM unless G.711 (8-bit mu-law or A-law) is carried. */
  format?: WavFormatTag;
}

export interface ParsedWav {
  sampleRate: number;
  channels: number;
  /** Container bits per sample (24 for packed 24-bit). */
  bitsPerSample: number;
  /** Format tag, with WAVE_FORMAT_EXTENSIBLE resolved to its sub-format. */
  format: WavFormatTag;
  /** One array per channel, scaled to [-1, 1). */
  samples: Float32Array[];
  /** Bytes of sample data decoded (whole frames only). */
  dataBytes: number;
}

/** A canonical 44-byte header (PCM, or IEEE float or G.711 with `format`). */
export function wavHeader({
  sampleRate,
  channels,
  bitsPerSample,
  dataBytes,
  format = WavFormatTag.Pcm,
}: WavHeaderOptions): Buffer {
  if (![8, 16, 24, 32].includes(bitsPerSample)) {
    throw new RangeError(`bitsPerSample must be 8, 16, 24 or 32, got ${bitsPerSample}`);
  }
  if (!SUPPORTED_BITS[format].includes(bitsPerSample)) {
    throw new RangeError(`format ${format} cannot have ${bitsPerSample} bits per sample`);
  }
  if (
    !Number.isInteger(channels) ||
    channels < 1 ||
    !Number.isInteger(sampleRate) ||
    sampleRate < 1
  ) {
    throw new RangeError(`invalid WAV header: ${channels} channel(s) at ${sampleRate} Hz`);
  }
  if (dataBytes !== undefined && (dataBytes < 0 || dataBytes > WAV_UNKNOWN_SIZE - 36)) {
    throw new RangeError(`dataBytes out of range: ${dataBytes}`);
  }
  const blockAlign = channels * (bitsPerSample / 8);
  const header = Buffer.alloc(WAV_HEADER_BYTES);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(dataBytes === undefined ? WAV_UNKNOWN_SIZE : 36 + dataBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(format, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(bitsPerSample, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes ?? WAV_UNKNOWN_SIZE, 40);
  return header;
}

/** A complete mono 16-bit WAV file. */
export function encodeWav(samples: Int16Array, sampleRate: number): Buffer {
  const header = wavHeader({
    sampleRate,
    channels: 1,
    bitsPerSample: 16,
    dataBytes: samples.byteLength,
  });
  return Buffer.concat([header, int16ToBytes(samples)]);
}

interface FmtChunk {
  format: WavFormatTag;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
}

/** What a WAV file's header declares, read without touching the samples. */
export interface WavLayout {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  format: WavFormatTag;
  /** Where the sample data starts. */
  dataOffset: number;
  /** Whole frames of sample data present in the buffer. */
  frames: number;
}

/**
 * Reads a WAV file's header: format, and how many frames the data chunk holds. Sizes that are
 * 0xFFFFFFFF, larger than the file, or never filled in (streamed or truncated files) mean "the
 * data runs to the end of the buffer".
 */
export function readWavLayout(input: Uint8Array): WavLayout {
  const buf = asBuffer(input);
  if (buf.length < 12) invalid('file is too short to be a WAV');
  const riff = buf.toString('ascii', 0, 4);
  if (riff === 'RF64') unsupported('RF64 (64-bit WAV) is not supported');
  if (riff !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') invalid('not a RIFF/WAVE file');
  const riffSizeUnset = [0, WAV_UNKNOWN_SIZE].includes(buf.readUInt32LE(4));

  let fmt: FmtChunk | undefined;
  let data: { offset: number; size: number } | undefined;
  let offset = 12;
  while (offset + 8 <= buf.length && !(fmt && data)) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    const available = buf.length - body;
    if (id === 'fmt ') {
      fmt = parseFmt(buf, body, Math.min(size, available));
    } else if (id === 'data') {
      const runsToEnd =
        size === WAV_UNKNOWN_SIZE || size > available || (size === 0 && riffSizeUnset);
      data = { offset: body, size: runsToEnd ? available : size };
      if (runsToEnd) break;
    }
    // Chunks are word-aligned: an odd-sized chunk is followed by a pad byte.
    offset = body + size + (size & 1);
  }
  if (!fmt) invalid('missing fmt chunk');
  if (!data) invalid('missing data chunk');
  const frameBytes = fmt.channels * (fmt.bitsPerSample / 8);
  return { ...fmt, dataOffset: data.offset, frames: Math.floor(data.size / frameBytes) };
}

/** Decodes a WAV file of any common flavour (see `readWavLayout` for how sizes are read). */
export function parseWav(input: Uint8Array): ParsedWav {
  const buf = asBuffer(input);
  const { dataOffset, frames, ...fmt } = readWavLayout(buf);
  const frameBytes = fmt.channels * (fmt.bitsPerSample / 8);
  const read = sampleReader(buf, fmt);
  const samples = Array.from({ length: fmt.channels }, () => new Float32Array(frames));
  for (let frame = 0; frame < frames; frame++) {
    const base = dataOffset + frame * frameBytes;
    for (let ch = 0; ch < fmt.channels; ch++) {
      samples[ch][frame] = read(base + (ch * fmt.bitsPerSample) / 8);
    }
  }
  return { ...fmt, samples, dataBytes: frames * frameBytes };
}

function asBuffer(input: Uint8Array): Buffer {
  return Buffer.isBuffer(input)
    ? input
    : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
}

function parseFmt(buf: Buffer, body: number, size: number): FmtChunk {
  if (size < 16) invalid('fmt chunk is too short');
  let tag = buf.readUInt16LE(body);
  const channels = buf.readUInt16LE(body + 2);
  const sampleRate = buf.readUInt32LE(body + 4);
  const bitsPerSample = buf.readUInt16LE(body + 14);
  if (tag === EXTENSIBLE_TAG) {
    if (size < 40) invalid('WAVE_FORMAT_EXTENSIBLE fmt chunk is too short');
    // The sub-format GUID starts with the plain format tag.
    tag = buf.readUInt16LE(body + 24);
  }
  if (channels < 1) invalid('WAV has no channels');
  if (sampleRate < 1) invalid('WAV sample rate is 0');
  const format = tag as WavFormatTag;
  if (!(SUPPORTED_BITS[format] as number[] | undefined)?.includes(bitsPerSample)) {
    unsupported(`WAV format ${tag} with ${bitsPerSample}-bit samples is not supported`);
  }
  return { format, channels, sampleRate, bitsPerSample };
}

function sampleReader(buf: Buffer, fmt: FmtChunk): (at: number) => number {
  switch (fmt.format) {
    case WavFormatTag.Float:
      return fmt.bitsPerSample === 32 ? (at) => buf.readFloatLE(at) : (at) => buf.readDoubleLE(at);
    case WavFormatTag.Alaw:
      return (at) => alaw.decodeSample(buf[at]) / 32768;
    case WavFormatTag.Mulaw:
      return (at) => mulaw.decodeSample(buf[at]) / 32768;
    case WavFormatTag.Pcm:
      switch (fmt.bitsPerSample) {
        case 8:
          return (at) => (buf[at] - 128) / 128; // 8-bit WAV is unsigned
        case 16:
          return (at) => buf.readInt16LE(at) / 32768;
        case 24:
          return (at) => buf.readIntLE(at, 3) / 8388608;
        default:
          return (at) => buf.readInt32LE(at) / 2147483648;
      }
  }
}

function invalid(message: string): never {
  throw new AudioError(AudioErrorCode.InvalidWav, message);
}

function unsupported(message: string): never {
  throw new AudioError(AudioErrorCode.UnsupportedWav, message);
}
