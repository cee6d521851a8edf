import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { int16ToBytes, mixToMono, parseWav, wavHeader } from '@cw/audio';
import { medianF0, prng, voicedSpeech } from './synthetic-speech';

/**
 * A stand-in for coqui-ai/xtts-streaming-server (`server/main.py`): the same routes, field names,
 * shapes, validation answers and streaming behaviour, with a signal generator in place of the
 * model. `/clone_speaker` measures the reference's F0 and writes it into the speaker embedding;
 * `/tts_stream` speaks a voiced, syllable-modulated signal at that F0, as long as the text
 * deserves, in model-sized chunks that are each written in two odd-sized pieces.
 */

export const FAKE_XTTS_LANGUAGES = [
  'en',
  'es',
  'fr',
  'de',
  'it',
  'pt',
  'pl',
  'tr',
  'ru',
  'nl',
  'cs',
  'ar',
  'zh-cn',
  'hu',
  'ko',
  'ja',
  'hi',
];
export const FAKE_XTTS_SAMPLE_RATE = 24_000;
/** The real shapes: (1, 512, 1) and (1, 32, 1024), squeezed. */
export const SPEAKER_EMBEDDING_SIZE = 512;
export const LATENT_ROWS = 32;
export const LATENT_WIDTH = 1024;
/** Audio samples per GPT token (XTTS decodes 1024 samples per audio code). */
const SAMPLES_PER_TOKEN = 1024;
const SECONDS_PER_CHARACTER = 0.065;
const DEFAULT_F0_HZ = 140;

/** The F0 (Hz) the stand-in encoded into a speaker embedding, or null if there is none. */
export function embeddingF0(embedding: number[]): number | null {
  const f0 = Math.round(embedding[0] * 1000 * 10) / 10;
  return f0 >= 60 && f0 <= 400 ? f0 : null;
}

export interface FakeXttsStream {
  text: string;
  language: string;
  f0Hz: number;
  streamChunkSize: number;
  /** All the audio this request was going to get. */
  pcm: Int16Array;
  /** Sizes of the body writes, in order (odd sizes included on purpose). */
  writes: number[];
  bytesSent: number;
  chunksSent: number;
  /** `cancelled`: the client went away; `failed`: the stand-in broke the stream on purpose. */
  outcome: 'streaming' | 'complete' | 'cancelled' | 'failed';
  /** Resolves once the outcome is final. */
  settled: Promise<FakeXttsStream['outcome']>;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  /** Parsed JSON body, when there was one. */
  json?: unknown;
}

interface FieldError {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
}

export class FakeXttsServer {
  readonly requests: ReceivedRequest[] = [];
  readonly streams: FakeXttsStream[] = [];
  /** The `wav_file` of each `/clone_speaker` request, in order. */
  readonly cloneUploads: Buffer[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly events = new EventEmitter();
  /** Responses the stand-in broke on purpose: their closing is not the client leaving. */
  private readonly brokenOnPurpose = new WeakSet<ServerResponse>();
  private cancelled = 0;
  private delayMs = 0;
  private firstAudioDelayMs = 0;
  private chunkIntervalMs = 8;
  private failAfterChunks: number | null = null;
  private forcedStatus: number | null = null;
  private stallAfter: number | null = null;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** Listens on 127.0.0.1 on a free port. */
  static async start(): Promise<FakeXttsServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const fake = new FakeXttsServer(server, `http://127.0.0.1:${port}`);
    server.on('connection', (socket) => {
      fake.sockets.add(socket);
      socket.once('close', () => fake.sockets.delete(socket));
    });
    server.on('request', (req, res) => void fake.handle(req, res));
    return fake;
  }

  get requestCount(): number {
    return this.requests.length;
  }

  /** `/tts_stream` requests the client gave up on before the response was complete. */
  get cancelledStreams(): number {
    return this.cancelled;
  }

  /** Resolves once `count` streams have been cancelled by their client (see above). */
  waitForCancelledStreams(count: number): Promise<void> {
    if (this.cancelled >= count) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (this.cancelled < count) return;
        this.events.off('cancelled', check);
        resolve();
      };
      this.events.on('cancelled', check);
    });
  }

  /** Breaks the connection after `n` model chunks of each following stream; null to stop. */
  failMidStreamAfterChunks(n: number | null): void {
    this.failAfterChunks = n;
  }

  /** Goes silent after `n` model chunks, connection left open (a wedged GPU); null to stop. */
  stallAfterChunks(n: number | null): void {
    this.stallAfter = n;
  }

  /** Holds back every response, headers included, for `ms` (a hung or overloaded server). */
  setDelayMs(ms: number): void {
    this.delayMs = ms;
  }

  /**
   * Sends `/tts_stream` headers at once but the first audio only after `ms`: what the real server
   * does, as Starlette starts the response before the model has produced anything.
   */
  setFirstAudioDelayMs(ms: number): void {
    this.firstAudioDelayMs = ms;
  }

  /**
   * Answers every request with this status and uvicorn's plain-text error body (what a crashed
   * app or a proxy in front of a dead one sends); null for normal service.
   */
  respondWithStatus(status: number | null): void {
    this.forcedStatus = status;
  }

  setChunkIntervalMs(ms: number): void {
    this.chunkIntervalMs = ms;
  }

  /** Counters and switches back to their start. */
  reset(): void {
    this.requests.length = 0;
    this.streams.length = 0;
    this.cloneUploads.length = 0;
    this.cancelled = 0;
    this.delayMs = 0;
    this.firstAudioDelayMs = 0;
    this.chunkIntervalMs = 8;
    this.failAfterChunks = null;
    this.forcedStatus = null;
    this.stallAfter = null;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const received: ReceivedRequest = { method: req.method ?? '', path };
    this.requests.push(received);
    let clientGone = false;
    res.once('close', () => {
      clientGone = !res.writableFinished && !this.brokenOnPurpose.has(res);
      if (clientGone && path === '/tts_stream') {
        this.cancelled++;
        this.events.emit('cancelled');
      }
    });
    let body: Buffer;
    try {
      body = await readAll(req);
    } catch {
      return;
    }
    if (this.delayMs > 0) {
      await sleep(this.delayMs);
      if (clientGone) return;
    }
    if (this.forcedStatus !== null) {
      res.writeHead(this.forcedStatus, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(this.forcedStatus >= 500 ? 'Internal Server Error' : 'Error');
      return;
    }
    const routes: Record<string, [string, () => void | Promise<void>]> = {
      '/languages': ['GET', () => sendJson(res, 200, FAKE_XTTS_LANGUAGES)],
      '/studio_speakers': ['GET', () => sendJson(res, 200, {})],
      '/clone_speaker': ['POST', () => this.cloneSpeaker(req, body, res)],
      '/tts_stream': ['POST', () => this.ttsStream(body, received, res)],
    };
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (!route) return sendJson(res, 404, { detail: 'Not Found' });
    if (route[0] !== req.method) return sendJson(res, 405, { detail: 'Method Not Allowed' });
    await route[1]();
  }

  private cloneSpeaker(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const file = multipartField(req.headers['content-type'], body, 'wav_file');
    if (!file) {
      return sendJson(res, 422, {
        detail: [
          { type: 'missing', loc: ['body', 'wav_file'], msg: 'Field required', input: null },
        ],
      });
    }
    this.cloneUploads.push(file);
    let mono: Float32Array;
    let sampleRate: number;
    try {
      const wav = parseWav(file);
      mono = mixToMono(wav.samples);
      sampleRate = wav.sampleRate;
      if (mono.length === 0) throw new Error('no samples');
    } catch (error) {
      // The real server answers 500 here (the model fails to load the file); FastAPI style 400.
      return sendJson(res, 400, {
        detail: `wav_file is not a readable WAV: ${error instanceof Error ? error.message : ''}`,
      });
    }
    const f0 = medianF0(mono, sampleRate) ?? 0;
    const random = prng(createHash('sha256').update(file).digest().readUInt32LE(0));
    const value = () => Math.round((random() * 2 - 1) * 1e4) / 1e5;
    const speakerEmbedding = Array.from({ length: SPEAKER_EMBEDDING_SIZE }, value);
    speakerEmbedding[0] = Math.round(f0 * 10) / 1e4;
    const gptCondLatent = Array.from({ length: LATENT_ROWS }, () =>
      Array.from({ length: LATENT_WIDTH }, value),
    );
    sendJson(res, 200, { gpt_cond_latent: gptCondLatent, speaker_embedding: speakerEmbedding });
  }

  private async ttsStream(
    body: Buffer,
    received: ReceivedRequest,
    res: ServerResponse,
  ): Promise<void> {
    let input: unknown;
    try {
      input = JSON.parse(body.toString('utf8'));
    } catch {
      return sendJson(res, 422, {
        detail: [{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {} }],
      });
    }
    received.json = input;
    const errors = validateStreamingInputs(input);
    if (errors.length > 0) return sendJson(res, 422, { detail: errors });
    const fields = input as {
      text: string;
      language: string;
      speaker_embedding: number[];
      gpt_cond_latent: number[][];
      add_wav_header?: boolean;
      stream_chunk_size?: string;
    };

    const stream = this.newStream(fields.text, fields.language);
    const chunkSize = Number(fields.stream_chunk_size ?? '20');
    stream.streamChunkSize = chunkSize;
    stream.f0Hz = embeddingF0(fields.speaker_embedding) ?? DEFAULT_F0_HZ;
    const settle = this.settler(stream, res);

    // StreamingResponse sends 200 before the generator runs; what the model rejects then
    // (shapes, language, chunk size) can only break the connection.
    res.writeHead(200, { 'content-type': 'audio/wav' });
    res.flushHeaders();
    const modelAccepts =
      Number.isInteger(chunkSize) &&
      chunkSize > 0 &&
      fields.speaker_embedding.length === SPEAKER_EMBEDDING_SIZE &&
      fields.gpt_cond_latent.every((row) => row.length === LATENT_WIDTH) &&
      FAKE_XTTS_LANGUAGES.includes(fields.language);
    if (!modelAccepts) {
      await sleep(this.chunkIntervalMs);
      return settle.fail();
    }

    const seconds = Math.max(0.25, fields.text.trim().length * SECONDS_PER_CHARACTER);
    stream.pcm = voicedSpeech({
      f0Hz: stream.f0Hz,
      seconds,
      sampleRate: FAKE_XTTS_SAMPLE_RATE,
      seed: fields.text.length,
    });
    if (this.firstAudioDelayMs > 0) await sleep(this.firstAudioDelayMs);
    if (settle.gone()) return;
    if (fields.add_wav_header ?? true) {
      // Python's wave module with no frames written: sizes 36 and 0.
      settle.write(wavHeader({ sampleRate: 24000, channels: 1, bitsPerSample: 16, dataBytes: 0 }));
    }

    const samplesPerChunk = chunkSize * SAMPLES_PER_TOKEN;
    const failAfter = this.failAfterChunks;
    const stallAfter = this.stallAfter;
    for (let at = 0; at < stream.pcm.length; at += samplesPerChunk) {
      if (failAfter !== null && stream.chunksSent >= failAfter) {
        // Let what was written reach the client, then drop the connection mid-body.
        await sleep(this.chunkIntervalMs);
        return settle.fail();
      }
      if (stallAfter !== null && stream.chunksSent >= stallAfter) return;
      const bytes = int16ToBytes(stream.pcm.subarray(at, at + samplesPerChunk));
      // Two writes per model chunk, split inside a sample, a moment apart: the client gets
      // reads of odd length and has to carry the half sample over.
      const split = Math.min(bytes.length, 2 * Math.floor(bytes.length / 3) + 1);
      settle.write(bytes.subarray(0, split));
      if (split < bytes.length) {
        await sleep(Math.max(1, Math.floor(this.chunkIntervalMs / 2)));
        if (settle.gone()) return;
        settle.write(bytes.subarray(split));
      }
      stream.chunksSent++;
      await sleep(this.chunkIntervalMs);
      if (settle.gone()) return;
    }
    settle.complete();
  }

  private newStream(text: string, language: string): FakeXttsStream {
    const stream: FakeXttsStream = {
      text,
      language,
      f0Hz: 0,
      streamChunkSize: 0,
      pcm: new Int16Array(0),
      writes: [],
      bytesSent: 0,
      chunksSent: 0,
      outcome: 'streaming',
      settled: Promise.resolve('streaming'),
    };
    this.streams.push(stream);
    return stream;
  }

  private settler(stream: FakeXttsStream, res: ServerResponse) {
    let resolveSettled!: (outcome: FakeXttsStream['outcome']) => void;
    stream.settled = new Promise((resolve) => (resolveSettled = resolve));
    const finish = (outcome: FakeXttsStream['outcome']) => {
      if (stream.outcome !== 'streaming') return;
      stream.outcome = outcome;
      resolveSettled(outcome);
    };
    res.once('close', () => {
      if (!res.writableFinished) finish('cancelled');
    });
    return {
      gone: () => stream.outcome !== 'streaming' || res.destroyed,
      write: (bytes: Buffer) => {
        stream.writes.push(bytes.length);
        stream.bytesSent += bytes.length;
        res.write(bytes);
      },
      complete: () => {
        res.end();
        finish('complete');
      },
      fail: () => {
        finish('failed');
        this.brokenOnPurpose.add(res);
        res.socket?.destroy();
      },
    };
  }
}

/** Pydantic 2's answers for `StreamingInputs`, in field order. */
function validateStreamingInputs(input: unknown): FieldError[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return [
      {
        type: 'model_attributes_type',
        loc: ['body'],
        msg: 'Input should be a valid dictionary or object to extract fields from',
        input,
      },
    ];
  }
  const body = input as Record<string, unknown>;
  const errors: FieldError[] = [];
  const missing = (field: string) =>
    errors.push({ type: 'missing', loc: ['body', field], msg: 'Field required', input: body });
  const numbers = (value: unknown, loc: (string | number)[]) => {
    if (!Array.isArray(value)) {
      errors.push({ type: 'list_type', loc, msg: 'Input should be a valid list', input: value });
      return;
    }
    value.forEach((v: unknown, i) => {
      if (typeof v !== 'number') {
        errors.push({
          type: 'float_type',
          loc: [...loc, i],
          msg: 'Input should be a valid number',
          input: v,
        });
      }
    });
  };

  if (!('speaker_embedding' in body)) missing('speaker_embedding');
  else numbers(body.speaker_embedding, ['body', 'speaker_embedding']);
  if (!('gpt_cond_latent' in body)) missing('gpt_cond_latent');
  else if (!Array.isArray(body.gpt_cond_latent)) {
    errors.push({
      type: 'list_type',
      loc: ['body', 'gpt_cond_latent'],
      msg: 'Input should be a valid list',
      input: body.gpt_cond_latent,
    });
  } else {
    body.gpt_cond_latent.forEach((row: unknown, i) => numbers(row, ['body', 'gpt_cond_latent', i]));
  }
  for (const field of ['text', 'language']) {
    if (!(field in body)) missing(field);
    else if (typeof body[field] !== 'string') {
      errors.push({
        type: 'string_type',
        loc: ['body', field],
        msg: 'Input should be a valid string',
        input: body[field],
      });
    }
  }
  if ('add_wav_header' in body && typeof body.add_wav_header !== 'boolean') {
    errors.push({
      type: 'bool_type',
      loc: ['body', 'add_wav_header'],
      msg: 'Input should be a valid boolean',
      input: body.add_wav_header,
    });
  }
  if ('stream_chunk_size' in body && typeof body.stream_chunk_size !== 'string') {
    errors.push({
      type: 'string_type',
      loc: ['body', 'stream_chunk_size'],
      msg: 'Input should be a valid string',
      input: body.stream_chunk_size,
    });
  }
  return errors;
}

/** The content of one form field of a multipart/form-data body, or null. */
function multipartField(
  contentType: string | undefined,
  body: Buffer,
  name: string,
): Buffer | null {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  if (!contentType?.toLowerCase().startsWith('multipart/form-data') || !boundary) return null;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const partStart = at + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === '--') return null;
    const next = body.indexOf(delimiter, partStart);
    if (next < 0) return null;
    const part = body.subarray(partStart + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      if (new RegExp(`name="${name}"`, 'i').test(headers)) return part.subarray(headerEnd + 4);
    }
    at = next;
  }
  return null;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of req as AsyncIterable<Buffer>) parts.push(part);
  return Buffer.concat(parts);
}

/** Unref'd: a long stand-in delay must not keep the test process alive after stop(). */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
