import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { MetricsService } from '../metrics/metrics.service';
import { REDIS } from './redis.token';

/** What Redis is used for; each falls back, and recovers, on its own. */
export type RedisUse = 'rate_limit' | 'stream_slots';

/** After a failure, Redis is left alone this long (or until it reconnects) before the next try. */
const RETRY_AFTER_FAILURE_MS = 1000;

/**
 * Fail open: while Redis is unreachable each replica enforces the limits on its own (calls keep
 * talking; a tenant may get up to its limit on every replica), and the shared counters are used
 * again as soon as Redis answers. `redis_degraded{use}` and a warning say when that happens.
 */
@Injectable()
export class RedisFallback {
  private readonly logger = new Logger('Redis');
  private failedAt?: number;
  private readonly degraded = new Set<RedisUse>();

  constructor(
    @Inject(REDIS) redis: Redis | null,
    private readonly metrics: MetricsService,
  ) {
    // Failures surface through the commands; without a listener ioredis prints every retry.
    redis?.on('error', () => undefined);
    redis?.on('ready', () => (this.failedAt = undefined));
  }

  /** `shared` against Redis; `local` answers instead while Redis is unreachable. */
  async run<T>(
    use: RedisUse,
    redis: Redis,
    shared: () => Promise<T>,
    local: () => T | Promise<T>,
  ): Promise<T> {
    if (this.resting(redis)) return this.fallBack(use, local);
    try {
      const result = await shared();
      this.recovered(use);
      return result;
    } catch (err) {
      this.failedAt = Date.now();
      return this.fallBack(use, local, err);
    }
  }

  /** True while Redis failed recently and has not reconnected: no use waiting for it again. */
  private resting(redis: Redis): boolean {
    if (this.failedAt === undefined) return false;
    return redis.status !== 'ready' || Date.now() - this.failedAt < RETRY_AFTER_FAILURE_MS;
  }

  private fallBack<T>(use: RedisUse, local: () => T | Promise<T>, err?: unknown): T | Promise<T> {
    this.metrics.redisFallbacks.inc({ use });
    if (!this.degraded.has(use)) {
      this.degraded.add(use);
      this.metrics.redisDegraded.set({ use }, 1);
      this.logger.warn({ err, use }, 'Redis unreachable: this replica enforces limits on its own');
    }
    return local();
  }

  private recovered(use: RedisUse): void {
    if (!this.degraded.delete(use)) return;
    this.metrics.redisDegraded.set({ use }, 0);
    this.logger.log({ use }, 'Redis is back: limits are shared by all replicas again');
  }
}
