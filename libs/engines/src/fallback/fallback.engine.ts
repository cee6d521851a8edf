import {
  EngineError,
  EngineErrorCode,
  type ClonedVoice,
  type EngineCapabilities,
  type EngineHealth,
  type PcmChunk,
  type SynthesisRequest,
  type TtsEngine,
  type VoiceConditioning,
  type VoiceReference,
} from '../engine.interface';
import { engineConditioning } from '../voice-conditioning';

export interface FallbackEngineOptions {
  /**
   * After the primary was unavailable, voices the fallback can render skip the primary for this
   * long, so a hung primary costs one timeout per period rather than one per sentence. 0 = try
   * the primary every time.
   */
  cooldownMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export interface FallbackEngineHealth extends EngineHealth {
  /** The primary was unavailable recently: speech is coming from the fallback engine. */
  fallbackMode: boolean;
  fallback: EngineHealth & { id: string };
}

const DEFAULT_COOLDOWN_MS = 5_000;

/**
 * Serves a primary engine and, when the primary is unavailable before producing any audio, a
 * fallback engine in its place (XTTS first, the embedded eSpeak when the XTTS server is down).
 *
 * Voice conditioning is a map keyed by engine id (`{ xtts: {...}, espeak: {...} }`): each engine
 * gets its own part. Each chunk carries the `engineId` of the engine that produced it and that
 * engine's `sampleRate`, which may differ from `capabilities.nativeSampleRate` (the primary's):
 * eSpeak speaks at 22050 Hz, XTTS at 24000 Hz. Consumers must resample by `chunk.sampleRate`.
 */
export class FallbackEngine implements TtsEngine {
  readonly id: string;
  /** Present when the primary clones; the conditioning it returns is the primary's part. */
  readonly cloneVoice?: (reference: VoiceReference, signal?: AbortSignal) => Promise<ClonedVoice>;

  private readonly cooldownMs: number;
  private readonly now: () => number;
  private primaryDownUntil = Number.NEGATIVE_INFINITY;

  constructor(
    readonly primary: TtsEngine,
    readonly fallback: TtsEngine,
    options: FallbackEngineOptions = {},
  ) {
    if (primary.id === fallback.id) {
      throw new Error(`A fallback engine needs two different engines, got "${primary.id}" twice`);
    }
    this.id = primary.id;
    this.cooldownMs = Math.max(0, options.cooldownMs ?? DEFAULT_COOLDOWN_MS);
    this.now = options.now ?? Date.now;
    const clone = primary.cloneVoice?.bind(primary);
    if (clone) this.cloneVoice = (reference, signal) => clone(reference, signal);
  }

  get capabilities(): EngineCapabilities {
    return this.primary.capabilities;
  }

  /** Both engines; the fallback must start, or there is nothing to fall back on. */
  async init(): Promise<void> {
    await Promise.all([this.primary.init(), this.fallback.init()]);
  }

  /** The whole map: it hands each of its engines their own part. */
  conditioningFor(voiceConditioning: Record<string, unknown>): VoiceConditioning {
    return voiceConditioning;
  }

  supportsVoice(conditioning: VoiceConditioning): boolean {
    return (
      this.partFor(this.primary, conditioning) !== null ||
      this.partFor(this.fallback, conditioning) !== null
    );
  }

  synthesize(request: SynthesisRequest, signal: AbortSignal): AsyncIterable<PcmChunk> {
    const conditioning = request.voice.conditioning;
    const primaryPart = this.partFor(this.primary, conditioning);
    const fallbackPart = this.partFor(this.fallback, conditioning);
    if (!primaryPart && !fallbackPart) {
      throw new EngineError(
        EngineErrorCode.UnknownVoice,
        `Voice ${request.voice.id} has no conditioning for ${this.primary.id} or ${this.fallback.id}`,
      );
    }
    return this.run(request, primaryPart, fallbackPart, signal);
  }

  health(): FallbackEngineHealth {
    const primary = this.primary.health();
    const fallback = this.fallback.health();
    return {
      ...primary,
      queueDepth: primary.queueDepth + fallback.queueDepth,
      fallbackMode: this.inCooldown(),
      fallback: { id: this.fallback.id, ...fallback },
    };
  }

  async close(): Promise<void> {
    const results = await Promise.allSettled([this.primary.close(), this.fallback.close()]);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async *run(
    request: SynthesisRequest,
    primaryPart: VoiceConditioning | null,
    fallbackPart: VoiceConditioning | null,
    signal: AbortSignal,
  ): AsyncGenerator<PcmChunk> {
    const skipPrimary = !primaryPart || (fallbackPart !== null && this.inCooldown());
    if (!skipPrimary) {
      let started = false;
      try {
        const chunks = this.primary.synthesize(withVoice(request, primaryPart), signal);
        for await (const chunk of chunks) {
          started = true;
          yield { ...chunk, engineId: this.primary.id };
        }
        return;
      } catch (error) {
        // Once audio went out, switching voices mid-sentence would be worse than failing.
        if (started || signal.aborted || !isUnavailable(error)) throw error;
        this.primaryDownUntil = this.now() + this.cooldownMs;
        if (!fallbackPart) throw error;
      }
    }
    for await (const chunk of this.fallback.synthesize(withVoice(request, fallbackPart!), signal)) {
      yield { ...chunk, engineId: this.fallback.id };
    }
  }

  /** The engine's own part of a conditioning map, when it can render it. */
  private partFor(engine: TtsEngine, conditioning: VoiceConditioning): VoiceConditioning | null {
    const part = engineConditioning(conditioning, engine.id);
    return part !== null && engine.supportsVoice(part) ? part : null;
  }

  private inCooldown(): boolean {
    return this.now() < this.primaryDownUntil;
  }
}

function withVoice(request: SynthesisRequest, conditioning: VoiceConditioning): SynthesisRequest {
  return { ...request, voice: { id: request.voice.id, conditioning } };
}

function isUnavailable(error: unknown): boolean {
  return error instanceof EngineError && error.code === EngineErrorCode.Unavailable;
}
