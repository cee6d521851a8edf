/**
 * Decoding proper. The MP3, FLAC and Opus decoders are ESM-only WASM packages loaded with a real
 * import(), which works in a worker thread but not inside Jest's VM sandbox: call this from the
 * audio worker (see audio-worker-pool.ts), never from the main thread.
 */
import { pathToFileURL } from 'node:url';
import { importEsm } from '@cw/util';
import { AudioError, AudioErrorCode, type DecodeStats } from '../audio.exception';
import { mixToMono } from '../pcm';
import { parseWav, readWavLayout } from '../wav';
import { type DecodedAudio, MAX_CHANNELS } from './decoded-audio';
import {
  type AudioContainer,
  type DeclaredStream,
  sniffAudioType,
  sniffDeclaredStream,
  sniffMpegChannels,
  sniffOggCodec,
} from './sniff';

interface DecodedChunk {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: Array<{ message: string }>;
}

/** The shape shared by mpg123-decoder, @wasm-audio-decoders/flac and ogg-opus-decoder. */
interface ChunkDecoder {
  readonly ready: Promise<void>;
  /** Raw bytes: how Ogg is fed, a page at a time. */
  decode(data: Uint8Array): DecodedChunk | Promise<DecodedChunk>;
  /** Whole frames: how MP3 and native FLAC are fed (not ogg-opus-decoder). */
  decodeFrames?(frames: Uint8Array[]): DecodedChunk | Promise<DecodedChunk>;
  flush?(): Promise<DecodedChunk>;
  free(): void;
}

type DecoderClass = new () => ChunkDecoder;

/** What codec-parser yields: a codec frame, or an Ogg page holding codec frames. */
interface ParsedUnit {
  data: Uint8Array;
  rawData?: Uint8Array;
  samples: number;
  header?: { channels: number; sampleRate: number };
  codecFrames?: ParsedUnit[];
}

interface CodecParser {
  parseChunk(chunk: Uint8Array): Iterable<ParsedUnit>;
  flush(): Iterable<ParsedUnit>;
}

type CodecParserClass = new (
  mimeType: string,
  options: { enableFrameCRC32: boolean; enableLogging: boolean },
) => CodecParser;

type Codec = 'mp3' | 'flac' | 'opus';

const DECODERS = {
  mp3: { pkg: 'mpg123-decoder', exportName: 'MPEGDecoder' },
  flac: { pkg: '@wasm-audio-decoders/flac', exportName: 'FLACDecoder' },
  opus: { pkg: 'ogg-opus-decoder', exportName: 'OggOpusDecoder' },
  parser: { pkg: 'codec-parser', exportName: 'default' },
} as const;

const modules = new Map<string, Promise<Record<string, unknown>>>();

async function loadClass<T>(name: keyof typeof DECODERS): Promise<T> {
  const { pkg, exportName } = DECODERS[name];
  let loading = modules.get(pkg);
  if (!loading) {
    loading = importEsm(pathToFileURL(require.resolve(pkg)).href);
    loading.catch(() => modules.delete(pkg));
    modules.set(pkg, loading);
  }
  const exported = (await loading)[exportName];
  if (typeof exported !== 'function') throw new Error(`${pkg} does not export ${exportName}`);
  return exported as T;
}

const MIN_SAMPLE_RATE = 1000;
const MAX_SAMPLE_RATE = 192_000;
const OPUS_RATE = 48_000;
/**
 * Samples (all channels) gathered before one decoding call: about a second of stereo, 1 MB of
 * floats. A call decodes at most this plus one frame (65,535 x 8 for FLAC) or, in Ogg, one page.
 */
const STEP_SAMPLES = 1 << 18;

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
      return checked(decodeWav(bytes, maxDurationMs), maxDurationMs);
    case 'mp3': {
      const decoded = await decodeFramed(format, 'mp3', bytes, maxDurationMs);
      // mpg123-decoder always outputs two channels, copying a mono stream's one.
      return { ...decoded, channels: sniffMpegChannels(bytes) ?? decoded.channels };
    }
    case 'flac':
      return decodeFramed(format, 'flac', bytes, maxDurationMs);
    case 'ogg': {
      const codec = sniffOggCodec(bytes);
      if (codec === 'opus' || codec === 'flac') {
        return decodeFramed(format, codec, bytes, maxDurationMs);
      }
      const what = codec === 'unknown' ? 'an unknown Ogg codec' : `Ogg ${codec}`;
      throw new AudioError(
        AudioErrorCode.UnsupportedAudio,
        `${what} is not supported (use Ogg Opus, WAV, MP3 or FLAC)`,
      );
    }
  }
}

/** The header's channels, rate and length are checked before any sample is decoded. */
function decodeWav(bytes: Uint8Array, maxDurationMs: number): DecodedAudio {
  try {
    const layout = readWavLayout(bytes);
    const nothingDecoded: DecodeStats = { framesDecoded: 0, largestStepSamples: 0 };
    checkStream(layout.channels, layout.sampleRate, nothingDecoded);
    if ((layout.frames / layout.sampleRate) * 1000 > maxDurationMs) {
      tooLong(maxDurationMs, nothingDecoded);
    }
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
    if (
      error instanceof AudioError &&
      (error.code === AudioErrorCode.InvalidWav || error.code === AudioErrorCode.UnsupportedWav)
    ) {
      const code =
        error.code === AudioErrorCode.UnsupportedWav
          ? AudioErrorCode.UnsupportedAudio
          : AudioErrorCode.InvalidAudio;
      throw new AudioError(code, error.message);
    }
    throw error;
  }
}

/**
 * Frames are read with codec-parser, and each frame's (or Ogg page's) channels and length are
 * checked from its header before it goes to the decoder, a step of about STEP_SAMPLES at a time:
 * a small file of highly compressed silence cannot decode past the limit, nor into one huge step.
 */
async function decodeFramed(
  format: AudioContainer,
  codec: Codec,
  bytes: Uint8Array,
  maxDurationMs: number,
): Promise<DecodedAudio> {
  checkDeclared(sniffDeclaredStream(bytes), maxDurationMs);
  const [Decoder, Parser] = await Promise.all([
    loadClass<DecoderClass>(codec),
    loadClass<CodecParserClass>('parser'),
  ]);
  const mime =
    format === 'ogg' ? 'application/ogg' : format === 'mp3' ? 'audio/mpeg' : 'audio/flac';
  const parser = new Parser(mime, { enableFrameCRC32: false, enableLogging: false });
  const decoder = new Decoder();
  const mixer = new MonoMixer();
  try {
    await decoder.ready;
    const step = new DecodeStep(format === 'ogg');
    let admitted = 0;
    for (const unit of parsedUnits(parser, bytes)) {
      const { samples, header } = unitSize(unit);
      // Ogg header pages carry no samples but the decoder needs them.
      if (header && samples > 0) {
        const rate = codec === 'opus' ? OPUS_RATE : header.sampleRate;
        checkStream(header.channels, rate);
        admitted += samples;
        if ((admitted / rate) * 1000 > maxDurationMs) tooLong(maxDurationMs, mixer.stats);
      }
      // mpg123-decoder always outputs two channels.
      step.add(unit, samples * (codec === 'mp3' ? 2 : (header?.channels ?? 0)));
      if (step.samples >= STEP_SAMPLES) mixer.add(await step.decodeWith(decoder));
    }
    if (step.samples > 0) mixer.add(await step.decodeWith(decoder));
    if (format === 'ogg' && decoder.flush) mixer.add(await decoder.flush());
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
  } catch (error) {
    if (error instanceof AudioError && !error.stats) {
      throw new AudioError(error.code, error.message, mixer.stats);
    }
    throw error;
  } finally {
    decoder.free();
  }
}

/** Refuses what the header declares, before a decoder exists. */
function checkDeclared(declared: DeclaredStream | null, maxDurationMs: number): void {
  if (!declared) return;
  const nothingDecoded: DecodeStats = { framesDecoded: 0, largestStepSamples: 0 };
  checkStream(declared.channels, declared.sampleRate, nothingDecoded);
  const rate = declared.sampleRate ?? OPUS_RATE;
  if (declared.frames !== undefined && (declared.frames / rate) * 1000 > maxDurationMs) {
    tooLong(maxDurationMs, nothingDecoded);
  }
}

function* parsedUnits(parser: CodecParser, bytes: Uint8Array): Generator<ParsedUnit> {
  yield* parser.parseChunk(bytes);
  yield* parser.flush();
}

/** An Ogg page's size is the sum of its codec frames'; its header, the first frame's. */
function unitSize(unit: ParsedUnit): { samples: number; header?: ParsedUnit['header'] } {
  if (!unit.codecFrames) return { samples: unit.samples, header: unit.header };
  let samples = 0;
  for (const frame of unit.codecFrames) samples += frame.samples;
  return { samples, header: unit.codecFrames[0]?.header };
}

/** Units gathered for one decoder call: whole Ogg pages as bytes, or codec frames. */
class DecodeStep {
  private units: Uint8Array[] = [];
  samples = 0;

  constructor(private readonly ogg: boolean) {}

  add(unit: ParsedUnit, samples: number): void {
    this.units.push(this.ogg ? (unit.rawData ?? unit.data) : unit.data);
    this.samples += samples;
  }

  async decodeWith(decoder: ChunkDecoder): Promise<DecodedChunk> {
    const units = this.units;
    this.units = [];
    this.samples = 0;
    if (!this.ogg && decoder.decodeFrames) return decoder.decodeFrames(units);
    return decoder.decode(units.length === 1 ? units[0] : Buffer.concat(units));
  }
}

/** Mixes decoded chunks to mono as they arrive, so stereo never exists whole in memory. */
class MonoMixer {
  private readonly parts: Float32Array[] = [];
  private length = 0;
  private sampleRate = 0;
  private channels = 0;
  private firstError: string | undefined;
  readonly stats: DecodeStats = { framesDecoded: 0, largestStepSamples: 0 };

  add(chunk: DecodedChunk): void {
    this.firstError ??= chunk.errors[0]?.message;
    this.stats.framesDecoded += chunk.samplesDecoded;
    this.stats.largestStepSamples = Math.max(
      this.stats.largestStepSamples,
      chunk.samplesDecoded * chunk.channelData.length,
    );
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
  checkStream(decoded.channels, sampleRate);
  if (durationMs > maxDurationMs) tooLong(maxDurationMs);
  return decoded;
}

/** Channels and rate as a header declares them, refused before anything is decoded. */
function checkStream(channels: number, sampleRate: number | undefined, stats?: DecodeStats): void {
  if (channels > MAX_CHANNELS) {
    throw new AudioError(
      AudioErrorCode.TooManyChannels,
      `${channels} channels is more than the ${MAX_CHANNELS} allowed`,
      stats,
    );
  }
  if (sampleRate !== undefined && (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE)) {
    throw new AudioError(
      AudioErrorCode.UnsupportedAudio,
      `a sample rate of ${sampleRate} Hz is not supported`,
      stats,
    );
  }
}

function tooLong(maxDurationMs: number, stats?: DecodeStats): never {
  throw new AudioError(
    AudioErrorCode.AudioTooLong,
    `audio is longer than the ${maxDurationMs / 1000} s allowed`,
    stats,
  );
}
