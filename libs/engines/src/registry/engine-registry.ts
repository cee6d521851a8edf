import {
  EngineError,
  EngineErrorCode,
  type EngineHealth,
  type PcmChunk,
  type SynthesisRequest,
  type TtsEngine,
  type VoiceConditioning,
} from '../engine.interface';
import { buildEngine, ENGINE_TYPES, type EngineFactoryOptions } from '../engine.factory';
import { BUILTIN_VOICE_PRESETS } from '../espeak/voice-presets';
import { OpenAiEngine } from '../openai/openai.engine';
import { engineConditioning } from '../voice-conditioning';
import { type BreakerState, CircuitBreaker } from './circuit-breaker';
import { EnginePool } from './engine-pool';
import {
  type BuiltinVoiceMapping,
  type EngineSpec,
  type EnginesConfig,
  validateEngines,
} from './engines-config';

/** The embedded engine: always configured, the last link of every default chain. */
export const EMBEDDED_ENGINE_ID = 'espeak';

/** What the registry tells its observer (metrics) about each engine. */
export interface EngineEvents {
  request?(engineId: string): void;
  failure?(engineId: string, code: string): void;
  firstAudio?(engineId: string, ms: number): void;
  breaker?(engineId: string, state: BreakerState): void;
}

export interface RegisteredEngine {
  readonly id: string;
  readonly type: string;
  readonly engine: TtsEngine;
  /** Servers behind it (an EnginePool has several). */
  readonly servers: number;
  /** Pieces it renders at once: its scheduler lane's workers. */
  readonly parallelism: number;
  /** Engines tried after it, in order. */
  readonly fallback: readonly string[];
  readonly breaker: CircuitBreaker;
  readonly remote: boolean;
}

/** One link of a voice's chain: the engine and that engine's conditioning for the voice. */
export interface ChainStep {
  engineId: string;
  conditioning: VoiceConditioning;
}

/** What a voice row tells the registry: its engine and its per-engine conditioning map. */
export interface VoiceBinding {
  voiceId: string;
  builtin: boolean;
  engine: string;
  conditioning: Record<string, unknown>;
}

export interface EngineStatus {
  id: string;
  type: string;
  default: boolean;
  /** `up`: answering; `down`: unreachable or its breaker is open; `probing`: half open. */
  state: 'up' | 'down' | 'probing';
  breaker: BreakerState;
  servers: number;
  concurrency: number;
  fallback: readonly string[];
  voices: readonly string[] | null;
  word_timings: boolean;
  languages: readonly string[];
  sampleRate: number;
  health: EngineHealth;
}

export interface RegistryOptions extends EngineFactoryOptions {
  /** Engine that clones uploads and speaks voices whose engine is gone (TTS_ENGINE). */
  defaultEngine?: string;
  events?: EngineEvents;
  now?: () => number;
}

/**
 * Every configured engine by id, built from the configuration through ENGINE_BUILDERS: the
 * embedded eSpeak (always), remote servers, pools of servers. Each has a circuit breaker;
 * a voice's fallback chain is resolved here; `synthesize` runs one engine and keeps its breaker
 * and the observer's counts.
 */
export class EngineRegistry {
  private readonly byId = new Map<string, RegisteredEngine>();
  readonly defaultId: string;
  private readonly builtinVoices: Record<string, BuiltinVoiceMapping>;
  private events: EngineEvents;
  private readonly now: () => number;

  constructor(config: EnginesConfig, options: RegistryOptions = {}) {
    const specs = config.engines.some((s) => s.id === EMBEDDED_ENGINE_ID)
      ? config.engines
      : [{ id: EMBEDDED_ENGINE_ID, type: 'espeak' } as EngineSpec, ...config.engines];
    const embedded = specs.find((s) => s.id === EMBEDDED_ENGINE_ID)!;
    if (embedded.type !== 'espeak') {
      throw new Error(`Engine id "${EMBEDDED_ENGINE_ID}" is reserved for the embedded engine`);
    }
    validateEngines({ engines: specs, builtinVoices: config.builtinVoices }, ENGINE_TYPES);
    this.events = options.events ?? {};
    this.now = options.now ?? Date.now;
    this.builtinVoices = config.builtinVoices;
    for (const spec of specs) this.byId.set(spec.id, this.register(spec, options));
    this.defaultId = this.checkDefault(options.defaultEngine);
  }

  /**
   * A registry of engines already built (unit tests of what sits on top of it); the first is
   * the default unless `defaultEngine` names another.
   */
  static of(
    engines: { engine: TtsEngine; id?: string; fallback?: string[]; remote?: boolean }[],
    options: Pick<RegistryOptions, 'defaultEngine' | 'events' | 'now'> = {},
  ): EngineRegistry {
    const registry = Object.create(EngineRegistry.prototype) as EngineRegistry;
    const writable = registry as unknown as {
      byId: Map<string, RegisteredEngine>;
      events: EngineEvents;
      now: () => number;
      builtinVoices: Record<string, BuiltinVoiceMapping>;
      defaultId: string;
    };
    writable.byId = new Map();
    writable.events = options.events ?? {};
    writable.now = options.now ?? Date.now;
    writable.builtinVoices = {};
    for (const { engine, id = engine.id, fallback = [], remote = false } of engines) {
      writable.byId.set(id, {
        id,
        type: id,
        engine,
        servers: 1,
        parallelism: Math.max(1, engine.capabilities.parallelism),
        fallback,
        breaker: new CircuitBreaker({
          now: () => writable.now(),
          onChange: (state) => writable.events.breaker?.(id, state),
        }),
        remote,
      });
    }
    writable.defaultId = registry.checkDefault(options.defaultEngine ?? engines[0]?.engine.id);
    return registry;
  }

  private checkDefault(name: string | undefined): string {
    const id = name?.trim().toLowerCase() || EMBEDDED_ENGINE_ID;
    if (!this.byId.has(id)) {
      throw new Error(
        `TTS_ENGINE "${id}" is not a configured engine; configured: ${this.ids().join(', ')}`,
      );
    }
    return id;
  }

  private register(spec: EngineSpec, options: RegistryOptions): RegisteredEngine {
    const urls = spec.urls ?? (spec.url ? [spec.url] : []);
    const engine =
      urls.length > 1
        ? new EnginePool(
            spec.id,
            urls.map((url) => buildEngine(options, { ...spec, url, urls: undefined })),
            spec.concurrency ?? 1,
          )
        : buildEngine(options, spec);
    const servers = Math.max(1, urls.length);
    const parallelism =
      engine instanceof EnginePool
        ? engine.capabilities.parallelism
        : (spec.concurrency ?? engine.capabilities.parallelism) * servers;
    const embedded = spec.id === EMBEDDED_ENGINE_ID;
    return {
      id: spec.id,
      type: spec.type,
      engine,
      servers,
      parallelism: Math.max(1, parallelism),
      fallback: spec.fallback ?? (embedded ? [] : [EMBEDDED_ENGINE_ID]),
      breaker: new CircuitBreaker({
        failureThreshold: spec.breakerFailures,
        cooldownMs: spec.breakerCooldownMs,
        now: () => this.now(),
        onChange: (state) => this.events.breaker?.(spec.id, state),
      }),
      remote: urls.length > 0,
    };
  }

  /** Metrics hear about every call from now on (set once the metrics exist). */
  observe(events: EngineEvents): void {
    this.events = events;
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  entries(): RegisteredEngine[] {
    return [...this.byId.values()];
  }

  get(id: string): RegisteredEngine | undefined {
    return this.byId.get(id);
  }

  /** The engine behind TTS_ENGINE: clones uploads, gives the default sample rate. */
  get defaultEngine(): TtsEngine {
    return this.byId.get(this.defaultId)!.engine;
  }

  /** The embedded engine (the default one in a registry built without it). */
  get embedded(): TtsEngine {
    return (this.byId.get(EMBEDDED_ENGINE_ID) ?? this.byId.get(this.defaultId)!).engine;
  }

  /**
   * Starts every engine. The embedded engine must start; a remote one that does not answer is
   * reported through `report` and left to its breaker and health, not fatal.
   */
  async init(report: (id: string, ok: boolean, detail: string) => void): Promise<void> {
    await Promise.all(
      this.entries().map(async (entry) => {
        try {
          await entry.engine.init();
        } catch (error) {
          if (!entry.remote) throw error;
          report(entry.id, false, error instanceof Error ? error.message : String(error));
          return;
        }
        const health = entry.engine.health();
        const failure = entry.engine instanceof OpenAiEngine ? entry.engine.lastFailure : null;
        report(entry.id, health.modelLoaded, failure ?? health.systemTts);
      }),
    );
  }

  async close(): Promise<void> {
    const results = await Promise.allSettled(this.entries().map((e) => e.engine.close()));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /**
   * The engine the voice speaks with first: a built-in voice's mapped engine, else the default
   * engine (TTS_ENGINE); any other voice's own engine while it is configured.
   */
  primaryOf(voice: VoiceBinding): string {
    if (voice.builtin) return this.builtinVoices[voice.voiceId]?.engine ?? this.defaultId;
    return this.byId.has(voice.engine) ? voice.engine : this.defaultId;
  }

  /**
   * The voice's engines in the order they are tried, each with its conditioning: its own engine,
   * then that engine's fallbacks (by default the embedded one), keeping only engines that can
   * render the voice. Empty: nothing configured can speak it.
   */
  chain(voice: VoiceBinding): ChainStep[] {
    const primary = this.primaryOf(voice);
    const mapped = voice.builtin ? this.builtinVoices[voice.voiceId] : undefined;
    const order = [primary, ...(this.byId.get(primary)?.fallback ?? [EMBEDDED_ENGINE_ID])];
    const steps: ChainStep[] = [];
    for (const id of new Set(order)) {
      const entry = this.byId.get(id);
      if (!entry) continue;
      const conditioning =
        mapped && mapped.engine === id
          ? { voice: mapped.voice }
          : (engineConditioning(voice.conditioning, id) ??
            entry.engine.conditioningFor(voice.conditioning));
      if (conditioning && entry.engine.supportsVoice(conditioning)) {
        steps.push({ engineId: id, conditioning });
      }
    }
    return steps;
  }

  /** False while the engine's breaker is open (its cool-down not over, or its probe out). */
  available(id: string): boolean {
    return this.byId.get(id)?.breaker.wouldAllow() ?? false;
  }

  /** Renders on one engine, through its breaker; counts requests, failures, first audio. */
  async *synthesize(
    id: string,
    request: SynthesisRequest,
    signal: AbortSignal,
  ): AsyncGenerator<PcmChunk> {
    const entry = this.byId.get(id);
    if (!entry)
      throw new EngineError(EngineErrorCode.Unavailable, `Engine "${id}" is not configured`);
    if (!entry.breaker.tryAcquire()) {
      throw new EngineError(
        EngineErrorCode.Unavailable,
        `Engine "${id}" is failing; its circuit breaker is open`,
      );
    }
    this.events.request?.(id);
    const started = this.now();
    let first = true;
    let settled = false;
    try {
      for await (const chunk of entry.engine.synthesize(request, signal)) {
        if (first && chunk.samples.length > 0) {
          first = false;
          this.events.firstAudio?.(id, this.now() - started);
        }
        yield chunk;
      }
      settled = true;
      entry.breaker.success();
    } catch (error) {
      settled = true;
      if (signal.aborted) {
        entry.breaker.release();
      } else {
        const code = error instanceof EngineError ? error.code : 'error';
        this.events.failure?.(id, code);
        // A refusal of the request itself, or a busy answer, shows the engine is alive.
        if (code === EngineErrorCode.Rejected || code === EngineErrorCode.Busy) {
          entry.breaker.success();
        } else {
          entry.breaker.failure();
        }
      }
      throw error;
    } finally {
      // The consumer stopped early: the call proves nothing either way.
      if (!settled) entry.breaker.release();
    }
  }

  /** Every engine with its state, voices and settings; no URLs or keys. */
  status(): EngineStatus[] {
    return this.entries().map((entry) => {
      const health = entry.engine.health();
      const breaker = entry.breaker.state;
      const voices = voicesOf(entry);
      return {
        id: entry.id,
        type: entry.type,
        default: entry.id === this.defaultId,
        state:
          breaker === 'open' || !health.modelLoaded
            ? 'down'
            : breaker === 'half_open'
              ? 'probing'
              : 'up',
        breaker,
        servers: entry.servers,
        concurrency: entry.parallelism,
        fallback: entry.fallback,
        voices,
        word_timings: entry.engine.capabilities.wordTimings,
        languages: entry.engine.capabilities.languages,
        sampleRate: entry.engine.capabilities.nativeSampleRate,
        health,
      };
    });
  }

  /** The built-in voice mappings from the configuration. */
  get builtinVoiceMappings(): Readonly<Record<string, BuiltinVoiceMapping>> {
    return this.builtinVoices;
  }
}

/** The voice names an engine offers: an upstream's list, eSpeak's built-in presets. */
function voicesOf(entry: RegisteredEngine): readonly string[] | null {
  if (entry.type === 'espeak') return Object.keys(BUILTIN_VOICE_PRESETS);
  const engine = entry.engine instanceof EnginePool ? entry.engine.servers[0] : entry.engine;
  return engine instanceof OpenAiEngine ? engine.voices : null;
}
