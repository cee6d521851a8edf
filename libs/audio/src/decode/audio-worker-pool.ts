import { existsSync } from 'node:fs';
import path from 'node:path';
import { Piscina } from 'piscina';
import { AudioError, AudioErrorCode } from '../audio.exception';
import type { AudioWorkerReply, AudioWorkerTask } from './audio-worker.protocol';
import {
  DEFAULT_MAX_DURATION_MS,
  type DecodedAudio,
  type DecodeOptions,
  type ReferenceAnalysis,
} from './decoded-audio';

export interface AudioWorkerPoolOptions {
  /** Threads; default 1, as uploads are occasional and the speech engines need the cores. */
  maxThreads?: number;
  /** Tasks that may wait for a thread; one more is refused with `audio_busy`. Default 8. */
  maxQueue?: number;
  /** An idle thread exits after this long; default 30 s. */
  idleTimeoutMs?: number;
  /** Compiled worker script; default: see `resolveAudioWorkerFile`. */
  workerFile?: string;
}

/**
 * Decodes and analyses uploaded audio in worker threads: a 10 MB MP3 takes a second or more of
 * CPU, which must not stall the server's event loop. Errors come back as `AudioError`s.
 */
export class AudioWorkerPool {
  private readonly pool: Piscina<AudioWorkerTask, AudioWorkerReply<unknown>>;
  private readonly maxQueue: number;
  private closed = false;
  /** The cancel flags of the tasks not yet answered (see AudioWorkerTask.cancel). */
  private readonly running = new Set<Int32Array>();

  constructor(options: AudioWorkerPoolOptions = {}) {
    const filename = options.workerFile ?? resolveAudioWorkerFile();
    if (!existsSync(filename)) {
      throw new Error(`audio worker script ${filename} does not exist; run "npm run build" first`);
    }
    this.maxQueue = Math.max(1, Math.floor(options.maxQueue ?? 8));
    this.pool = new Piscina({
      filename,
      minThreads: 0,
      maxThreads: Math.max(1, Math.floor(options.maxThreads ?? 1)),
      idleTimeout: options.idleTimeoutMs ?? 30_000,
    });
    // piscina emits 'error' for a thread dying outside a task; with no listener that would crash
    // the process. The tasks it was running reject on their own.
    this.pool.on('error', () => undefined);
  }

  /** The ids of the threads the pool has now (a thread is replaced only if it dies). */
  threadIds(): number[] {
    return this.pool.threads.map((thread) => thread.threadId);
  }

  /** Sniffs the bytes' format, decodes them and mixes to mono. */
  async decode(bytes: Uint8Array, options: DecodeOptions = {}): Promise<DecodedAudio> {
    return this.run<DecodedAudio>('decode', bytes, options);
  }

  /** Decodes, then measures level, pitch and speaking rate and renders the 24 kHz reference. */
  async analyzeReference(
    bytes: Uint8Array,
    options: DecodeOptions = {},
  ): Promise<ReferenceAnalysis> {
    const analysis = await this.run<ReferenceAnalysis>('analyze', bytes, options);
    // Structured cloning delivers a plain Uint8Array.
    const { buffer, byteOffset, byteLength } = analysis.wav24k;
    return { ...analysis, wav24k: Buffer.from(buffer, byteOffset, byteLength) };
  }

  /**
   * Stops the threads: tasks still queued fail, running ones are told to stop at their next stage
   * and are waited for (never terminated inside a native call, which would abort the process).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const cancel of this.running) Atomics.store(cancel, 0, 1);
    await this.pool.close({ force: true });
  }

  private async run<T>(
    kind: AudioWorkerTask['kind'],
    bytes: Uint8Array,
    { maxDurationMs = DEFAULT_MAX_DURATION_MS, signal }: DecodeOptions,
  ): Promise<T> {
    if (this.closed) throw closedError();
    signal?.throwIfAborted();
    if (this.pool.queueSize >= this.maxQueue) {
      throw new AudioError(AudioErrorCode.AudioBusy, 'too many audio files are being processed');
    }
    // One copy into memory the task then owns, whatever the caller's buffer is a view of.
    const cancel = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
    const task: AudioWorkerTask = { kind, bytes: new Uint8Array(bytes), maxDurationMs, cancel };
    this.running.add(cancel);
    // No signal for piscina: on abort it terminates the thread running the task.
    const answer = this.pool.run(task, { transferList: [task.bytes.buffer as ArrayBuffer] });
    const stop = () => Atomics.store(cancel, 0, 1);
    let reply: AudioWorkerReply<T>;
    try {
      reply = (await (signal ? untilAborted(answer, signal, stop) : answer)) as AudioWorkerReply<T>;
    } catch (error) {
      // A task still queued when the pool closes is refused by piscina with its AbortError.
      if (this.closed && !signal?.aborted) throw closedError(error);
      throw error;
    } finally {
      this.running.delete(cancel);
    }
    if (reply.ok) return reply.value;
    if ('cancelled' in reply) throw closedError();
    throw new AudioError(reply.code, reply.message, reply.stats);
  }
}

/**
 * The compiled worker beside this file in production (`dist/.../decode/audio.worker.js`); under
 * ts-jest this file is the `.ts` source, and the worker is its build output under `<repo>/dist`.
 */
export function resolveAudioWorkerFile(): string {
  if (__filename.endsWith('.ts')) {
    const repoRoot = path.resolve(__dirname, '../../../..');
    return path.join(repoRoot, 'dist', path.relative(repoRoot, __dirname), 'audio.worker.js');
  }
  return path.join(__dirname, 'audio.worker.js');
}

const closedError = (cause?: unknown) =>
  new Error('the audio worker pool is closed', cause === undefined ? undefined : { cause });

/**
 * `answer`, or the signal's reason as soon as it aborts (then `stop` tells the thread); the answer
 * that comes later is dropped.
 */
function untilAborted<R>(answer: Promise<R>, signal: AbortSignal, stop: () => void): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const onAbort = () => {
      stop();
      const reason: unknown = signal.reason;
      reject(reason instanceof Error ? reason : new Error(String(reason)));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    answer.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
