import { Inject, Injectable, Logger } from '@nestjs/common';
import { type AudioFormat, durationMs, WAV_HEADER_BYTES } from '@cw/audio';
import { APP_CONFIG, type AppConfig } from '@cw/config';
import { MetricsService } from '../metrics/metrics.service';
import type { Tenant } from '../tenants/tenant.entity';
import { SlotReservation } from './slot-reservation';
import { StreamSlotsService } from './stream-slots.service';
import type { UsageStatus } from './usage-event.entity';
import { UsageErrorCode, UsageException } from './usage.exception';
import { UsageRecorder } from './usage.recorder';
import { UsageService } from './usage.service';

export interface MeterStart {
  tenant: Tenant;
  apiKeyId: string | null;
  requestId: string;
  endpoint: string;
  streaming: boolean;
  /** Characters known at admission; a WebSocket session adds its text as it comes. */
  characters: number;
  /** The slot asked for with the request's rate limit (see `ReservesStreamSlot`). */
  reservation?: SlotReservation;
}

/** What will speak, known once the request's voice and output are settled. */
export interface MeteredSpeech {
  voiceId: string;
  /** The configured engine; `spokeWith` records the one that really answered. */
  engine: string;
  format: AudioFormat;
  sampleRate: number;
}

/** Everything one usage row, metric and log line are made of. */
export interface MeterReading {
  start: MeterStart;
  characters: number;
  voiceId: string | null;
  engine: string | null;
  format: AudioFormat | null;
  bytes: number;
  audioMs: number;
  ttfbMs: number | null;
  totalMs: number;
  cached: boolean;
}

/**
 * One synthesis from admission to its usage row: quota and concurrency are checked before any
 * work; bytes and time to first byte are counted as audio leaves; `finish` (exactly once, in a
 * finally) releases the slot, writes the usage event and one log line with the timings.
 */
export class MeteredSynthesis {
  private readonly startedAt = performance.now();
  private firstByteAt?: number;
  private bytes = 0;
  private characters: number;
  private speech?: MeteredSpeech;
  private engineUsed?: string;
  private finished = false;
  private fromCache = false;

  constructor(
    private readonly start: MeterStart,
    private readonly release: () => void,
    private readonly onFinish: (
      reading: MeterReading,
      status: UsageStatus,
      errorCode: string | null,
    ) => void,
  ) {
    this.characters = start.characters;
  }

  /** The voice, engine and output of this synthesis; a WebSocket config may replace them. */
  describe(speech: MeteredSpeech): void {
    this.speech = { ...speech };
  }

  /** The engine that produced the first audio (a fallback, perhaps); the first report wins. */
  spokeWith(engineId: string): void {
    this.engineUsed ??= engineId;
  }

  /** The audio came from the phrase cache (the usage row says so). */
  servedFromCache(engineId: string): void {
    this.fromCache = true;
    this.spokeWith(engineId);
  }

  addCharacters(count: number): void {
    this.characters += count;
  }

  /** Call as bytes are handed to the client. */
  sent(bytes: number): void {
    if (bytes > 0 && this.firstByteAt === undefined) this.firstByteAt = performance.now();
    this.bytes += bytes;
  }

  /** Counts what passes through, without changing it. */
  async *count(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of chunks) {
      this.sent(chunk.length);
      yield chunk;
    }
  }

  /** Audio delivered, in ms; nothing was delivered before the output was described. */
  get audioMs(): number {
    if (!this.speech) return 0;
    const { format, sampleRate } = this.speech;
    const payload = format === 'wav' ? Math.max(0, this.bytes - WAV_HEADER_BYTES) : this.bytes;
    return Math.round(durationMs(payload, format, sampleRate));
  }

  reading(): MeterReading {
    return {
      start: this.start,
      characters: this.characters,
      voiceId: this.speech?.voiceId ?? null,
      engine: this.engineUsed ?? this.speech?.engine ?? null,
      format: this.speech?.format ?? null,
      bytes: this.bytes,
      audioMs: this.audioMs,
      ttfbMs: this.firstByteAt === undefined ? null : Math.round(this.firstByteAt - this.startedAt),
      totalMs: Math.round(performance.now() - this.startedAt),
      cached: this.fromCache,
    };
  }

  finish(status: UsageStatus, errorCode: string | null = null): void {
    if (this.finished) return;
    this.finished = true;
    this.release();
    this.onFinish(this.reading(), status, errorCode);
  }
}

@Injectable()
export class SynthesisMeterService {
  private readonly logger = new Logger('Synthesis');

  constructor(
    private readonly usage: UsageService,
    private readonly recorder: UsageRecorder,
    private readonly slots: StreamSlotsService,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async begin(start: MeterStart): Promise<MeteredSynthesis> {
    const { tenant } = start;
    try {
      await this.usage.assertQuota(tenant);
    } catch (err) {
      this.metrics.reject('quota', tenant.tenantId);
      throw err;
    }
    const limit = this.concurrencyLimit(tenant);
    const slot = (await start.reservation?.take()) ?? (await this.slots.acquire(tenant.id, limit));
    if (!slot) {
      this.metrics.reject('concurrency', tenant.tenantId);
      throw new UsageException(
        UsageErrorCode.TooManyConcurrent,
        `Too many concurrent syntheses: this tenant may run ${limit} at once. Retry when one finishes.`,
        { headers: { 'Retry-After': '1' }, extra: { max_concurrent_streams: limit } },
      );
    }
    this.metrics.activeStreams.inc();
    return new MeteredSynthesis(
      start,
      () => {
        slot.release();
        this.metrics.activeStreams.dec();
      },
      (reading, status, errorCode) => this.record(reading, status, errorCode),
    );
  }

  /**
   * Asks for a concurrency slot now, before admission, so the question rides with another round
   * trip to Redis; admission takes it (see SlotReservation).
   */
  reserveSlot(tenant: Tenant): SlotReservation {
    return new SlotReservation(this.slots.acquire(tenant.id, this.concurrencyLimit(tenant)));
  }

  private concurrencyLimit(tenant: Tenant): number {
    return tenant.maxConcurrentStreams ?? this.config.limits.defaultMaxConcurrentStreams;
  }

  private record(m: MeterReading, status: UsageStatus, errorCode: string | null): void {
    const { start, audioMs } = m;
    this.recorder.record({
      tenantUuid: start.tenant.id,
      apiKeyId: start.apiKeyId,
      requestId: start.requestId,
      endpoint: start.endpoint,
      voiceId: m.voiceId,
      engine: m.engine,
      characters: m.characters,
      audioMs,
      bytes: m.bytes,
      ttfbMs: m.ttfbMs,
      totalMs: m.totalMs,
      streaming: start.streaming,
      cached: m.cached,
      status,
      errorCode,
      createdAt: new Date(),
    });
    const engine = m.engine ?? 'none';
    if (m.ttfbMs !== null) {
      this.metrics.ttfb.observe(
        { engine, format: m.format ?? 'none', streaming: String(start.streaming) },
        m.ttfbMs / 1000,
      );
    }
    if (audioMs > 0) {
      this.metrics.audioSeconds.inc(
        { engine, tenant: this.metrics.tenantLabel(start.tenant.tenantId) },
        audioMs / 1000,
      );
    }
    this.logger.log(
      {
        request_id: start.requestId,
        tenant_id: start.tenant.tenantId,
        endpoint: start.endpoint,
        voice_id: m.voiceId,
        engine,
        format: m.format,
        status,
        error_code: errorCode,
        characters: m.characters,
        audio_ms: audioMs,
        bytes: m.bytes,
        ttfb_ms: m.ttfbMs,
        total_ms: m.totalMs,
        cached: m.cached,
      },
      'synthesis finished',
    );
  }
}
