import { existsSync } from 'node:fs';
import path from 'node:path';
import { types } from 'node:util';
import { Worker } from 'node:worker_threads';
import { contentTypeFor } from '../audio-format';
import { AudioError, AudioErrorCode } from '../audio.exception';
import {
  type AudioEncoder,
  type AudioEncoderOptions,
  createAudioEncoder,
  promising,
} from '../encoder';
import { wavHeader } from '../wav';
import type { EncoderReply, EncoderRequest, EncoderWorkerData } from './encoder-worker.protocol';

/** How long a closing thread may take to finish the messages posted before its exit. */
const EXIT_GRACE_MS = 5_000;

export interface AudioEncoderPoolOptions {
  /** Encoder threads; default 1. Each holds many streams' encoders. */
  threads?: number;
  /** Compiled worker script; default: see `resolveEncoderWorkerFile`. */
  workerFile?: string;
  /**
   * Most `encode`/`flush` calls one stream may have waiting on its thread; one more throws.
   * Callers await each call (the synthesis path does), so this only catches a caller that does
   * not and would otherwise queue audio without bound. Default 16.
   */
  maxInFlight?: number;
  /** Added to the threads' nice value, so they yield the CPU to the event loop. Default 0. */
  niceIncrement?: number;
}

/**
 * Encoders for audio streams. MP3 encoding (and any resampling) is per-sample work too heavy
 * for the server's event loop: those streams get an encoder in one of a few worker threads,
 * where it stays for the stream's whole life (one lame state, so no encoder delay or padding
 * between a stream's pieces), on the thread with the fewest streams when it opens. PCM, WAV and
 * G.711 at the engine's rate are a copy or a table lookup per sample and stay inline: a round
 * trip to a thread would cost more than the work.
 *
 * A dedicated pool rather than piscina: piscina hands each task to whichever thread is free, and
 * a stream's chunks must all reach the thread that holds its encoder; a piscina task that held a
 * thread for a whole stream would need one thread per concurrent stream.
 */
export class AudioEncoderPool {
  private readonly threads: (EncoderThread | undefined)[];
  private readonly workerFile: string;
  private readonly maxInFlight: number;
  private readonly niceIncrement: number;
  private nextStream = 1;
  private closed = false;

  constructor(options: AudioEncoderPoolOptions = {}) {
    this.workerFile = options.workerFile ?? resolveEncoderWorkerFile();
    this.threads = new Array<EncoderThread | undefined>(
      Math.max(1, Math.floor(options.threads ?? 1)),
    ).fill(undefined);
    this.maxInFlight = Math.max(1, Math.floor(options.maxInFlight ?? 16));
    this.niceIncrement = Math.max(0, Math.floor(options.niceIncrement ?? 0));
  }

  /** Whether streams with these options are encoded in a thread. */
  static offloads(options: AudioEncoderOptions): boolean {
    return options.format === 'mp3' || options.inputSampleRate !== options.outputSampleRate;
  }

  /** Starts every thread (lame loaded), so the first streams do not wait for one. */
  async start(): Promise<void> {
    await Promise.all(this.threads.map((_, index) => this.threadAt(index).ready));
  }

  /**
   * An encoder for one stream. Close it (or flush it) when the stream ends; a stream whose
   * thread dies fails with `AudioError` `encoder_failed`, and the thread is replaced.
   */
  async createEncoder(options: AudioEncoderOptions): Promise<AudioEncoder> {
    if (!AudioEncoderPool.offloads(options)) return promising(await createAudioEncoder(options));
    if (this.closed) throw new Error('the audio encoder pool is closed');
    const thread = this.threadAt(this.leastLoaded());
    // Counted on its thread from here, so streams opened together spread over the threads.
    const encoder = new PooledEncoder(thread, this.nextStream++, options, this.maxInFlight);
    await encoder.open();
    return encoder;
  }

  /** Streams assigned to each thread, as the main thread counts them. */
  get load(): number[] {
    return this.threads.map((thread) => thread?.streamCount ?? 0);
  }

  /** Encoders each running thread really holds (asked from the threads); 0 for one not running. */
  async heldEncoders(): Promise<number[]> {
    return Promise.all(
      this.threads.map((thread) => (thread ? thread.countHeld() : Promise.resolve(0))),
    );
  }

  /** Stops the threads; streams still open fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.threads.flatMap((thread) => (thread ? [thread.terminate()] : [])));
  }

  private leastLoaded(): number {
    let best = 0;
    for (let i = 1; i < this.threads.length; i++) {
      if ((this.threads[i]?.streamCount ?? 0) < (this.threads[best]?.streamCount ?? 0)) best = i;
    }
    return best;
  }

  private threadAt(index: number): EncoderThread {
    let thread = this.threads[index];
    if (!thread) {
      if (!existsSync(this.workerFile)) {
        throw new Error(
          `audio encoder worker ${this.workerFile} does not exist; run "npm run build" first`,
        );
      }
      thread = new EncoderThread(this.workerFile, this.niceIncrement, (wasReady) => {
        if (this.threads[index] !== thread) return;
        this.threads[index] = undefined;
        // Replaced at once, unless it died before it was ever ready (then on the next stream,
        // so a thread that cannot start is not restarted in a loop).
        if (!wasReady || this.closed) return;
        try {
          this.threadAt(index);
        } catch {
          // The script is gone; the next stream that needs the thread reports it.
        }
      });
      this.threads[index] = thread;
    }
    return thread;
  }
}

type Pending = { resolve: (reply: EncoderReply) => void; reject: (error: Error) => void };

/** One worker thread and the streams whose encoders it holds. */
class EncoderThread {
  readonly ready: Promise<void>;
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private readonly streams = new Set<PooledEncoder>();
  private nextReq = 1;
  private isReady = false;
  private failure?: AudioError;
  private terminating = false;
  private exited = false;
  private readyFailed!: (error: Error) => void;

  constructor(file: string, niceIncrement: number, onGone: (wasReady: boolean) => void) {
    let markReady!: () => void;
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      this.readyFailed = reject;
    });
    // Whoever awaits `ready` sees its rejection; this keeps one nobody awaits quiet.
    this.ready.catch(() => undefined);
    const workerData: EncoderWorkerData = { niceIncrement };
    this.worker = new Worker(file, { workerData });
    let lastError: Error | undefined;
    this.worker.on('message', (reply: EncoderReply) => {
      if (reply.type === 'ready') {
        this.isReady = true;
        markReady();
        this.updateRef();
        return;
      }
      const pending = this.pending.get(reply.req);
      if (!pending) return;
      this.pending.delete(reply.req);
      this.updateRef();
      pending.resolve(reply);
    });
    this.worker.on('error', (error) => (lastError = error));
    this.worker.on('exit', (code) => {
      this.exited = true;
      const why = this.terminating
        ? 'the encoder pool was closed'
        : (lastError?.message ?? `exit code ${code}`);
      this.fail(
        new AudioError(AudioErrorCode.EncoderFailed, `audio encoder thread stopped: ${why}`),
      );
      onGone(this.isReady);
    });
  }

  get streamCount(): number {
    return this.streams.size;
  }

  attach(stream: PooledEncoder): void {
    this.streams.add(stream);
    this.updateRef();
  }

  detach(stream: PooledEncoder): void {
    this.streams.delete(stream);
    this.updateRef();
  }

  /** Posts a request and resolves with its reply, or rejects once the thread has died. */
  request(
    message: EncoderRequest & { req: number },
    transfer: ArrayBuffer[] = [],
  ): Promise<EncoderReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.set(message.req, { resolve, reject });
      this.updateRef();
      this.worker.postMessage(message, transfer);
    });
  }

  /** A message with no reply (close). */
  post(message: EncoderRequest): void {
    if (!this.failure) this.worker.postMessage(message);
  }

  newReq(): number {
    return this.nextReq++;
  }

  async countHeld(): Promise<number> {
    const reply = await this.request({ op: 'count', req: this.newReq() });
    return reply.type === 'count' ? reply.count : 0;
  }

  /**
   * Asks the thread to exit after the messages already posted to it, and terminates it only if it
   * has not within EXIT_GRACE_MS (terminating it inside a koffi call would abort the process).
   */
  async terminate(): Promise<void> {
    if (this.exited) return;
    this.terminating = true;
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.worker.postMessage({ op: 'exit' } satisfies EncoderRequest);
    const stuck = setTimeout(() => void this.worker.terminate(), EXIT_GRACE_MS);
    try {
      await exited;
    } finally {
      clearTimeout(stuck);
    }
  }

  private fail(error: AudioError): void {
    this.failure = error;
    this.readyFailed(error);
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
    for (const stream of this.streams) stream.fail(error);
    this.streams.clear();
  }

  /**
   * The thread keeps the process alive only while it has work: a server is kept alive by its
   * sockets anyway, and a script or test that is done need not close the pool to exit.
   */
  private updateRef(): void {
    if (!this.isReady || this.pending.size > 0 || this.streams.size > 0) this.worker.ref();
    else this.worker.unref();
  }
}

enum StreamState {
  Open = 'open',
  /** flush() was called: no more input. */
  Flushed = 'flushed',
  Closed = 'closed',
  /** Its thread died. */
  Failed = 'failed',
}

/** One stream's encoder, living in `thread` for the stream's whole life. */
class PooledEncoder implements AudioEncoder {
  readonly format: AudioEncoderOptions['format'];
  readonly contentType: string;
  readonly sampleRate: number;
  private sent = 0;
  private inFlight = 0;
  private state = StreamState.Open;
  private failure?: AudioError;

  constructor(
    private readonly thread: EncoderThread,
    private readonly stream: number,
    private readonly options: AudioEncoderOptions,
    private readonly maxInFlight: number,
  ) {
    this.format = options.format;
    this.sampleRate = options.outputSampleRate;
    this.contentType = contentTypeFor(options.format, options.outputSampleRate);
  }

  get samplesOut(): number {
    return this.sent;
  }

  /** Creates the encoder in the thread; its errors (an unsupported rate) are the inline ones. */
  async open(): Promise<void> {
    this.thread.attach(this);
    try {
      await this.thread.ready;
      await this.call({
        op: 'open',
        req: this.thread.newReq(),
        stream: this.stream,
        options: this.options,
      });
    } catch (err) {
      this.state = StreamState.Closed;
      this.thread.detach(this);
      throw err;
    }
  }

  header(): Buffer {
    if (this.format !== 'wav') return Buffer.alloc(0);
    return wavHeader({ sampleRate: this.sampleRate, channels: 1, bitsPerSample: 16 });
  }

  async encode(samples: Int16Array): Promise<Buffer> {
    this.assertOpen();
    const moved = ownedSamples(samples);
    return this.call(
      { op: 'encode', req: this.thread.newReq(), stream: this.stream, samples: moved },
      [moved.buffer as ArrayBuffer],
    );
  }

  async flush(): Promise<Buffer> {
    this.assertOpen();
    this.state = StreamState.Flushed;
    try {
      return await this.call({ op: 'flush', req: this.thread.newReq(), stream: this.stream });
    } finally {
      // The thread dropped the encoder when it flushed it (or the thread is gone).
      this.thread.detach(this);
    }
  }

  close(): void {
    if (this.state !== StreamState.Open && this.state !== StreamState.Flushed) return;
    const wasOpen = this.state === StreamState.Open;
    this.state = StreamState.Closed;
    if (wasOpen) {
      this.thread.post({ op: 'close', stream: this.stream });
      this.thread.detach(this);
    }
  }

  /** Its thread died: every later call fails with the same error. */
  fail(error: AudioError): void {
    if (this.state === StreamState.Closed) return;
    this.state = StreamState.Failed;
    this.failure = error;
  }

  private async call(message: EncoderRequest & { req: number }, transfer: ArrayBuffer[] = []) {
    if (this.inFlight >= this.maxInFlight) {
      throw new Error(
        `more than ${this.maxInFlight} encoder calls in flight for one stream; await each one`,
      );
    }
    this.inFlight++;
    try {
      const reply = await this.thread.request(message, transfer);
      if (reply.type === 'failed') {
        throw reply.code ? new AudioError(reply.code, reply.message) : new Error(reply.message);
      }
      if (reply.type !== 'done') throw new Error(`unexpected encoder reply ${reply.type}`);
      this.sent = reply.samplesOut;
      return Buffer.from(reply.bytes.buffer, reply.bytes.byteOffset, reply.bytes.byteLength);
    } finally {
      this.inFlight--;
    }
  }

  private assertOpen(): void {
    if (this.state === StreamState.Failed && this.failure) throw this.failure;
    if (this.state !== StreamState.Open) {
      throw new Error('audio encoder already flushed or closed');
    }
  }
}

/**
 * The samples as an array that owns its whole buffer, which can then be moved to the thread:
 * the caller's own when it does (engine chunks do), else a copy (a view into a larger buffer,
 * such as Node's shared pool for small Buffers, must not be moved).
 */
function ownedSamples(samples: Int16Array): Int16Array {
  const { buffer, byteOffset, byteLength } = samples;
  // util.types, not instanceof: under Jest the array may come from another realm.
  if (types.isArrayBuffer(buffer) && byteOffset === 0 && byteLength === buffer.byteLength) {
    return samples;
  }
  return samples.slice();
}

/**
 * The compiled worker beside this file in production (`dist/.../encode/encoder.worker.js`);
 * under ts-jest this file is the `.ts` source, and the worker is its build output under `<repo>/dist`.
 */
export function resolveEncoderWorkerFile(): string {
  if (__filename.endsWith('.ts')) {
    const repoRoot = path.resolve(__dirname, '../../../..');
    return path.join(repoRoot, 'dist', path.relative(repoRoot, __dirname), 'encoder.worker.js');
  }
  return path.join(__dirname, 'encoder.worker.js');
}
