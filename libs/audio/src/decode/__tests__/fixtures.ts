/**
 * Audio files built in the test, written independently of the code under test. No FLAC or Opus
 * encoder is installed, so FLAC is written here with VERBATIM subframes (valid FLAC that libFLAC
 * decodes, CRCs and all, just uncompressed), and the Ogg Opus file carries real Opus packets that
 * hold no coded audio (TOC byte only), which decoders render as silence. It exercises the Ogg
 * and Opus path, not Opus's audio coding.
 */
import { loadLame } from '../../esm-loader';

export type WavEncoding = 'pcm8' | 'pcm16' | 'pcm24' | 'pcm32' | 'float32';

/** A WAV file from float channels in [-1, 1]; `extensible` writes WAVE_FORMAT_EXTENSIBLE. */
export function wavFile(
  channels: Float32Array[],
  sampleRate: number,
  encoding: WavEncoding,
  extensible = false,
): Buffer {
  const bits = { pcm8: 8, pcm16: 16, pcm24: 24, pcm32: 32, float32: 32 }[encoding];
  const tag = encoding === 'float32' ? 3 : 1;
  const bytes = bits / 8;
  const frames = channels[0].length;
  const data = Buffer.alloc(frames * channels.length * bytes);
  let at = 0;
  for (let i = 0; i < frames; i++) {
    for (const channel of channels) {
      const v = Math.max(-1, Math.min(1, channel[i]));
      switch (encoding) {
        case 'pcm8':
          data.writeUInt8(Math.min(255, Math.round(v * 128 + 128)), at);
          break;
        case 'pcm16':
          data.writeInt16LE(Math.min(32767, Math.round(v * 32768)), at);
          break;
        case 'pcm24':
          data.writeIntLE(Math.min(8388607, Math.round(v * 8388608)), at, 3);
          break;
        case 'pcm32':
          data.writeInt32LE(Math.min(2147483647, Math.round(v * 2147483648)), at);
          break;
        case 'float32':
          data.writeFloatLE(v, at);
          break;
      }
      at += bytes;
    }
  }
  const fmt = Buffer.alloc(extensible ? 40 : 16);
  fmt.writeUInt16LE(extensible ? 0xfffe : tag, 0);
  fmt.writeUInt16LE(channels.length, 2);
  fmt.writeUInt32LE(sampleRate, 4);
  fmt.writeUInt32LE(sampleRate * channels.length * bytes, 8);
  fmt.writeUInt16LE(channels.length * bytes, 12);
  fmt.writeUInt16LE(bits, 14);
  if (extensible) {
    fmt.writeUInt16LE(22, 16);
    fmt.writeUInt16LE(bits, 18);
    fmt.writeUInt32LE(channels.length === 2 ? 3 : 4, 20);
    fmt.writeUInt16LE(tag, 24);
    Buffer.from('000000001000800000aa00389b71', 'hex').copy(fmt, 26);
  }
  const list = riffChunk('LIST', Buffer.from('INFOISFT\x05\x00\x00\x00Test\x00', 'latin1'));
  const body = Buffer.concat([
    Buffer.from('WAVE'),
    riffChunk('fmt ', fmt),
    list,
    riffChunk('data', data),
  ]);
  return Buffer.concat([riffChunk('RIFF', Buffer.alloc(0), body.length), body]);
}

function riffChunk(id: string, body: Buffer, size = body.length): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'ascii');
  head.writeUInt32LE(size, 4);
  return Buffer.concat([head, body, Buffer.alloc(body.length % 2)]);
}

/** An MP3 made with lamejs (CBR, no Xing/LAME tag, so decoders cannot trim encoder delay). */
export async function mp3File(
  channels: Int16Array[],
  sampleRate: number,
  kbps: number,
): Promise<Buffer> {
  const { Mp3Encoder } = await loadLame();
  const encoder = new Mp3Encoder(channels.length, sampleRate, kbps);
  const parts: Buffer[] = [];
  const block = 1152 * 10;
  for (let i = 0; i < channels[0].length; i += block) {
    const [left, right] = channels.map((c) => c.subarray(i, i + block));
    parts.push(Buffer.from(encoder.encodeBuffer(left, right)));
  }
  parts.push(Buffer.from(encoder.flush()));
  return Buffer.concat(parts);
}

/** An ID3v2.3 tag with one title frame and some padding, as taggers write it. */
export function id3v2Tag(title: string): Buffer {
  const text = Buffer.concat([Buffer.from([0]), Buffer.from(title, 'latin1')]);
  const frame = Buffer.alloc(10);
  frame.write('TIT2', 0, 'ascii');
  frame.writeUInt32BE(text.length, 4);
  const body = Buffer.concat([frame, text, Buffer.alloc(64)]);
  const header = Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 0]);
  for (let i = 0, size = body.length; i < 4; i++) header[9 - i] = (size >> (7 * i)) & 0x7f;
  return Buffer.concat([header, body]);
}

const FLAC_BLOCK = 4096;
const FLAC_RATE_CODES: Record<number, number> = {
  8000: 0b0100,
  16000: 0b0101,
  22050: 0b0110,
  24000: 0b0111,
  32000: 0b1000,
  44100: 0b1001,
  48000: 0b1010,
  96000: 0b1011,
};

/** STREAMINFO as a metadata block (4-byte header + 34 bytes); MD5 left 0, meaning "not set". */
function flacStreamInfo(channels: number, sampleRate: number, frames: number, last: boolean) {
  const block = Buffer.alloc(38);
  block[0] = last ? 0x80 : 0x00;
  block.writeUIntBE(34, 1, 3);
  block.writeUInt16BE(FLAC_BLOCK, 4);
  block.writeUInt16BE(FLAC_BLOCK, 6);
  // 20 bits rate, 3 bits channels-1, 5 bits bits-1, 36 bits total samples.
  const high = sampleRate * 4096 + (channels - 1) * 512 + 15 * 16 + Math.floor(frames / 2 ** 32);
  block.writeUInt32BE(high >>> 0, 14);
  block.writeUInt32BE(frames >>> 0, 18);
  return block;
}

/** FLAC frames of 16-bit samples, one VERBATIM subframe per channel. */
function flacFrames(channels: Int16Array[], sampleRate: number): Buffer[] {
  const frames: Buffer[] = [];
  const total = channels[0].length;
  const rateCode = FLAC_RATE_CODES[sampleRate] ?? 0b1101;
  for (let number = 0, start = 0; start < total; number++, start += FLAC_BLOCK) {
    const length = Math.min(FLAC_BLOCK, total - start);
    const header = [
      0xff,
      0xf8, // sync, fixed block size
      (0b0111 << 4) | rateCode, // block size: 16 bits at the end of the header
      ((channels.length - 1) << 4) | (0b100 << 1), // independent channels, 16-bit samples
      ...utf8Number(number),
      (length - 1) >> 8,
      (length - 1) & 0xff,
      ...(rateCode === 0b1101 ? [sampleRate >> 8, sampleRate & 0xff] : []),
    ];
    header.push(crc8(header));
    const body = Buffer.alloc(channels.length * (1 + 2 * length));
    let at = 0;
    for (const channel of channels) {
      body[at++] = 0b0000_0010; // VERBATIM, no wasted bits
      for (let i = 0; i < length; i++, at += 2) body.writeInt16BE(channel[start + i], at);
    }
    const frame = Buffer.concat([Buffer.from(header), body, Buffer.alloc(2)]);
    frame.writeUInt16BE(crc16(frame.subarray(0, frame.length - 2)), frame.length - 2);
    frames.push(frame);
  }
  return frames;
}

/**
 * Silence as FLAC compresses it: one CONSTANT subframe (a 2-byte value) per channel per 4096
 * samples, so an hour of 8-channel 96 kHz audio is about 3 MB. `declaredFrames` is what
 * STREAMINFO claims (0 means "unknown", as a streaming encoder writes).
 */
export function flacSilence(
  channels: number,
  sampleRate: number,
  seconds: number,
  declaredFrames = Math.round(sampleRate * seconds),
): Buffer {
  return Buffer.concat([
    Buffer.from('fLaC'),
    flacStreamInfo(channels, sampleRate, declaredFrames, true),
    ...silentFlacFrames(channels, sampleRate, Math.round(sampleRate * seconds)),
  ]);
}

/** Ogg FLAC of silence; `declaredFrames` as for `flacSilence`. */
export function oggFlacSilence(
  channels: number,
  sampleRate: number,
  seconds: number,
  declaredFrames = Math.round(sampleRate * seconds),
): Buffer {
  const total = Math.round(sampleRate * seconds);
  return oggFlac(
    flacStreamInfo(channels, sampleRate, declaredFrames, false),
    silentFlacFrames(channels, sampleRate, total),
    total,
  );
}

function silentFlacFrames(channels: number, sampleRate: number, total: number): Buffer[] {
  const frames: Buffer[] = [];
  const rateCode = FLAC_RATE_CODES[sampleRate];
  for (let number = 0, start = 0; start < total; number++, start += FLAC_BLOCK) {
    const length = Math.min(FLAC_BLOCK, total - start);
    const header = [
      0xff,
      0xf8,
      (0b0111 << 4) | rateCode,
      ((channels - 1) << 4) | (0b100 << 1),
      ...utf8Number(number),
      (length - 1) >> 8,
      (length - 1) & 0xff,
    ];
    header.push(crc8(header));
    // CONSTANT subframe (type 0), then its one 16-bit value: 0.
    const body = Buffer.alloc(channels * 3);
    const frame = Buffer.concat([Buffer.from(header), body, Buffer.alloc(2)]);
    frame.writeUInt16BE(crc16(frame.subarray(0, frame.length - 2)), frame.length - 2);
    frames.push(frame);
  }
  return frames;
}

export function flacFile(channels: Int16Array[], sampleRate: number): Buffer {
  return Buffer.concat([
    Buffer.from('fLaC'),
    flacStreamInfo(channels.length, sampleRate, channels[0].length, true),
    ...flacFrames(channels, sampleRate),
  ]);
}

/** FLAC in Ogg (the Ogg FLAC 1.0 mapping): header packet, a comment packet, one frame a packet. */
export function oggFlacFile(channels: Int16Array[], sampleRate: number): Buffer {
  return oggFlac(
    flacStreamInfo(channels.length, sampleRate, channels[0].length, false),
    flacFrames(channels, sampleRate),
    channels[0].length,
  );
}

function oggFlac(streamInfo: Buffer, frames: Buffer[], totalFrames: number): Buffer {
  const first = Buffer.concat([
    Buffer.from([0x7f]),
    Buffer.from('FLAC'),
    Buffer.from([1, 0, 0, 1]), // version 1.0, one more header packet
    Buffer.from('fLaC'),
    streamInfo,
  ]);
  const comment = Buffer.from([0x84, 0, 0, 8, 4, 0, 0, 0, 0x74, 0x65, 0x73, 0x74, 0, 0, 0, 0]);
  const stream = new OggStream(0x464c4143);
  const pages = [stream.page([first], 0, 'first'), stream.page([comment], 0)];
  let granule = 0;
  frames.forEach((frame, i) => {
    granule = Math.min(totalFrames, granule + FLAC_BLOCK);
    pages.push(stream.page([frame], granule, i === frames.length - 1 ? 'last' : undefined));
  });
  return Buffer.concat(pages);
}

/**
 * `seconds` of Ogg Opus whose 20 ms packets hold no coded audio (decoded as silence): 2 bytes of
 * file a packet, so an hour is about 450 KB. `channels` only changes what OpusHead claims.
 */
export function oggOpusSilence(seconds: number, preSkip = 312, channels = 1): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'ascii');
  head[8] = 1; // version
  head[9] = channels;
  head.writeUInt16LE(preSkip, 10);
  head.writeUInt32LE(44100, 12); // the input rate, informational only
  const tags = Buffer.concat([
    Buffer.from('OpusTags'),
    Buffer.from([4, 0, 0, 0]),
    Buffer.from('test'),
    Buffer.alloc(4),
  ]);
  // TOC: configuration 31 (CELT, fullband, 20 ms), mono, one frame; the frame has no bytes.
  const packet = Buffer.from([31 << 3]);
  const stream = new OggStream(0x4f707573);
  const pages = [stream.page([head], 0, 'first'), stream.page([tags], 0)];
  const packets = Math.round(seconds * 50);
  for (let sent = 0; sent < packets;) {
    const count = Math.min(50, packets - sent);
    sent += count;
    const page = Array.from({ length: count }, () => packet);
    pages.push(stream.page(page, sent * 960, sent === packets ? 'last' : undefined));
  }
  return Buffer.concat(pages);
}

/**
 * Silent MPEG-1 Layer III, mono 48 kHz at 32 kbps: 96-byte frames of 1152 samples whose side
 * information says "no coded data". About 200 KB a minute.
 */
export function mp3Silence(seconds: number): Buffer {
  const frame = Buffer.alloc(96);
  frame.set([0xff, 0xfb, 0x14, 0xc0]); // MPEG-1, Layer III, no CRC, 32 kbps, 48 kHz, mono
  const frames = Math.ceil((seconds * 48000) / 1152);
  return Buffer.concat(Array.from({ length: frames }, () => frame));
}

/**
 * A WAV header and `dataBytes` of 8-bit silence (0x80); `channels` is what the header claims,
 * whatever the data holds.
 */
export function wavSilence(channels: number, sampleRate: number, dataBytes: number): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE((sampleRate * channels) >>> 0, 28);
  header.writeUInt16LE(channels, 32);
  header.writeUInt16LE(8, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return Buffer.concat([header, Buffer.alloc(dataBytes, 0x80)]);
}

/** The identification header page of an Ogg Vorbis file, enough for anything that sniffs. */
export function oggVorbisStart(): Buffer {
  const id = Buffer.alloc(30);
  id[0] = 1;
  id.write('vorbis', 1, 'ascii');
  id[11] = 2; // channels
  id.writeUInt32LE(44100, 12);
  id.writeInt32LE(128000, 20);
  id[28] = 0xb8; // block sizes 256 / 2048
  id[29] = 1; // framing bit
  return new OggStream(0x766f7262).page([id], 0, 'first');
}

class OggStream {
  private sequence = 0;

  constructor(private readonly serial: number) {}

  page(packets: Buffer[], granule: number, position?: 'first' | 'last'): Buffer {
    const lacing: number[] = [];
    for (const packet of packets) {
      let left = packet.length;
      for (; left >= 255; left -= 255) lacing.push(255);
      lacing.push(left);
    }
    const header = Buffer.alloc(27 + lacing.length);
    header.write('OggS', 0, 'ascii');
    header[5] = position === 'first' ? 0x02 : position === 'last' ? 0x04 : 0;
    header.writeBigInt64LE(BigInt(granule), 6);
    header.writeUInt32LE(this.serial, 14);
    header.writeUInt32LE(this.sequence++, 18);
    header[26] = lacing.length;
    Buffer.from(lacing).copy(header, 27);
    const page = Buffer.concat([header, ...packets]);
    page.writeUInt32LE(oggCrc(page), 22);
    return page;
  }
}

const OGG_CRC_TABLE = Uint32Array.from({ length: 256 }, (_, i) => {
  let r = i << 24;
  for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
  return r >>> 0;
});

function oggCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) crc = ((crc << 8) ^ OGG_CRC_TABLE[((crc >>> 24) ^ b) & 0xff]) >>> 0;
  return crc;
}

function crc8(bytes: number[]): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc;
}

/** FLAC's frame number coding: UTF-8's scheme, extended to 36 bits. */
function utf8Number(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes = n < 0x800 ? 2 : n < 0x10000 ? 3 : n < 0x200000 ? 4 : 5;
  const out: number[] = [];
  for (let i = 1; i < bytes; i++) {
    out.unshift(0x80 | (n & 0x3f));
    n >>= 6;
  }
  out.unshift(((0xff00 >> bytes) & 0xff) | n);
  return out;
}

/** Deterministic pseudo-random bytes. */
export function randomBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}

export function toInt16(samples: Float32Array): Int16Array {
  return Int16Array.from(samples, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32768))));
}
