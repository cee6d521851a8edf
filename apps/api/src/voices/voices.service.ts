import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { AudioError, AudioErrorCode, type ReferenceAnalysis } from '@cw/audio';
import {
  BUILTIN_VOICE_PRESETS,
  EMBEDDED_ENGINE_ID,
  EngineRegistry,
  portableConditioning,
  TTS_ENGINE,
  type ClonedVoice,
  type TtsEngine,
  type VoiceBinding,
} from '@cw/engines';
import { randomBase62 } from '../common/random-id';
import type { Tenant } from '../tenants/tenant.entity';
import { ReferenceAnalyzer } from './analysis/reference-analyzer';
import type {
  CreateEngineVoiceDto,
  NewVoiceDetailsDto,
  UpdateVoiceDto,
  UploadVoiceDto,
} from './dto/voice.dto';
import { referenceKey, VOICE_STORAGE, type VoiceStorage } from './storage/voice-storage';
import type { Voice } from './voice.entity';
import { VoicesRepository, type VoicesTransaction } from './voices.repository';
import { VoiceErrorCode, VoiceException } from './voices.exception';
import { echo } from '../common/errors/echo';
import { ChangeFeedService } from '../change-feed/change-feed.service';
import { TenantCache } from '../change-feed/tenant-cache';

export const MIN_REFERENCE_MS = 3000;
export const MAX_REFERENCE_MS = 60000;
/** Public ids of uploaded voices: random, so one tenant cannot guess another's. */
const newVoiceId = (): string => `v_${randomBase62(20)}`;

/** The columns every new voice fills from its request the same way, with a new public id. */
function newVoiceDetails(dto: NewVoiceDetailsDto) {
  return {
    voiceId: newVoiceId(),
    name: dto.name,
    description: dto.description ?? null,
    language: dto.language ?? 'en',
    gender: dto.gender ?? null,
    accent: null,
  };
}

@Injectable()
export class VoicesService {
  private readonly logger = new Logger(VoicesService.name);
  /**
   * Every synthesis resolves its voice and every listing reads the tenant's voices: both are
   * kept per tenant until the tenant's voices (or the built-ins) change, on any replica.
   * Cached rows are shared between requests: read them, never change them.
   */
  private readonly cache: TenantCache<Voice | null | Voice[]>;

  constructor(
    private readonly voices: VoicesRepository,
    @Inject(VOICE_STORAGE) private readonly storage: VoiceStorage,
    @Inject(TTS_ENGINE) private readonly engine: TtsEngine,
    @Inject(EngineRegistry) private readonly registry: EngineRegistry,
    private readonly analyzer: ReferenceAnalyzer,
    private readonly changes: ChangeFeedService,
  ) {
    this.cache = new TenantCache(changes, {
      name: 'voices',
      tables: ['voices'],
      max: 10_000,
    });
  }

  /** Whether the default engine reports word timings (a voice's own engine may differ). */
  get wordTimings(): boolean {
    return this.engine.capabilities.wordTimings;
  }

  /** What the engine registry needs to route a voice: its engine and conditioning map. */
  bindingOf(voice: Voice): VoiceBinding {
    return {
      voiceId: voice.voiceId,
      builtin: voice.source === 'builtin',
      engine: voice.engine,
      conditioning: voice.conditioning,
    };
  }

  /**
   * The engine that speaks the voice first, that engine's voice name, and whether it reports
   * word timings (without them timings are estimated).
   */
  engineOf(voice: Voice): { engine: string; engineVoice: string | null; wordTimings: boolean } {
    const binding = this.bindingOf(voice);
    const engine = this.registry.primaryOf(binding);
    const mapped = binding.builtin ? this.registry.builtinVoiceMappings[voice.voiceId] : undefined;
    return {
      engine,
      engineVoice: mapped?.voice ?? voice.engineVoice,
      wordTimings: this.registry.get(engine)?.engine.capabilities.wordTimings ?? false,
    };
  }

  /**
   * A tenant's voice on one of an engine's own voices, without audio: `{engine: "openai",
   * engine_voice: "af_heart"}`. The embedded engine's fallback is the nearest built-in voice.
   */
  async createEngineVoice(tenant: Tenant, dto: CreateEngineVoiceDto): Promise<Voice> {
    const engineId = dto.engine.trim().toLowerCase();
    const entry = this.registry.get(engineId);
    const named = this.registry
      .status()
      .filter((s) => s.voices !== null)
      .map((s) => s.id);
    if (!entry || !named.includes(engineId)) {
      throw new VoiceException(
        VoiceErrorCode.UnknownEngine,
        `Engine '${echo(dto.engine)}' has no named voices here; use one of: ${named.join(', ')} (cloned voices are made with POST /v1/voices/upload)`,
        { engines: named },
      );
    }
    const voices = this.registry.status().find((s) => s.id === engineId)?.voices ?? [];
    const known = voices.length === 0 || voices.includes(dto.engine_voice);
    if (!known) {
      throw new VoiceException(
        VoiceErrorCode.UnknownEngineVoice,
        `Engine '${engineId}' has no voice '${echo(dto.engine_voice)}'; its voices: ${voices.join(', ')}`,
        { engine: engineId, voices },
      );
    }
    const own =
      entry.type === 'espeak'
        ? { ...BUILTIN_VOICE_PRESETS[dto.engine_voice] }
        : { voice: dto.engine_voice };
    const conditioning: Record<string, unknown> = {
      [EMBEDDED_ENGINE_ID]: { ...BUILTIN_VOICE_PRESETS[nearestBuiltinVoice(dto)] },
      [engineId]: own,
    };
    return this.writeLocked(tenant.id, async (tx, maxVoices) => {
      await this.checkLimit(tx.countOwnVoices(), maxVoices);
      return tx.insertVoice({
        id: randomUUID(),
        ...newVoiceDetails(dto),
        source: 'engine',
        engine: engineId,
        engineVoice: dto.engine_voice,
        referenceStorageKey: null,
        referenceSha256: null,
        referenceDurationMs: null,
        referenceSampleRate: null,
        referenceChannels: null,
        referenceFormat: null,
        cloning: 'none',
        conditioning,
      });
    });
  }

  /** A write under the tenant's voice lock; this replica's cache hears of it at once. */
  private async writeLocked<T>(
    tenantUuid: string,
    work: (tx: VoicesTransaction, maxVoices: number) => Promise<T>,
  ): Promise<T> {
    try {
      return await this.voices.withTenantVoicesLocked(tenantUuid, work);
    } finally {
      this.changes.changed('voices', tenantUuid);
    }
  }

  private async checkLimit(count: Promise<number>, maxVoices: number): Promise<void> {
    if ((await count) >= maxVoices) {
      throw new VoiceException(
        VoiceErrorCode.LimitReached,
        `Voice limit reached: this tenant may have at most ${maxVoices} voices. Delete one first.`,
        { max_voices: maxVoices },
      );
    }
  }

  countVisibleVoices(tenantUuid: string): Promise<{ builtin: number; uploaded: number }> {
    return this.voices.countVisibleVoices(tenantUuid);
  }

  async listVoices(tenantUuid: string): Promise<readonly Voice[]> {
    return (await this.cache.get(tenantUuid, 'list', () =>
      this.voices.listVisibleVoices(tenantUuid),
    )) as Voice[];
  }

  /** Resolves a voice for this tenant; unknown and other tenants' voices look the same (404). */
  listBuiltinVoices(): Promise<Voice[]> {
    return this.voices.listBuiltinVoices();
  }

  async getVoice(tenantUuid: string, voiceId: string): Promise<Voice> {
    const voice = (await this.cache.get(tenantUuid, `voice:${voiceId}`, () =>
      this.voices.findVisibleVoice(tenantUuid, voiceId),
    )) as Voice | null;
    if (!voice)
      throw new VoiceException(
        VoiceErrorCode.NotFound,
        `Voice profile '${echo(voiceId)}' not found`,
      );
    return voice;
  }

  /**
   * Validates and measures the reference, clones it with the engine, then stores file and row
   * together under the tenant's lock: the limit holds under concurrency, and a failure leaves
   * neither a row nor a file.
   */
  async upload(
    tenant: Tenant,
    dto: UploadVoiceDto,
    bytes: Buffer,
  ): Promise<{ voice: Voice; message: string }> {
    const analysis = await this.analyze(bytes);
    const cloned = await this.clone(analysis);
    const id = randomUUID();
    const key = referenceKey(tenant.id, id);
    let stored = false;
    try {
      const voice = await this.writeLocked(tenant.id, async (tx, maxVoices) => {
        await this.checkLimit(tx.countOwnVoices(), maxVoices);
        await this.storage.put(key, analysis.wav24k);
        stored = true;
        return tx.insertVoice({
          id,
          ...newVoiceDetails(dto),
          source: 'uploaded',
          engine: this.engine.id,
          engineVoice: null,
          referenceStorageKey: key,
          referenceSha256: createHash('sha256').update(analysis.wav24k).digest('hex'),
          referenceDurationMs: Math.round(analysis.durationMs),
          referenceSampleRate: analysis.originalSampleRate,
          referenceChannels: analysis.channels,
          referenceFormat: analysis.format,
          cloning: cloned.cloning,
          conditioning: this.conditioningFor(analysis, cloned),
        });
      });
      return { voice, message: `Voice uploaded and cloned (${cloned.cloning})` };
    } catch (err) {
      if (stored)
        await this.storage
          .delete(key)
          .catch((e: unknown) => this.logger.error({ err: e }, 'orphan cleanup failed'));
      throw err;
    }
  }

  async updateVoice(tenantUuid: string, voiceId: string, dto: UpdateVoiceDto): Promise<Voice> {
    const voice = await this.ownVoice(tenantUuid, voiceId);
    await this.voices.updateVoice(tenantUuid, voice.id, {
      name: dto.name,
      description: dto.description,
    });
    this.changes.changed('voices', tenantUuid);
    return this.getVoice(tenantUuid, voiceId);
  }

  async deleteVoice(tenantUuid: string, voiceId: string): Promise<void> {
    const voice = await this.ownVoice(tenantUuid, voiceId);
    await this.voices.deleteVoice(tenantUuid, voice.id);
    this.changes.changed('voices', tenantUuid);
    if (voice.referenceStorageKey) {
      await this.storage
        .delete(voice.referenceStorageKey)
        .catch((err: unknown) =>
          this.logger.error({ err, voiceId }, 'reference audio not deleted'),
        );
    }
  }

  async referenceAudio(tenantUuid: string, voiceId: string): Promise<Buffer> {
    const voice = await this.getVoice(tenantUuid, voiceId);
    if (!voice.referenceStorageKey) {
      throw new VoiceException(
        VoiceErrorCode.NoReference,
        `Voice '${echo(voiceId)}' has no reference audio`,
      );
    }
    return this.storage.get(voice.referenceStorageKey);
  }

  /** The tenant's own voice; built-in voices are visible but not theirs to change. */
  private async ownVoice(tenantUuid: string, voiceId: string): Promise<Voice> {
    const voice = await this.getVoice(tenantUuid, voiceId);
    if (voice.source === 'builtin') {
      throw new VoiceException(
        VoiceErrorCode.BuiltinVoice,
        `Voice '${echo(voiceId)}' is built in and cannot be changed or deleted`,
      );
    }
    return voice;
  }

  private async analyze(bytes: Buffer): Promise<ReferenceAnalysis> {
    let analysis: ReferenceAnalysis;
    try {
      analysis = await this.analyzer.analyze(bytes, MAX_REFERENCE_MS + 1000);
    } catch (err) {
      if (err instanceof AudioError && err.code === AudioErrorCode.AudioBusy) {
        throw new VoiceException(
          VoiceErrorCode.UploadBusy,
          'Too many uploads are being processed; retry shortly',
          {},
          { 'Retry-After': '1' },
        );
      }
      if (err instanceof AudioError && err.code === AudioErrorCode.AudioTooLong) {
        throw new VoiceException(
          VoiceErrorCode.AudioTooLong,
          'Audio is too long (over 60 s): a voice reference must be 3 to 60 seconds long',
        );
      }
      if (err instanceof AudioError && err.code === AudioErrorCode.TooManyChannels) {
        throw new VoiceException(
          VoiceErrorCode.TooManyChannels,
          `Audio has too many channels: ${err.message}. Upload a mono or stereo recording`,
        );
      }
      if (err instanceof AudioError) {
        throw new VoiceException(VoiceErrorCode.InvalidAudio, 'File must be an audio file', {
          reason: err.message,
        });
      }
      throw err;
    }
    const seconds = (analysis.durationMs / 1000).toFixed(1);
    if (analysis.durationMs < MIN_REFERENCE_MS) {
      throw new VoiceException(
        VoiceErrorCode.AudioTooShort,
        `Audio is too short (${seconds} s): a voice reference must be 3 to 60 seconds long`,
      );
    }
    if (analysis.durationMs > MAX_REFERENCE_MS) {
      throw new VoiceException(
        VoiceErrorCode.AudioTooLong,
        `Audio is too long (${seconds} s): a voice reference must be 3 to 60 seconds long`,
      );
    }
    if (analysis.silent) {
      throw new VoiceException(
        VoiceErrorCode.AudioSilent,
        `Audio is silent (level ${analysis.rmsDbfs.toFixed(0)} dBFS): record 3 to 60 seconds of clear speech`,
      );
    }
    return analysis;
  }

  /**
   * The engine's own clone, plus the portable approximation every deployment can render: the
   * voice keeps speaking when a remote engine is down or the deployment changes engine.
   */
  private conditioningFor(
    analysis: ReferenceAnalysis,
    cloned: { conditioning: object },
  ): Record<string, unknown> {
    return { ...portableConditioning(analysis), [this.engine.id]: cloned.conditioning };
  }

  private async clone(
    analysis: ReferenceAnalysis,
  ): Promise<ClonedVoice | { cloning: 'none'; conditioning: object }> {
    // An engine without cloning still stores the reference; the voice then speaks its default.
    if (!this.engine.cloneVoice) return { cloning: 'none', conditioning: {} };
    return this.engine.cloneVoice({
      wav: analysis.wav24k,
      durationMs: analysis.durationMs,
      f0MedianHz: analysis.f0MedianHz,
      speakingRate: analysis.speakingRate,
    });
  }
}

/**
 * The built-in voice closest to a voice on another engine: by the gender given, else by the
 * Kokoro-style name (`af_…` female, `am_…` male), else the default voice.
 */
export function nearestBuiltinVoice(dto: { gender?: string; engine_voice: string }): string {
  const gender =
    dto.gender ?? ({ f: 'female', m: 'male' } as Record<string, string>)[dto.engine_voice[1] ?? ''];
  if (gender === 'female') return 'professional_female';
  if (gender === 'male') return 'professional_male';
  return 'default';
}
