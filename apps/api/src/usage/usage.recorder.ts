import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@cw/config';
import { MetricsService } from '../metrics/metrics.service';
import type { NewUsageEvent } from './usage-event.entity';
import { UsageRepository } from './usage.repository';

const BATCH_SIZE = 500;

/**
 * Writes usage events off the request path, in batches. While the database is unreachable
 * events stay buffered (up to USAGE_BUFFER_MAX; beyond that the oldest are dropped, counted and
 * logged) and are retried on the next tick. Shutdown flushes what is left.
 */
@Injectable()
export class UsageRecorder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(UsageRecorder.name);
  private buffer: NewUsageEvent[] = [];
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private dropped = 0;

  constructor(
    private readonly usage: UsageRepository,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.usage.flushMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    if (this.buffer.length) {
      this.logger.error(
        `shutdown with ${this.buffer.length} usage events unwritten (database unreachable)`,
      );
    }
  }

  record(event: NewUsageEvent): void {
    this.buffer.push(event);
    const overflow = this.buffer.length - this.config.usage.bufferMax;
    if (overflow > 0) {
      this.buffer.splice(0, overflow);
      this.dropped += overflow;
      this.metrics.usageDropped.inc(overflow);
      this.logger.error(
        `usage buffer full: dropped ${overflow} oldest events (${this.dropped} in total)`,
      );
    }
    this.metrics.usageBuffered.set(this.buffer.length);
  }

  /** Events not yet in the database, so quota checks see them too. */
  pending(tenantUuid: string, since: Date): NewUsageEvent[] {
    return this.buffer.filter((e) => e.tenantUuid === tenantUuid && e.createdAt >= since);
  }

  get droppedCount(): number {
    return this.dropped;
  }

  /** Writes everything buffered; resolves when done or when the database refused (kept for later). */
  flush(): Promise<void> {
    this.flushing ??= this.writeAll().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async writeAll(): Promise<void> {
    while (this.buffer.length) {
      const batch = this.buffer.slice(0, BATCH_SIZE);
      try {
        await this.usage.insertEvents(batch);
      } catch (err) {
        this.logger.warn(
          { err },
          `usage write failed; ${this.buffer.length} events kept for retry`,
        );
        return;
      }
      // Only now remove them: a failed write keeps them.
      this.buffer.splice(0, batch.length);
      this.metrics.usageBuffered.set(this.buffer.length);
    }
  }
}
