import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS } from '../redis/redis.module';

/** A held slot; release() is idempotent. */
export interface StreamSlot {
  release(): void;
}

/** A crashed replica's slots expire after this long instead of blocking a tenant for ever. */
const SLOT_KEY_TTL_S = 3600;

/**
 * Counts syntheses in flight per tenant: in memory, or in Redis (shared by every replica) when
 * REDIS_URL is set. acquire() returns null when the tenant is at its limit.
 */
@Injectable()
export class StreamSlotsService {
  private readonly local = new Map<string, number>();

  constructor(@Inject(REDIS) private readonly redis: Redis | null) {}

  async acquire(tenantUuid: string, limit: number): Promise<StreamSlot | null> {
    return this.redis
      ? this.acquireShared(this.redis, tenantUuid, limit)
      : this.acquireLocal(tenantUuid, limit);
  }

  async inFlight(tenantUuid: string): Promise<number> {
    if (!this.redis) return this.local.get(tenantUuid) ?? 0;
    return Number((await this.redis.get(this.key(tenantUuid))) ?? 0);
  }

  private acquireLocal(tenantUuid: string, limit: number): StreamSlot | null {
    const current = this.local.get(tenantUuid) ?? 0;
    if (current >= limit) return null;
    this.local.set(tenantUuid, current + 1);
    return this.slot(() => {
      const n = (this.local.get(tenantUuid) ?? 1) - 1;
      if (n <= 0) this.local.delete(tenantUuid);
      else this.local.set(tenantUuid, n);
    });
  }

  private async acquireShared(
    redis: Redis,
    tenantUuid: string,
    limit: number,
  ): Promise<StreamSlot | null> {
    const key = this.key(tenantUuid);
    const [[, count]] = (await redis.multi().incr(key).expire(key, SLOT_KEY_TTL_S).exec()) as [
      [null, number],
    ];
    if (count > limit) {
      await redis.decr(key);
      return null;
    }
    return this.slot(() => void redis.decr(key).catch(() => undefined));
  }

  private slot(release: () => void): StreamSlot {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        release();
      },
    };
  }

  private key(tenantUuid: string): string {
    return `cw:streams:${tenantUuid}`;
  }
}
