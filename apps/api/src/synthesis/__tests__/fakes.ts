import type { LexiconRule } from '@cw/text';
import type { PronunciationService } from '../../pronunciation/pronunciation.service';
import { TEST_SCHEDULER_OPTIONS } from '../../scheduling/__tests__/scheduler-options';
import { SpeechScheduler } from '../../scheduling/speech-scheduler';
import { loadConfig } from '@cw/config';
import { MetricsService } from '../../metrics/metrics.service';
import { PhraseCacheService } from '../../phrase-cache/phrase-cache.service';
import { EngineRegistry, type PcmChunk, type SynthesisRequest, type TtsEngine } from '@cw/engines';
import type { RequestContext } from '../../common/request-context/request-context';
import type { Tenant } from '../../tenants/tenant.entity';
import {
  MeteredSynthesis,
  type MeterReading,
  type MeterStart,
  type SynthesisMeterService,
} from '../../usage/synthesis-meter.service';
import type { UsageStatus } from '../../usage/usage-event.entity';
import type { Voice } from '../../voices/voice.entity';
import { VoiceErrorCode, VoiceException } from '../../voices/voices.exception';
import type { VoicesService } from '../../voices/voices.service';
import { SynthesisService } from '../synthesis.service';
import { AudioEncoders } from '../audio-encoders';
import { echo } from '../../common/errors/echo';

export const NATIVE_RATE = 16000;

export const tenant = { id: 'tenant-uuid', tenantId: 'acme' } as Tenant;
export const ctx: RequestContext = { tenant, apiKeyId: 'key-1', requestId: 'req-1' };

/** What the fake engine does with one piece of text. */
export interface PieceScript {
  /** Chunks of samples to yield (each `samples` long); default 2. */
  chunks?: number;
  samples?: number;
  /** Resolved before each chunk; lets a test hold the engine mid-piece. */
  before?: (index: number) => Promise<void>;
  /** Thrown instead of audio. */
  error?: Error;
  /** Reported as the engine that spoke (a fallback). */
  engineId?: string;
}

/**
 * A speech engine that speaks every piece as constant samples, one word timing per chunk, and can
 * be told per text to fail, pause or answer as another engine. Records what it was asked and how
 * many chunks were pulled.
 */
export class FakeEngine implements TtsEngine {
  readonly id = 'fake';
  readonly capabilities = {
    parallelism: 2,
    languages: ['en'],
    nativeSampleRate: NATIVE_RATE,
    ssml: false,
    wordTimings: true,
    cloning: 'none' as const,
    streaming: true,
  };
  readonly requests: SynthesisRequest[] = [];
  pulled = 0;
  script: (text: string) => PieceScript = () => ({});

  init(): Promise<void> {
    return Promise.resolve();
  }

  supportsVoice(): boolean {
    return true;
  }

  conditioningFor(conditioning: Record<string, unknown>): Record<string, unknown> {
    return conditioning;
  }

  async *synthesize(request: SynthesisRequest, signal: AbortSignal): AsyncGenerator<PcmChunk> {
    this.requests.push(request);
    const script = this.script(request.text);
    if (script.error) throw script.error;
    const count = script.chunks ?? 2;
    const samples = script.samples ?? 1600;
    for (let i = 0; i < count; i++) {
      await script.before?.(i);
      signal.throwIfAborted();
      this.pulled++;
      yield {
        samples: new Int16Array(samples).fill(1000),
        sampleRate: NATIVE_RATE,
        engineId: script.engineId,
        words: [{ word: `w${i}`, startMs: i * 100, endMs: i * 100 + 80 }],
      };
    }
  }

  health() {
    return { modelLoaded: true, systemTts: 'fake', streamingSupported: true, queueDepth: 0 };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export function fakeVoices(): VoicesService & { lookups: string[] } {
  const lookups: string[] = [];
  return {
    lookups,
    getVoice: (_tenantUuid: string, voiceId: string) => {
      lookups.push(voiceId);
      if (voiceId === 'missing') {
        return Promise.reject(
          new VoiceException(VoiceErrorCode.NotFound, `Voice profile '${echo(voiceId)}' not found`),
        );
      }
      return Promise.resolve({ voiceId, conditioning: {} } as unknown as Voice);
    },
    bindingOf: (voice: Voice) => ({
      voiceId: voice.voiceId,
      builtin: false,
      engine: 'fake',
      conditioning: voice.conditioning,
    }),
  } as unknown as VoicesService & { lookups: string[] };
}

export interface FinishedMeter {
  reading: MeterReading;
  status: UsageStatus;
  errorCode: string | null;
}

/** A meter service that admits everything and remembers each finished synthesis. */
export class FakeMeters {
  readonly started: MeterStart[] = [];
  readonly finished: FinishedMeter[] = [];
  released = 0;

  begin(start: MeterStart): Promise<MeteredSynthesis> {
    this.started.push(start);
    return Promise.resolve(
      new MeteredSynthesis(
        start,
        () => this.released++,
        (reading, status, errorCode) => this.finished.push({ reading, status, errorCode }),
      ),
    );
  }

  asService(): SynthesisMeterService {
    return this as unknown as SynthesisMeterService;
  }
}

/**
 * A tenant whose dictionaries hold `rules` (none by default); the real service, on PostgreSQL,
 * is covered by test/pronunciation.e2e-spec.ts.
 */
export function noPronunciations(rules: LexiconRule[] = []): PronunciationService {
  return {
    resolveForSynthesis: () =>
      Promise.resolve({
        rules,
        dictionaries: rules.length ? [{ id: 'pd_test', version: 1 }] : [],
      }),
  } as unknown as PronunciationService;
}

/** A real scheduler in front of the fake engine; pacing is off (a lead of an hour). */
export function synthesisWith(
  engine: FakeEngine,
  voices = fakeVoices(),
  env: Record<string, string> = {},
  pronunciations = noPronunciations(),
): SynthesisService {
  const registry = EngineRegistry.of([{ engine }]);
  const scheduler = new SpeechScheduler(
    (request, signal, lane) => registry.synthesize(lane, request, signal),
    {
      ...TEST_SCHEDULER_OPTIONS,
      defaultLane: engine.id,
      parallelism: engine.capabilities.parallelism,
      leadMs: 3_600_000,
      wholeFileSlackMs: 250,
      smoothing: 0.05,
    },
  );
  const config = loadConfig(env);
  return new SynthesisService(
    engine,
    registry,
    voices,
    scheduler,
    config,
    pronunciations,
    new AudioEncoders(config),
  );
}

export const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A promise and the function that settles it. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** The real phrase cache (memory only; off with PHRASE_CACHE_MAX_BYTES=0), with real metrics. */
export function phraseCache(env: Record<string, string> = {}): PhraseCacheService {
  const config = loadConfig(env);
  return new PhraseCacheService(
    config,
    null,
    new MetricsService(config, EngineRegistry.of([{ engine: new FakeEngine() }])),
  );
}
