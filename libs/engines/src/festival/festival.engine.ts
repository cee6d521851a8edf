import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import {
  EngineError,
  EngineErrorCode,
  type EngineCapabilities,
  type EngineHealth,
  type PcmChunk,
  type SynthesisRequest,
  type TtsEngine,
  type VoiceConditioning,
} from '../engine.interface';
import { abortError, noAudio } from '../engine-calls';
import { toFestivalText } from './festival-text';
import {
  FESTIVAL_RATE_MAX,
  FESTIVAL_RATE_MIN,
  festivalConditioningOf,
  parseFestivalConditioning,
  type FestivalConditioning,
} from './festival-voices';
import {
  FestivalWorker,
  WorkerState,
  type InstalledVoice,
  type PieceResult,
} from './festival-worker';
import { clamp } from '@cw/util';

export interface FestivalEngineOptions {
  /** The festival program: a path, or a name looked up on PATH. Default `festival`. */
  binary?: string;
  /** Long-lived festival processes, one piece each at a time; default: cores, at most 4. */
  poolSize?: number;
  /** Pieces that may wait for a free process; one more makes `synthesize` throw `engine_busy`. */
  maxQueue?: number;
  /** The voice for voices that name none (and for female voices); must be installed. */
  voice?: string;
  /** A piece that takes longer fails (`synthesis_failed`) and its process is replaced. */
  timeoutMs?: number;
  /**
   * After an abort the process finishes the piece it is on (its reply is discarded), which costs
   * less than a restart; one still busy after this long is killed and replaced. 0: kill at once.
   */
  abortGraceMs?: number;
  /** `init()` gives up on processes that have not loaded their voices by then. */
  initTimeoutMs?: number;
  /** Suggested client back-off when busy, in seconds. */
  retryAfterS?: number;
}

export const FESTIVAL_DEFAULT_VOICE = 'cmu_us_slt_arctic_hts';
/** Each process holds about 330 MB (the HTS voice and the CMU lexicon): not one per core by default. */
const DEFAULT_MAX_POOL = 4;
const INSTALL_HINT = 'install the Debian packages: apt-get install festival festvox-us-slt-hts';
/** Output chunks of about this length, so the first bytes go out before the whole piece is sent. */
const CHUNK_MS = 100;
/** Consecutive processes that died before they were ready, after which the engine is down. */
const MAX_START_FAILURES = 3;
const RESTART_BACKOFF_MS = [250, 1000, 5000, 30_000];

interface Job {
  text: string;
  voice: string;
  rate: number;
  sampleRate: number;
  signal: AbortSignal;
  worker: FestivalWorker | null;
  timer: NodeJS.Timeout | null;
  settled: boolean;
  /** Stops listening to the caller's signal. */
  detach: () => void;
  resolve: (result: PieceResult) => void;
  reject: (error: Error) => void;
}

/**
 * Festival (Debian's `festival`, with the HTS voice `cmu_us_slt_arctic_hts` from
 * `festvox-us-slt-hts`): a smoother local female voice than eSpeak, from a pool of long-lived
 * `festival --pipe` processes fed Scheme commands (see festival.protocol.ts). A process renders a
 * whole piece (the scheduler's sentence or clause) before it answers, so audio streams per piece.
 *
 * Optional: when the program or the voice is missing, `init()` still succeeds; the engine then
 * reports itself unavailable (health, and `engine_unavailable` from `synthesize`) with the reason.
 */
export class FestivalEngine implements TtsEngine {
  readonly id = 'festival';

  private readonly binary: string;
  private readonly poolSize: number;
  private readonly maxQueue: number;
  private readonly defaultVoice: string;
  private readonly timeoutMs: number;
  private readonly abortGraceMs: number;
  private readonly initTimeoutMs: number;
  private readonly retryAfterS: number;
  private readonly workers = new Set<FestivalWorker>();
  private readonly queue: Job[] = [];
  private readonly running = new Set<Job>();
  private installed: InstalledVoice[] | null = null;
  private nativeRate: number | null = null;
  private version = '';
  /** Set when the engine cannot serve: what is missing or broken, and what to do about it. */
  private unavailable: string | null = null;
  private startFailures = 0;
  private lastStartError = '';
  private restartTimer: NodeJS.Timeout | null = null;
  private starting: Promise<void> | null = null;
  private closed = false;

  constructor(options: FestivalEngineOptions = {}) {
    this.binary = options.binary?.trim() || 'festival';
    this.poolSize = Math.max(
      1,
      Math.floor(options.poolSize ?? Math.min(availableParallelism(), DEFAULT_MAX_POOL)),
    );
    this.maxQueue = Math.max(0, Math.floor(options.maxQueue ?? this.poolSize * 8));
    this.defaultVoice = options.voice?.trim() || FESTIVAL_DEFAULT_VOICE;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.abortGraceMs = options.abortGraceMs ?? 2_000;
    this.initTimeoutMs = options.initTimeoutMs ?? 60_000;
    this.retryAfterS = options.retryAfterS ?? 1;
  }

  get capabilities(): EngineCapabilities {
    return {
      parallelism: this.poolSize,
      languages: ['en'],
      // Measured on the warm-up piece; cmu_us_slt_arctic_hts speaks at 32 kHz.
      nativeSampleRate: this.nativeRate ?? 32_000,
      ssml: false,
      wordTimings: false,
      cloning: 'none',
      streaming: true,
    };
  }

  /** Why the engine cannot serve (null when it can): for the boot log and readiness. */
  get unavailableReason(): string | null {
    return this.unavailable;
  }

  init(): Promise<void> {
    this.starting ??= this.start();
    return this.starting;
  }

  conditioningFor(voiceConditioning: Record<string, unknown>): VoiceConditioning {
    return festivalConditioningOf(voiceConditioning);
  }

  supportsVoice(conditioning: VoiceConditioning): boolean {
    const parsed = parseFestivalConditioning(conditioning);
    if (!parsed) return false;
    // Down: every voice is refused with engine_unavailable (503) at synthesis, not as unknown.
    if (!this.installed) return true;
    return this.pickVoice(this.installed, parsed) !== null;
  }

  synthesize(request: SynthesisRequest, signal: AbortSignal): AsyncIterable<PcmChunk> {
    const installed = this.requireReady();
    const conditioning = parseFestivalConditioning(request.voice.conditioning);
    const voice = conditioning ? this.pickVoice(installed, conditioning) : null;
    if (!conditioning || !voice) {
      throw new EngineError(
        EngineErrorCode.UnknownVoice,
        `Voice ${request.voice.id} has no Festival voice installed here (installed: ${installed.map((v) => v.name).join(', ')})`,
      );
    }
    const language = request.language.trim().toLowerCase();
    if (language !== '' && language !== 'en' && !language.startsWith('en-')) {
      throw new EngineError(
        EngineErrorCode.UnsupportedLanguage,
        `Festival speaks English only here, not "${request.language}"`,
      );
    }
    if (signal.aborted) return failed(abortError(signal));
    const text = toFestivalText(request.text);
    if (text === '') return noAudio();
    if (this.queue.length >= this.maxQueue) {
      throw new EngineError(
        EngineErrorCode.Busy,
        `Festival queue is full (${this.queue.length} waiting for ${this.poolSize} processes)`,
        this.retryAfterS,
        'queue_full',
      );
    }
    const speed = Number.isFinite(request.speed) && request.speed > 0 ? request.speed : 1;
    const job = this.enqueue({
      text,
      voice,
      rate: clamp(conditioning.rate * speed, FESTIVAL_RATE_MIN / 2, FESTIVAL_RATE_MAX * 2),
      // Festival converts in its own process, so the main thread only moves bytes.
      sampleRate:
        request.sampleRate && request.sampleRate !== this.nativeRate ? request.sampleRate : 0,
      signal,
    });
    return this.stream(job, signal);
  }

  health(): EngineHealth {
    const serving = [...this.workers].some(
      (w) => w.state !== WorkerState.Starting && w.state !== WorkerState.Dead,
    );
    return {
      modelLoaded: !this.closed && this.unavailable === null && serving,
      systemTts:
        this.unavailable !== null
          ? `festival (unavailable: ${this.unavailable})`
          : `${this.version || 'festival'} (${this.defaultVoice}, ${this.poolSize} processes)`,
      streamingSupported: true,
      queueDepth: this.queue.length,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const error = new EngineError(EngineErrorCode.Unavailable, 'Festival engine is shutting down');
    for (const job of [...this.queue, ...this.running]) this.settle(job, { error });
    this.queue.length = 0;
    await this.starting?.catch(() => undefined);
    await Promise.all([...this.workers].map((w) => this.stopWorker(w)));
  }

  /** Pids of the running processes (tests, diagnostics). */
  workerPids(): number[] {
    return [...this.workers].flatMap((w) => (w.pid === undefined ? [] : [w.pid]));
  }

  private async start(): Promise<void> {
    const probe = await festivalVersion(this.binary);
    if ('missing' in probe) {
      this.unavailable = `the festival program "${this.binary}" could not be run (${probe.missing}); ${INSTALL_HINT}`;
      return;
    }
    this.version = probe.version;
    const workers = Array.from({ length: this.poolSize }, () => this.spawnWorker());
    const results = await withTimeout(
      Promise.allSettled(workers.map((w) => w.ready)),
      this.initTimeoutMs,
    );
    const ready = workers.filter((w) => w.state === WorkerState.Idle);
    if (this.closed) return;
    if (ready.length === 0) {
      const failure = results?.find((r) => r.status === 'rejected');
      const reason =
        failure?.status === 'rejected'
          ? String((failure.reason as Error).message)
          : `no process loaded its voices within ${this.initTimeoutMs} ms`;
      await this.fail(`festival did not start (${reason})`);
      return;
    }
    const installed = ready[0].voices;
    if (!installed.some((v) => v.name === this.defaultVoice)) {
      await this.fail(
        `festival has no voice "${this.defaultVoice}" (installed: ${installed.map((v) => v.name).join(', ') || 'none'}); ${INSTALL_HINT}`,
      );
      return;
    }
    this.installed = installed;
    // Warm each process on the default voice (its first piece loads the model) and measure the
    // voice's own rate.
    const warm = await withTimeout(
      Promise.allSettled(
        ready.map((w) =>
          w.say({ voice: this.defaultVoice, text: 'Hello.', rate: 1, sampleRate: 0 }),
        ),
      ),
      this.initTimeoutMs,
    );
    const sample = warm?.find((r) => r.status === 'fulfilled');
    if (!sample) {
      const failure = warm?.find((r) => r.status === 'rejected');
      const reason =
        failure?.status === 'rejected'
          ? String((failure.reason as Error).message)
          : `no answer within ${this.initTimeoutMs} ms`;
      await this.fail(`festival could not speak with ${this.defaultVoice}: ${reason}`);
      return;
    }
    this.nativeRate = sample.value.sampleRate;
    this.dispatch();
  }

  private async fail(reason: string): Promise<void> {
    this.unavailable = reason;
    await Promise.all([...this.workers].map((w) => this.stopWorker(w)));
  }

  private spawnWorker(): FestivalWorker {
    const worker = new FestivalWorker(
      this.binary,
      () => this.dispatch(),
      (w, reason) => this.onWorkerExit(w, reason),
    );
    this.workers.add(worker);
    worker.ready.then(
      () => {
        this.startFailures = 0;
        this.dispatch();
      },
      () => undefined,
    );
    return worker;
  }

  private async stopWorker(worker: FestivalWorker): Promise<void> {
    if (worker.state === WorkerState.Dead) return;
    worker.kill();
    await worker.exited;
  }

  /** A process is gone: fail its piece (done by the worker), and start a replacement. */
  private onWorkerExit(worker: FestivalWorker, reason: string): void {
    const neverReady = !worker.wasReady;
    this.workers.delete(worker);
    if (this.closed || this.unavailable !== null || !this.installed) return;
    if (neverReady) {
      this.startFailures++;
      this.lastStartError = reason;
    }
    if (this.startFailures >= MAX_START_FAILURES && !this.hasServingWorker()) {
      // Every piece would wait for a process that keeps failing: answer 503 now instead.
      const error = new EngineError(
        EngineErrorCode.Unavailable,
        `Festival processes keep failing to start: ${this.lastStartError}`,
      );
      for (const job of this.queue) this.settle(job, { error });
      this.queue.length = 0;
    }
    const missing = this.poolSize - this.workers.size;
    if (missing <= 0) return;
    const delay =
      this.startFailures === 0
        ? 0
        : RESTART_BACKOFF_MS[Math.min(this.startFailures - 1, RESTART_BACKOFF_MS.length - 1)];
    if (this.restartTimer) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.closed) return;
      for (let i = this.workers.size; i < this.poolSize; i++) this.spawnWorker();
    }, delay);
  }

  private hasServingWorker(): boolean {
    return [...this.workers].some((w) => w.wasReady && w.state !== WorkerState.Dead);
  }

  private requireReady(): InstalledVoice[] {
    if (this.closed) {
      throw new EngineError(EngineErrorCode.Unavailable, 'Festival engine is shut down');
    }
    if (this.unavailable !== null || !this.installed) {
      throw new EngineError(
        EngineErrorCode.Unavailable,
        `Festival engine is unavailable: ${this.unavailable ?? 'not started'}`,
      );
    }
    if (this.startFailures >= MAX_START_FAILURES && !this.hasServingWorker()) {
      throw new EngineError(
        EngineErrorCode.Unavailable,
        `Festival processes keep failing to start: ${this.lastStartError}`,
      );
    }
    return this.installed;
  }

  /** The named voice if installed; otherwise the default voice, or one of the asked gender. */
  private pickVoice(installed: InstalledVoice[], c: FestivalConditioning): string | null {
    if (c.voice !== undefined) return installed.some((v) => v.name === c.voice) ? c.voice : null;
    if (c.gender) {
      const own = installed.find((v) => v.name === this.defaultVoice);
      if (own?.gender !== c.gender) {
        const other = installed.find((v) => v.gender === c.gender);
        if (other) return other.name;
      }
    }
    // Only one voice may be installed (festvox-us-slt-hts is female): it speaks for every voice.
    return this.defaultVoice;
  }

  private enqueue(spec: Pick<Job, 'text' | 'voice' | 'rate' | 'sampleRate' | 'signal'>): {
    job: Job;
    result: Promise<PieceResult>;
  } {
    let job!: Job;
    const result = new Promise<PieceResult>((resolve, reject) => {
      job = { ...spec, worker: null, timer: null, settled: false, detach: noop, resolve, reject };
    });
    // Listened to from now on, not from the first read: an abort before it frees the process too.
    const onAbort = () => this.cancel(job, abortError(spec.signal));
    spec.signal.addEventListener('abort', onAbort, { once: true });
    job.detach = () => spec.signal.removeEventListener('abort', onAbort);
    // Settled before anyone awaits it when the caller aborts first.
    result.catch(() => undefined);
    this.queue.push(job);
    this.dispatch();
    return { job, result };
  }

  private dispatch(): void {
    if (this.closed) return;
    for (const worker of this.workers) {
      if (this.queue.length === 0) return;
      if (worker.state !== WorkerState.Idle) continue;
      const job = this.queue.shift()!;
      job.worker = worker;
      this.running.add(job);
      job.timer = setTimeout(() => {
        this.settle(job, {
          error: new EngineError(
            EngineErrorCode.Failed,
            `Festival took longer than ${this.timeoutMs} ms on one piece; its process was replaced`,
          ),
        });
        worker.abandon(0);
      }, this.timeoutMs);
      worker
        .say({ voice: job.voice, text: job.text, rate: job.rate, sampleRate: job.sampleRate })
        .then(
          (result) => this.settle(job, { result }),
          (error: Error) =>
            this.settle(job, { error: new EngineError(EngineErrorCode.Failed, error.message) }),
        );
    }
  }

  /** Ends a job once: with its audio, or with an error (an AbortError may be a DOMException). */
  private settle(job: Job, outcome: { result: PieceResult } | { error: Error }): void {
    if (job.settled) return;
    job.settled = true;
    job.detach();
    if (job.timer) clearTimeout(job.timer);
    this.running.delete(job);
    if ('result' in outcome) job.resolve(outcome.result);
    else job.reject(outcome.error);
  }

  /** Gives up on a job: out of the queue, or its process told to drop the piece. */
  private cancel(job: Job, reason: Error): void {
    if (job.settled) return;
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    job.worker?.abandon(this.abortGraceMs);
    this.settle(job, { error: reason });
  }

  private async *stream(
    { job, result }: { job: Job; result: Promise<PieceResult> },
    signal: AbortSignal,
  ): AsyncGenerator<PcmChunk> {
    try {
      const piece = await result;
      const step = Math.max(1, Math.round((piece.sampleRate * CHUNK_MS) / 1000));
      const renderMs = Math.round(piece.renderMs);
      for (let at = 0; at < piece.samples.length || at === 0; at += step) {
        if (signal.aborted) throw abortError(signal);
        const last = at + step >= piece.samples.length;
        yield {
          samples: piece.samples.subarray(at, at + step),
          sampleRate: piece.sampleRate,
          ...(last ? { renderMs } : {}),
        };
        if (last) break;
      }
    } finally {
      // The consumer stopped early (break, or a thrown error downstream) before the piece came.
      this.cancel(job, abortError(signal));
    }
  }
}

/** `festival --version`: proves the program runs, without loading any voice. */
function festivalVersion(binary: string): Promise<{ version: string } | { missing: string }> {
  return new Promise((resolve) => {
    execFile(binary, ['--version'], { timeout: 10_000 }, (error, stdout) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        resolve({ missing: typeof code === 'string' ? code : error.message });
        return;
      }
      // "festival: Festival Speech Synthesis System: 2.5.0:release December 2017"
      const version = /(\d+\.\d+(?:\.\d+)?)/.exec(stdout)?.[1];
      resolve({ version: version ? `festival ${version}` : 'festival' });
    });
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function noop(): void {}

function failed(error: Error): AsyncIterable<PcmChunk> {
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => Promise.reject(error),
    }),
  };
}
