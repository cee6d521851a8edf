import type { MessagePort } from 'node:worker_threads';
import { abortError } from '../engine-calls';
import { EngineError, EngineErrorCode, type PcmChunk } from '../engine.interface';
import { CANCEL_SLOT, type StreamMessage, type SynthStats } from './espeak.protocol';

/**
 * Chunks from one synthesis task, in order. It ends once the thread has both sent its last chunk
 * and returned (so the thread is free again), or at once with an AbortError when aborted. The port
 * stays open until the task settles: a still-queued task carries the other end, and piscina cannot
 * hand a closed port to the thread.
 */
export class EspeakStream implements AsyncIterableIterator<PcmChunk> {
  private readonly queue: PcmChunk[] = [];
  private lastChunkSent = false;
  private threadReturned = false;
  private settled = false;
  private failure: Error | null = null;
  private waiter: {
    resolve: (result: IteratorResult<PcmChunk>) => void;
    reject: (error: unknown) => void;
  } | null = null;

  constructor(
    private readonly port: MessagePort,
    private readonly cancel: Int32Array,
    private readonly sampleRate: number,
    private readonly signal: AbortSignal,
    private readonly onSettled: () => void,
  ) {
    port.on('message', (message: StreamMessage) => this.onMessage(message));
    port.on('close', () =>
      this.fail(new EngineError(EngineErrorCode.Failed, 'eSpeak thread closed the stream')),
    );
    signal.addEventListener('abort', this.onAbort);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<PcmChunk> {
    return this;
  }

  next(): Promise<IteratorResult<PcmChunk>> {
    const chunk = this.queue.shift();
    if (chunk) return Promise.resolve({ value: chunk, done: false });
    if (this.failure !== null) {
      const failure = this.failure;
      this.failure = null;
      return Promise.reject(failure);
    }
    if (this.settled) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** The consumer stopped early (break, throw): stop the thread as an abort would. */
  return(): Promise<IteratorResult<PcmChunk>> {
    Atomics.store(this.cancel, CANCEL_SLOT, 1);
    this.queue.length = 0;
    this.failure = null;
    this.settle();
    return Promise.resolve({ value: undefined, done: true });
  }

  fail(error: Error): void {
    if (this.settled) return;
    Atomics.store(this.cancel, CANCEL_SLOT, 1);
    // Whatever is still queued is dropped: an aborted caller wants the error now, not more audio.
    this.queue.length = 0;
    this.settle();
    if (this.waiter) {
      this.waiter.reject(error);
      this.waiter = null;
    } else {
      this.failure = error;
    }
  }

  /** The thread returned from the task; its result travels on another port than the chunks. */
  taskFinished(stats: SynthStats): void {
    this.threadReturned = true;
    if (stats.aborted) {
      this.fail(new EngineError(EngineErrorCode.Failed, 'eSpeak synthesis was stopped'));
    } else {
      this.finishIfComplete();
    }
    if (this.settled) this.port.close();
  }

  taskFailed(error: unknown): void {
    this.fail(new EngineError(EngineErrorCode.Failed, `eSpeak thread failed: ${text(error)}`));
    this.port.close();
  }

  private readonly onAbort = (): void => this.fail(abortError(this.signal));

  private onMessage(message: StreamMessage): void {
    if (this.settled) return;
    switch (message.type) {
      case 'chunk': {
        const chunk: PcmChunk = { samples: message.samples, sampleRate: this.sampleRate };
        if (message.words) chunk.words = message.words;
        this.deliver(chunk);
        break;
      }
      case 'end': {
        // The last chunk (empty when nothing was held) carries the thread's own render time
        // (see PcmChunk.renderMs).
        const chunk: PcmChunk = {
          samples: message.samples ?? new Int16Array(0),
          sampleRate: this.sampleRate,
          renderMs: message.renderMs,
        };
        if (message.words) chunk.words = message.words;
        this.deliver(chunk);
        this.lastChunkSent = true;
        this.finishIfComplete();
        break;
      }
      case 'error':
        this.fail(new EngineError(EngineErrorCode.Failed, message.message));
        break;
    }
  }

  private deliver(chunk: PcmChunk): void {
    if (this.waiter) {
      this.waiter.resolve({ value: chunk, done: false });
      this.waiter = null;
    } else {
      this.queue.push(chunk);
    }
  }

  private finishIfComplete(): void {
    if (!this.lastChunkSent || !this.threadReturned) return;
    this.settle();
    this.port.close();
    if (this.waiter) {
      this.waiter.resolve({ value: undefined, done: true });
      this.waiter = null;
    }
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.signal.removeEventListener('abort', this.onAbort);
    this.onSettled();
  }
}

/** An iterable that throws `error` on the first `next()`, or ends at once when it is null. */
export function settledStream(error: Error | null): AsyncIterable<PcmChunk> {
  return {
    [Symbol.asyncIterator]: () => ({
      next: () =>
        error ? Promise.reject(error) : Promise.resolve({ value: undefined, done: true }),
    }),
  };
}

function text(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
