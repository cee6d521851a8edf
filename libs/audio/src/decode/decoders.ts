/**
 * Decoding proper. The MP3, FLAC and Opus decoders are ESM-only WASM packages loaded with a real
 * import(), which works in a worker thread but not inside Jest's VM sandbox: call this from the
 * audio worker (see audio-worker-pool.ts), never from the main thread.
 */
import { pathToFileURL } from 'node:url';
import { importEsm } from '@cw/util';
import { AudioError, AudioErrorCode } from '../audio.exception';
import { mixToMono } from '../pcm';
import { parseWav } from '../wav';
import type { DecodedAudio } from './decoded-audio';
import { type AudioContainer, sniffAudioType, sniffMpegChannels, sniffOggCodec } from './sniff';

interface DecodedChunk {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: Array<{ message: string }>;
}

/** The shape shared by mpg123-decoder, @wasm-audio-decoders/flac and ogg-opus-decoder. */
interface ChunkDecoder {
  readonly ready: Promise<void>;
  decode(data: Uint8Array): DecodedChunk | Promise<DecodedChunk>;
  flush?(): Promise<DecodedChunk>;
  free(): void;
}

type DecoderClass = new () => ChunkDecoder;

const DECODERS = {
  mp3: { pkg: 'mpg123-decoder', exportName: 'MPEGDecoder' },
  flac: { pkg: '@wasm-audio-decoders/flac', exportName: 'FLACDecoder' },
  opus: { pkg: 'ogg-opus-decoder', exportName: 'OggOpusDecoder' },
} as const;

const modules = new Map<string, Promise<Record<string, unknown>>>();

async function loadDecoder(codec: keyof typeof DECODERS): Promise<DecoderClass> {
  const { pkg, exportName } = DECODERS[codec];
  let loading = modules.get(pkg);
  if (!loading) {
    loading = importEsm(pathToFileURL(require.resolve(pkg)).href);
    loading.catch(() => modules.delete(pkg));
    modules.set(pkg, loading);
  }
  const decoderClass = (await loading)[exportName];
  if (typeof decoderClass !== 'function') throw new Error(`${pkg} does not export ${exportName}`);
  return decoderClass as DecoderClass;
}

// Input is fed in pieces so a too-long file is refused without decoding all of it.
const CHUNK_BYTES = 256 * 1024;
const MIN_SAMPLE_RATE = 1000;
const MAX_SAMPLE_RATE = 192_000;

/** Sniffs, decodes and mixes to mono in the calling thread. */
export async function decodeInThread(
  bytes: Uint8Array,
  maxDurationMs: number,
): Promise<DecodedAudio> {
  const format = sniffAudioType(bytes);
  switch (format) {
    case null:
      throw new AudioError(
        AudioErrorCode.InvalidAudio,
        'not a recognised audio file (expected WAV, MP3, FLAC or Ogg Opus)',
      );
    case 'wav':
      return checked(decodeWav(bytes), maxDurationMs);
    case 'mp3': {
      const decoded = await decodeChunked(format, bytes, await loadDecoder('mp3'), maxDurationMs);
      // mpg123-decoder always outputs two channels, copying a mono stream's one.
      return { ...decoded, channels: sniffMpegChannels(bytes) ?? decoded.channels };
    }
    case 'flac':
      return decodeChunked(format, bytes, await loadDecoder('flac'), maxDurationMs);
    case 'ogg': {
      const codec = sniffOggCodec(bytes);
      if (codec === 'opus' || codec === 'flac') {
        return decodeChunked(format, bytes, await loadDecoder(codec), maxDurationMs);
      }
      const what = codec === 'unknown' ? 'an unknown Ogg codec' : `Ogg ${codec}`;
      throw new AudioError(
        AudioErrorCode.UnsupportedAudio,
        `${what} is not supported (use Ogg Opus, WAV, MP3 or FLAC)`,
      );
    }
  }
}

function decodeWav(bytes: Uint8Array): DecodedAudio {
  try {
    const wav = parseWav(bytes);
    const mono = mixToMono(wav.samples);
    return {
      format: 'wav',
      sampleRate: wav.sampleRate,
      channels: wav.channels,
      durationMs: (mono.length / wav.sampleRate) * 1000,
      mono,
    };
  } catch (error) {
    if (error instanceof AudioError) {
      const code =
        error.code === AudioErrorCode.UnsupportedWav
          ? AudioErrorCode.UnsupportedAudio
          : AudioErrorCode.InvalidAudio;
      throw new AudioError(code, error.message);
    }
    throw error;
  }
}

async function decodeChunked(
  format: AudioContainer,
  bytes: Uint8Array,
  Decoder: DecoderClass,
  maxDurationMs: number,
): Promise<DecodedAudio> {
  const decoder = new Decoder();
  try {
    await decoder.ready;
    const mixer = new MonoMixer(maxDurationMs);
    for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) {
      mixer.add(await decoder.decode(bytes.subarray(offset, offset + CHUNK_BYTES)));
    }
    if (decoder.flush) mixer.add(await decoder.flush());
    const { sampleRate, channels, mono, firstError } = mixer.finish();
    if (mono.length === 0) {
      throw new AudioError(
        AudioErrorCode.InvalidAudio,
        `no audio could be decoded from this ${format.toUpperCase()} file${firstError ? `: ${firstError}` : ''}`,
      );
    }
    return checked(
      { format, sampleRate, channels, durationMs: (mono.length / sampleRate) * 1000, mono },
      maxDurationMs,
    );
  } finally {
    decoder.free();
  }
}

/** Mixes decoded chunks to mono as they arrive, so stereo never exists whole in memory. */
class MonoMixer {
  private readonly parts: Float32Array[] = [];
  private length = 0;
  private sampleRate = 0;
  private channels = 0;
  private firstError: string | undefined;

  constructor(private readonly maxDurationMs: number) {}

  add(chunk: DecodedChunk): void {
    this.firstError ??= chunk.errors[0]?.message;
    if (chunk.samplesDecoded === 0 || chunk.channelData.length === 0) return;
    if (this.sampleRate === 0) this.sampleRate = chunk.sampleRate;
    if (chunk.sampleRate !== this.sampleRate) {
      throw new AudioError(
        AudioErrorCode.UnsupportedAudio,
        `the sample rate changes from ${this.sampleRate} Hz to ${chunk.sampleRate} Hz within the file`,
      );
    }
    this.channels = Math.max(this.channels, chunk.channelData.length);
    const channels = chunk.channelData.map((c) => c.subarray(0, chunk.samplesDecoded));
    const mono = mixToMono(channels);
    // A lone channel comes back as is, and may be a view of WASM memory the next call reuses.
    this.parts.push(mono === channels[0] ? mono.slice() : mono);
    this.length += mono.length;
    if ((this.length / this.sampleRate) * 1000 > this.maxDurationMs) tooLong(this.maxDurationMs);
  }

  finish(): { sampleRate: number; channels: number; mono: Float32Array; firstError?: string } {
    const mono = new Float32Array(this.length);
    let offset = 0;
    for (const part of this.parts) {
      mono.set(part, offset);
      offset += part.length;
    }
    return {
      sampleRate: this.sampleRate,
      channels: this.channels,
      mono,
      firstError: this.firstError,
    };
  }
}

function checked(decoded: DecodedAudio, maxDurationMs: number): DecodedAudio {
  const { sampleRate, mono, durationMs } = decoded;
  if (mono.length === 0) {
    throw new AudioError(AudioErrorCode.InvalidAudio, 'the file contains no audio');
  }
  if (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    throw new AudioError(
      AudioErrorCode.UnsupportedAudio,
      `a sample rate of ${sampleRate} Hz is not supported`,
    );
  }
  if (durationMs > maxDurationMs) tooLong(maxDurationMs);
  return decoded;
}

function tooLong(maxDurationMs: number): never {
  throw new AudioError(
    AudioErrorCode.AudioTooLong,
    `audio is longer than the ${maxDurationMs / 1000} s allowed`,
  );
}
