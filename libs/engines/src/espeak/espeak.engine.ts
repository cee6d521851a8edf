import { availableParallelism } from 'node:os';
import path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { clamp } from '@cw/util';
import {
  EngineError,
  EngineErrorCode,
  type EngineCapabilities,
  type EngineHealth,
  type EngineVoice,
  type PcmChunk,
  type SynthesisRequest,
  type TtsEngine,
  type VoiceConditioning,
  type ClonedVoice,
  type VoiceReference,
} from '../engine.interface';
import { engineConditioning } from '../voice-conditioning';
import { approximateEspeakVoice } from './espeak-cloning';
import { toEspeakPhonemes, UnsupportedPhonemeError } from './espeak-phonemes';
import type { EspeakSpan } from './espeak-text';
import { EspeakVoiceCatalog } from './espeak-voices';
import { findEspeakLibrary } from './native-espeak';
import { abortError } from '../engine-calls';
import { EspeakStream, settledStream } from './espeak-stream';
import {
  ESPEAK_SAMPLE_RATE,
  FAILED_SLOT,
  SETTLED_SLOT,
  type EspeakDescription,
  type EspeakTask,
  type EspeakVoiceInfo,
  type EspeakVoiceRef,
  type EspeakWorkerData,
  type SynthStats,
} from './espeak.protocol';
import {
  BUILTIN_VOICE_PRESETS,
  ESPEAK_RATE_MAX,
  ESPEAK_RATE_MIN,
  parseEspeakConditioning,
  type EspeakConditioning,
} from './voice-presets';

export interface EspeakEngineOptions {
  /** Worker threads, each with its own eSpeak instance; default `os.availableParallelism()`. */
  poolSize?: number;
  /** Requests that may wait for a free thread; one more makes `synthesize` throw `engine_busy`. */
  maxQueue?: number;
  /** Suggested client back-off when busy, in seconds. */
  retryAfterS?: number;
  /** Voices warmed in every thread during `init()`; default: the built-in presets. */
  warmVoices?: EspeakVoiceRef[];
  /** Compiled worker script; default: see `resolveWorkerFile`. */
  workerFile?: string;
  /** `init()` fails when the threads are not warm by then. */
  initTimeoutMs?: number;
  /** Called each time a thread finishes a synthesis task (metrics, tests). */
  onTaskDone?: (stats: SynthStats) => void;
  /**
   * Added to the threads' nice value (piscina's `niceIncrement`), so that on a busy machine they
   * yield the CPU to the event loop that hands them work and sends their audio. Default 0.
   */
  niceIncrement?: number;
  /**
   * The system's libespeak-ng (a path), about four times faster than the embedded build; `null`
   * runs the embedded build only. Default: the library where distributions install it, when
   * present (`findEspeakLibrary`), else the embedded build.
   */
  library?: string | null;
}

type EspeakPool = Piscina<EspeakTask, SynthStats | EspeakDescription>;

const QUEUE_PER_THREAD = 16;

/**
 * The default engine: eSpeak NG, one instance per worker thread: the system's libespeak-ng when
 * installed (see native-espeak.ts), else the embedded build (eSpeak compiled to JavaScript).
 * A synthesis streams through a MessagePort as eSpeak produces it (its first ~100 ms callback at
 * once, then 500 ms chunks, see ChunkBatcher); aborting flips a shared flag that the thread checks
 * in every eSpeak callback, so it stops within one callback and the (expensively warmed) thread
 * goes straight on to the next task.
 */
export class EspeakEngine implements TtsEngine {
  readonly id = 'espeak';

  private readonly niceIncrement: number;
  private readonly poolSize: number;
  private readonly maxQueue: number;
  private readonly retryAfterS: number;
  private readonly warmVoices: EspeakVoiceRef[];
  private readonly workerFile: string;
  private readonly initTimeoutMs: number;
  private readonly onTaskDone?: (stats: SynthStats) => void;
  private readonly library: string | undefined;
  private systemTts = 'espeak-ng (starting)';
  private readonly streams = new Set<EspeakStream>();
  private pool: EspeakPool | null = null;
  private catalog: EspeakVoiceCatalog | null = null;
  private starting: Promise<void> | null = null;
  private closed = false;

  constructor(options: EspeakEngineOptions = {}) {
    this.poolSize = Math.max(1, Math.floor(options.poolSize ?? availableParallelism()));
    this.maxQueue = Math.max(0, Math.floor(options.maxQueue ?? this.poolSize * QUEUE_PER_THREAD));
    this.retryAfterS = options.retryAfterS ?? 1;
    this.warmVoices =
      options.warmVoices ??
      Object.values(BUILTIN_VOICE_PRESETS).map((p) => ({
        voice: p.espeakVoice,
        variant: p.variant,
      }));
    this.workerFile = options.workerFile ?? resolveWorkerFile();
    this.initTimeoutMs = options.initTimeoutMs ?? 60_000;
    this.onTaskDone = options.onTaskDone;
    this.niceIncrement = Math.max(0, Math.floor(options.niceIncrement ?? 0));
    this.library =
      options.library === undefined ? findEspeakLibrary() : (options.library ?? undefined);
  }

  get capabilities(): EngineCapabilities {
    return {
      parallelism: this.poolSize,
      languages: this.catalog?.languages ?? [],
      nativeSampleRate: ESPEAK_SAMPLE_RATE,
      // eSpeak reads SSML natively; callers resolve it into text, speed and pitch before us.
      ssml: true,
      wordTimings: true,
      cloning: 'approximate',
      streaming: true,
      phonemes: true,
    };
  }

  init(): Promise<void> {
    this.starting ??= this.start();
    return this.starting;
  }

  /** Approximate cloning: the eSpeak setting nearest the reference's pitch and pace. */
  async cloneVoice(reference: VoiceReference): Promise<ClonedVoice> {
    return { cloning: 'approximate', conditioning: { ...approximateEspeakVoice(reference) } };
  }

  conditioningFor(voiceConditioning: Record<string, unknown>): VoiceConditioning {
    return engineConditioning(voiceConditioning, this.id) ?? {};
  }

  supportsVoice(conditioning: VoiceConditioning): boolean {
    if (!this.catalog) return false;
    const parsed = parseEspeakConditioning(conditioning);
    return parsed !== null && this.lookUp(this.catalog, parsed) !== null;
  }

  synthesize(request: SynthesisRequest, signal: AbortSignal): AsyncIterable<PcmChunk> {
    const { pool, catalog } = this.requireReady();
    const conditioning = this.resolveVoice(catalog, request.voice);
    const voice = this.voiceForLanguage(catalog, conditioning, request.language);

    if (signal.aborted) return settledStream(abortError(signal));
    if (request.text.trim() === '') return settledStream(null);
    if (pool.queueSize >= this.maxQueue) {
      throw new EngineError(
        EngineErrorCode.Busy,
        `eSpeak queue is full (${pool.queueSize} waiting for ${this.poolSize} threads)`,
        this.retryAfterS,
        'queue_full',
      );
    }

    const spans = espeakSpans(request);
    const speed = Number.isFinite(request.speed) && request.speed > 0 ? request.speed : 1;
    const pitchFactor =
      request.pitch !== undefined && Number.isFinite(request.pitch) && request.pitch > 0
        ? request.pitch
        : 1;
    const cancel = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
    const { port1, port2 } = new MessageChannel();
    const sampleRate = request.sampleRate ?? ESPEAK_SAMPLE_RATE;
    const stream = new EspeakStream(port1, new Int32Array(cancel), sampleRate, signal, () =>
      this.streams.delete(stream),
    );
    this.streams.add(stream);

    pool
      .run(
        {
          kind: 'synth',
          text: request.text,
          ...(spans.length ? { spans } : {}),
          voice,
          // Scaling the 0-99 pitch value is what eSpeak itself does for SSML prosody pitch="x%".
          pitch: clamp(Math.round(conditioning.pitch * pitchFactor), 0, 99),
          pitchRange: conditioning.pitchRange,
          rate: clamp(Math.round(conditioning.rate * speed), ESPEAK_RATE_MIN, ESPEAK_RATE_MAX),
          sampleRate,
          port: port2,
          cancel,
        },
        { transferList: [port2] },
      )
      .then(
        (result) => {
          const stats = result as SynthStats;
          this.onTaskDone?.(stats);
          stream.taskFinished(stats);
        },
        (error: unknown) => stream.taskFailed(error),
      );
    return stream;
  }

  health(): EngineHealth {
    return {
      modelLoaded: this.catalog !== null && !this.closed,
      systemTts: this.systemTts,
      streamingSupported: true,
      queueDepth: this.pool?.queueSize ?? 0,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stream of this.streams) {
      stream.fail(new EngineError(EngineErrorCode.Unavailable, 'eSpeak engine is shutting down'));
    }
    await this.starting?.catch(() => undefined);
    // The failed streams' threads stop at their next chunk (the cancel flag) and are waited for:
    // terminating a thread inside eSpeak or libsoxr (koffi calls) would abort the process.
    await this.pool?.close({ force: true });
    this.pool = null;
  }

  private async start(): Promise<void> {
    const readiness = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
    const workerData: EspeakWorkerData = {
      warmVoices: this.warmVoices,
      readiness,
      library: this.library,
    };
    const pool: EspeakPool = new Piscina({
      filename: this.workerFile,
      minThreads: this.poolSize,
      maxThreads: this.poolSize,
      workerData,
      niceIncrement: this.niceIncrement,
    });
    this.pool = pool;
    let poolError: unknown = null;
    // piscina emits 'error' for a thread dying outside a task; with no listener that would throw.
    pool.on('error', (error: unknown) => {
      poolError ??= error;
    });

    try {
      const slots = new Int32Array(readiness);
      await waitForThreads(slots, this.poolSize, this.initTimeoutMs, () => poolError);
      // A thread that failed to start answers every task with its error: ask them all to get it.
      const answers = await Promise.allSettled(
        Array.from({ length: this.poolSize }, () => pool.run({ kind: 'describe' })),
      );
      const failed = answers.find((a) => a.status === 'rejected');
      if (failed) throw failed.reason;
      if (Atomics.load(slots, FAILED_SLOT) > 0) throw new Error('a thread failed to warm eSpeak');
      const description = (answers[0] as PromiseFulfilledResult<EspeakDescription>).value;
      if (this.closed) return;
      this.catalog = new EspeakVoiceCatalog(description.voices, description.variants);
      this.systemTts = description.build;
    } catch (error) {
      this.pool = null;
      await pool.destroy();
      throw new EngineError(EngineErrorCode.Unavailable, `eSpeak failed to start: ${text(error)}`);
    }
  }

  private requireReady(): { pool: EspeakPool; catalog: EspeakVoiceCatalog } {
    if (this.closed || !this.pool || !this.catalog) {
      throw new EngineError(EngineErrorCode.Unavailable, 'eSpeak engine is not running');
    }
    return { pool: this.pool, catalog: this.catalog };
  }

  private resolveVoice(catalog: EspeakVoiceCatalog, voice: EngineVoice): EspeakConditioning {
    const parsed = parseEspeakConditioning(voice.conditioning);
    if (!parsed) {
      throw new EngineError(
        EngineErrorCode.UnknownVoice,
        `Voice ${voice.id} has no valid eSpeak conditioning`,
      );
    }
    if (!this.lookUp(catalog, parsed)) {
      const name = parsed.variant ? `${parsed.espeakVoice}+${parsed.variant}` : parsed.espeakVoice;
      throw new EngineError(
        EngineErrorCode.UnknownVoice,
        `Voice ${voice.id} uses "${name}", which eSpeak does not have`,
      );
    }
    return parsed;
  }

  private lookUp(catalog: EspeakVoiceCatalog, c: EspeakConditioning): EspeakVoiceInfo | null {
    const voice = catalog.findVoice(c.espeakVoice);
    if (!voice || (c.variant !== undefined && !catalog.hasVariant(c.variant))) return null;
    return voice;
  }

  /**
   * The voice's own eSpeak voice when it speaks the requested language (any region of it);
   * otherwise eSpeak's voice for that language, keeping the preset's variant, pitch and rate.
   */
  private voiceForLanguage(
    catalog: EspeakVoiceCatalog,
    c: EspeakConditioning,
    language: string,
  ): EspeakVoiceRef {
    const own = catalog.findVoice(c.espeakVoice)!;
    const code = language.trim();
    let voice = own;
    if (code !== '' && !catalog.speaks(own, code)) {
      const other = catalog.voiceForLanguage(code);
      if (!other) {
        throw new EngineError(
          EngineErrorCode.UnsupportedLanguage,
          `eSpeak has no voice for language "${code}"`,
        );
      }
      voice = other;
    }
    return { voice: voice.identifier, variant: c.variant };
  }
}

/** A request's pronunciations as eSpeak input; phonemes the converter cannot read fail here. */
function espeakSpans(request: SynthesisRequest): EspeakSpan[] {
  return (request.pronunciations ?? []).map(({ start, end, say }) => {
    if (say.kind === 'alias') return { start, end, input: say.text, raw: false };
    try {
      return { start, end, input: toEspeakPhonemes(say.phoneme, say.alphabet), raw: true };
    } catch (error) {
      if (error instanceof UnsupportedPhonemeError) {
        throw new EngineError(EngineErrorCode.Failed, error.message);
      }
      throw error;
    }
  });
}

async function waitForThreads(
  slots: Int32Array,
  threads: number,
  timeoutMs: number,
  poolError: () => unknown,
): Promise<void> {
  // Atomics.waitAsync is in Node 20 but not in the ES2022 lib typings.
  const atomics = Atomics as unknown as {
    waitAsync(
      array: Int32Array,
      index: number,
      value: number,
      timeout: number,
    ): { async: boolean; value: unknown };
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const settled = Atomics.load(slots, SETTLED_SLOT);
    if (settled >= threads) return;
    const error = poolError();
    if (error instanceof Error) throw error;
    if (error) throw new Error('a pool thread failed');
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new Error(`only ${settled} of ${threads} threads were warm after ${timeoutMs} ms`);
    }
    // The short timeout also lets a pool error that never touches the slots end the wait.
    const result = atomics.waitAsync(slots, SETTLED_SLOT, settled, Math.min(remaining, 250));
    if (result.async) await result.value;
  }
}

/**
 * In production the compiled worker sits beside this file. Under ts-jest this file runs from its
 * `.ts` source, and a worker thread cannot load TypeScript, so use the compiled copy that
 * `npm test` builds first: `<repo>/dist/<same relative path>/espeak.worker.js`.
 */
function resolveWorkerFile(): string {
  if (__filename.endsWith('.ts')) {
    const repoRoot = path.resolve(__dirname, '../../../..');
    return path.join(repoRoot, 'dist', path.relative(repoRoot, __dirname), 'espeak.worker.js');
  }
  return path.join(__dirname, 'espeak.worker.js');
}

function text(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
