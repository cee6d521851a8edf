import { Inject, Injectable, Logger } from '@nestjs/common';
import { type AudioFormat, durationMs, WAV_HEADER_BYTES } from '@cw/audio';
import { APP_CONFIG, type AppConfig } from '@cw/config';
import { MetricsService } from '../metrics/metrics.service';
import type { Tenant } from '../tenants/tenant.entity';
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
  characters: number;
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
  private finished = false;
  voiceId: string | null = null;
  engine: string | null = null;
  format: AudioFormat = 'wav';
  sampleRate = 22050;

  constructor(
    private readonly start: MeterStart,
    private readonly release: () => void,
    private readonly onFinish: (
      m: MeteredSynthesis,
      status: UsageStatus,
      errorCode: string | null,
    ) => void,
  ) {}

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

  get audioMs(): number {
    const payload = this.format === 'wav' ? Math.max(0, this.bytes - WAV_HEADER_BYTES) : this.bytes;
    return Math.round(durationMs(payload, this.format, this.sampleRate));
  }

  get info() {
    return {
      ...this.start,
      bytes: this.bytes,
      ttfbMs: this.firstByteAt === undefined ? null : Math.round(this.firstByteAt - this.startedAt),
      totalMs: Math.round(performance.now() - this.startedAt),
    };
  }

  finish(status: UsageStatus, errorCode: string | null = null): void {
    if (this.finished) return;
    this.finished = true;
    this.release();
    this.onFinish(this, status, errorCode);
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
    const limit = tenant.maxConcurrentStreams ?? this.config.limits.defaultMaxConcurrentStreams;
    const slot = await this.slots.acquire(tenant.id, limit);
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
      (m, status, errorCode) => this.record(m, status, errorCode),
    );
  }

  private record(m: MeteredSynthesis, status: UsageStatus, errorCode: string | null): void {
    const info = m.info;
    const audioMs = m.audioMs;
    this.recorder.record({
      tenantUuid: info.tenant.id,
      apiKeyId: info.apiKeyId,
      requestId: info.requestId,
      endpoint: info.endpoint,
      voiceId: m.voiceId,
      engine: m.engine,
      characters: info.characters,
      audioMs,
      bytes: info.bytes,
      ttfbMs: info.ttfbMs,
      totalMs: info.totalMs,
      streaming: info.streaming,
      status,
      errorCode,
      createdAt: new Date(),
    });
    const engine = m.engine ?? 'none';
    if (info.ttfbMs !== null) {
      this.metrics.ttfb.observe(
        { engine, format: m.format, streaming: String(info.streaming) },
        info.ttfbMs / 1000,
      );
    }
    if (audioMs > 0) {
      this.metrics.audioSeconds.inc(
        { engine, tenant: this.metrics.tenantLabel(info.tenant.tenantId) },
        audioMs / 1000,
      );
    }
    this.logger.log(
      {
        request_id: info.requestId,
        tenant_id: info.tenant.tenantId,
        endpoint: info.endpoint,
        voice_id: m.voiceId,
        engine,
        format: m.format,
        status,
        error_code: errorCode,
        characters: info.characters,
        audio_ms: audioMs,
        bytes: info.bytes,
        ttfb_ms: info.ttfbMs,
        total_ms: info.totalMs,
      },
      'synthesis finished',
    );
  }
}
