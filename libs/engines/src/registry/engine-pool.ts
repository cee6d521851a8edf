import {
  type ClonedVoice,
  EngineError,
  EngineErrorCode,
  type EngineCapabilities,
  type VoiceReference,
  type EngineHealth,
  type PcmChunk,
  type SynthesisRequest,
  type TtsEngine,
  type VoiceConditioning,
} from '../engine.interface';

interface Member {
  engine: TtsEngine;
  inFlight: number;
}

/**
 * Several servers of one engine sharing its load: each piece goes to the reachable server with
 * the fewest requests in flight (each serves at most `concurrency` at once; the scheduler lane
 * in front of the pool holds the sum), and a server that cannot answer before its first audio
 * hands the piece to the next one.
 */
export class EnginePool implements TtsEngine {
  readonly capabilities: EngineCapabilities;
  private readonly members: Member[];
  private turn = 0;
  /** Present when the servers clone: any reachable one computes the conditioning. */
  readonly cloneVoice?: (reference: VoiceReference, signal?: AbortSignal) => Promise<ClonedVoice>;

  constructor(
    readonly id: string,
    engines: TtsEngine[],
    private readonly concurrency: number,
  ) {
    if (engines.length === 0) throw new Error(`Engine "${id}" has no servers`);
    this.members = engines.map((engine) => ({ engine, inFlight: 0 }));
    this.capabilities = {
      ...engines[0].capabilities,
      parallelism: concurrency * engines.length,
    };
    if (engines[0].cloneVoice) this.cloneVoice = (ref, signal) => this.clone(ref, signal);
  }

  private async clone(reference: VoiceReference, signal?: AbortSignal): Promise<ClonedVoice> {
    const tried = new Set<Member>();
    let lastError: EngineError | undefined;
    for (let member = this.pick(tried); member; member = this.pick(tried)) {
      tried.add(member);
      try {
        return await member.engine.cloneVoice!(reference, signal);
      } catch (error) {
        if (signal?.aborted || !isUnavailable(error)) throw error;
        lastError = error as EngineError;
      }
    }
    throw lastError ?? new EngineError(EngineErrorCode.Unavailable, `${this.id}: no server`);
  }

  /** Requests in flight on each server, in configuration order. */
  get load(): number[] {
    return this.members.map((m) => m.inFlight);
  }

  get servers(): readonly TtsEngine[] {
    return this.members.map((m) => m.engine);
  }

  async init(): Promise<void> {
    await Promise.all(this.members.map((m) => m.engine.init()));
  }

  conditioningFor(voiceConditioning: Record<string, unknown>): VoiceConditioning {
    return this.members[0].engine.conditioningFor(voiceConditioning);
  }

  supportsVoice(conditioning: VoiceConditioning): boolean {
    return this.members[0].engine.supportsVoice(conditioning);
  }

  async *synthesize(request: SynthesisRequest, signal: AbortSignal): AsyncGenerator<PcmChunk> {
    const tried = new Set<Member>();
    let lastError: EngineError | undefined;
    for (let member = this.pick(tried); member; member = this.pick(tried)) {
      tried.add(member);
      member.inFlight++;
      let started = false;
      try {
        for await (const chunk of member.engine.synthesize(request, signal)) {
          started = true;
          yield chunk;
        }
        return;
      } catch (error) {
        if (started || signal.aborted || !isUnavailable(error)) throw error;
        lastError = error as EngineError;
      } finally {
        member.inFlight--;
      }
    }
    throw lastError ?? new EngineError(EngineErrorCode.Unavailable, `${this.id}: no server`);
  }

  health(): EngineHealth {
    const all = this.members.map((m) => m.engine.health());
    return {
      modelLoaded: all.some((h) => h.modelLoaded),
      systemTts: all.map((h) => h.systemTts).join('; '),
      streamingSupported: all[0].streamingSupported,
      queueDepth: all.reduce((n, h) => n + h.queueDepth, 0),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.members.map((m) => m.engine.close()));
  }

  /** Reachable before unreachable, then the least loaded, ties taken in turn. */
  private pick(tried: Set<Member>): Member | undefined {
    const start = this.turn++ % this.members.length;
    let best: Member | undefined;
    let bestScore = Infinity;
    for (let i = 0; i < this.members.length; i++) {
      const member = this.members[(start + i) % this.members.length];
      if (tried.has(member)) continue;
      const full = member.inFlight >= this.concurrency ? 1000 : 0;
      const down = member.engine.health().modelLoaded ? 0 : 100;
      const score = full + down + member.inFlight;
      if (score < bestScore) {
        best = member;
        bestScore = score;
      }
    }
    return best;
  }
}

function isUnavailable(error: unknown): boolean {
  return error instanceof EngineError && error.code === EngineErrorCode.Unavailable;
}
