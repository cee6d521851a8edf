/** Containers we recognise from their bytes; what a file is called or claims to be plays no part. */
export type AudioContainer = 'wav' | 'mp3' | 'flac' | 'ogg';

/** The codec in an Ogg stream's first packet. */
export type OggCodec = 'opus' | 'vorbis' | 'flac' | 'speex' | 'unknown';

const ID3_HEADER_BYTES = 10;
// Encoders pad after an ID3v2 tag; we look this far past it for the first MPEG frame.
const MAX_ID3_PADDING = 4096;

/**
 * Identifies an audio file by its signature: RIFF/WAVE (or RF64), `fLaC` with a STREAMINFO block,
 * an Ogg page that begins a stream, or MPEG audio (an ID3v2 tag, or two consecutive frame headers
 * whose fields are all valid). Anything else, a text file renamed `.wav` included, is null.
 */
export function sniffAudioType(bytes: Uint8Array): AudioContainer | null {
  if (isWav(bytes)) return 'wav';
  if (isFlac(bytes, 0)) return 'flac';
  if (oggFirstPacket(bytes) !== null) return 'ogg';
  // ID3v2 is also prepended to FLAC files now and then.
  const tagEnd = id3v2End(bytes);
  if (tagEnd !== null && isFlac(bytes, tagEnd)) return 'flac';
  return mpegAudioStart(bytes) === null ? null : 'mp3';
}

/** Channels of an MPEG audio stream, from its first frame header (decoders always give two). */
export function sniffMpegChannels(bytes: Uint8Array): 1 | 2 | null {
  const start = mpegAudioStart(bytes);
  return start === null ? null : (mpegFrameAt(bytes, start)?.channels ?? null);
}

/** What a file's header declares about its stream, read before decoding anything. */
export interface DeclaredStream {
  channels: number;
  /** Absent where the header does not say (Opus always decodes at 48 kHz). */
  sampleRate?: number;
  /** Frames (samples per channel); absent where the header does not say or says "unknown". */
  frames?: number;
}

/**
 * The channel count and length a FLAC STREAMINFO (native or in Ogg) or an OpusHead declares.
 * Null for formats without such a header (MP3) and for WAV, which `readWavLayout` reads.
 */
export function sniffDeclaredStream(bytes: Uint8Array): DeclaredStream | null {
  if (isFlac(bytes, 0)) return flacStreamInfo(bytes, 0);
  const tagEnd = id3v2End(bytes);
  if (tagEnd !== null && isFlac(bytes, tagEnd)) return flacStreamInfo(bytes, tagEnd);
  const packet = oggFirstPacket(bytes);
  if (packet === null) return null;
  // Ogg FLAC: 0x7F "FLAC", version (2 bytes), header count (2 bytes), then a native FLAC header.
  if (packet[0] === 0x7f && startsWith(packet, 1, 'FLAC') && isFlac(packet, 9)) {
    return flacStreamInfo(packet, 9);
  }
  if (startsWith(packet, 0, 'OpusHead') && packet.length >= 19) return { channels: packet[9] };
  return null;
}

/** STREAMINFO after `fLaC` at `at`: 20 bits rate, 3 bits channels - 1, 5 bits depth, 36 bits length. */
function flacStreamInfo(bytes: Uint8Array, at: number): DeclaredStream | null {
  const info = at + 8;
  if (bytes.length < info + 18) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset + info + 10, 8);
  const high = view.getUint32(0);
  const sampleRate = high >>> 12;
  const channels = ((high >>> 9) & 0x07) + 1;
  const frames = (high & 0x0f) * 2 ** 32 + view.getUint32(4);
  // A length of 0 means "unknown".
  return { channels, sampleRate, ...(frames > 0 ? { frames } : {}) };
}

/** Offset of the first MPEG audio frame: at 0, or after an ID3v2 tag and its zero padding. */
function mpegAudioStart(bytes: Uint8Array): number | null {
  if (isMpegAudio(bytes, 0)) return 0;
  const tagEnd = id3v2End(bytes);
  if (tagEnd === null) return null;
  const limit = Math.min(bytes.length, tagEnd + MAX_ID3_PADDING);
  for (let at = tagEnd; at < limit; at++) {
    if (bytes[at] === 0xff && isMpegAudio(bytes, at)) return at;
    if (bytes[at] !== 0) break;
  }
  return null;
}

/** The codec of an Ogg stream, read from its first packet; null when `bytes` is not Ogg. */
export function sniffOggCodec(bytes: Uint8Array): OggCodec | null {
  const packet = oggFirstPacket(bytes);
  if (packet === null) return null;
  if (startsWith(packet, 0, 'OpusHead')) return 'opus';
  if (packet[0] === 0x01 && startsWith(packet, 1, 'vorbis')) return 'vorbis';
  if (packet[0] === 0x7f && startsWith(packet, 1, 'FLAC')) return 'flac';
  if (startsWith(packet, 0, 'Speex   ')) return 'speex';
  return 'unknown';
}

function isWav(bytes: Uint8Array): boolean {
  return (
    (startsWith(bytes, 0, 'RIFF') || startsWith(bytes, 0, 'RF64')) && startsWith(bytes, 8, 'WAVE')
  );
}

/** `fLaC` followed by the mandatory STREAMINFO metadata block (type 0, 34 bytes). */
function isFlac(bytes: Uint8Array, at: number): boolean {
  if (!startsWith(bytes, at, 'fLaC') || bytes.length < at + 8) return false;
  const length = (bytes[at + 5] << 16) | (bytes[at + 6] << 8) | bytes[at + 7];
  return (bytes[at + 4] & 0x7f) === 0 && length === 34;
}

/** The first packet of a stream-opening Ogg page (version 0, beginning-of-stream flag). */
function oggFirstPacket(bytes: Uint8Array): Uint8Array | null {
  if (!startsWith(bytes, 0, 'OggS') || bytes.length < 27) return null;
  if (bytes[4] !== 0 || (bytes[5] & 0x02) === 0) return null;
  const segments = bytes[26];
  if (bytes.length < 27 + segments) return null;
  let length = 0;
  for (let i = 0; i < segments; i++) {
    length += bytes[27 + i];
    if (bytes[27 + i] < 255) break;
  }
  const start = 27 + segments;
  return bytes.subarray(start, Math.min(bytes.length, start + length));
}

/** Offset just past an ID3v2 tag at the start of `bytes`, or null if there is no valid one. */
function id3v2End(bytes: Uint8Array): number | null {
  if (!startsWith(bytes, 0, 'ID3') || bytes.length < ID3_HEADER_BYTES) return null;
  const [major, revision, flags] = [bytes[3], bytes[4], bytes[5]];
  if (major < 2 || major > 4 || revision === 0xff) return null;
  // The size is "syncsafe": four 7-bit bytes.
  let size = 0;
  for (let i = 6; i < 10; i++) {
    if (bytes[i] & 0x80) return null;
    size = (size << 7) | bytes[i];
  }
  const footer = major === 4 && flags & 0x10 ? ID3_HEADER_BYTES : 0;
  return ID3_HEADER_BYTES + size + footer;
}

interface MpegFrame {
  version: number;
  layer: number;
  sampleRate: number;
  channels: 1 | 2;
  bytes: number;
}

// kbps by [MPEG-1 ? 0 : 1][layer - 1][bitrate index]; index 0 is "free format", which we refuse.
const BITRATES = [
  [
    [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
    [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
    [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  ],
  [
    [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  ],
];
// Hz by version bits (0 = MPEG-2.5, 2 = MPEG-2, 3 = MPEG-1) and sample-rate index.
const MPEG_SAMPLE_RATES: Record<number, number[]> = {
  0: [11025, 12000, 8000],
  2: [22050, 24000, 16000],
  3: [44100, 48000, 32000],
};

/**
 * A frame header at `at` whose every field is valid, followed by a second one with the same
 * version, layer and rate exactly where the first frame ends (unless the first ends the buffer).
 * Random bytes pass the first test about once in 7,400 tries and both about once in 10^9.
 */
function isMpegAudio(bytes: Uint8Array, at: number): boolean {
  const first = mpegFrameAt(bytes, at);
  if (!first) return false;
  const next = at + first.bytes;
  if (next === bytes.length) return true;
  const second = mpegFrameAt(bytes, next);
  return (
    second !== null &&
    second.version === first.version &&
    second.layer === first.layer &&
    second.sampleRate === first.sampleRate
  );
}

function mpegFrameAt(bytes: Uint8Array, at: number): MpegFrame | null {
  if (at + 4 > bytes.length) return null;
  const [b0, b1, b2, b3] = [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]];
  if (b0 !== 0xff || (b1 & 0xe0) !== 0xe0) return null;
  const version = (b1 >> 3) & 0x03;
  const layerBits = (b1 >> 1) & 0x03;
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 0x03;
  const emphasis = b3 & 0x03;
  if (version === 1 || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15) return null;
  if (rateIndex === 3 || emphasis === 2) return null;
  const layer = 4 - layerBits;
  const mpeg1 = version === 3;
  const kbps = BITRATES[mpeg1 ? 0 : 1][layer - 1][bitrateIndex];
  const sampleRate = MPEG_SAMPLE_RATES[version][rateIndex];
  const padding = (b2 >> 1) & 0x01;
  let frameBytes: number;
  if (layer === 1) {
    frameBytes = (Math.floor((12 * kbps * 1000) / sampleRate) + padding) * 4;
  } else {
    // MPEG-2/2.5 layer III frames hold 576 samples rather than 1152.
    const coefficient = layer === 3 && !mpeg1 ? 72 : 144;
    frameBytes = Math.floor((coefficient * kbps * 1000) / sampleRate) + padding;
  }
  // Channel mode 3 is single channel; stereo, joint stereo and dual channel carry two.
  const channels = b3 >> 6 === 3 ? 1 : 2;
  return { version, layer, sampleRate, channels, bytes: frameBytes };
}

function startsWith(bytes: Uint8Array, at: number, ascii: string): boolean {
  if (bytes.length < at + ascii.length) return false;
  for (let i = 0; i < ascii.length; i++) {
    if (bytes[at + i] !== ascii.charCodeAt(i)) return false;
  }
  return true;
}
