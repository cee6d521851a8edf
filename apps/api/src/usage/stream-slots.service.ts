import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@cw/config';
import { RedisFallback } from '../redis/redis-fallback';
import { REDIS } from '../redis/redis.module';

/** A held slot; release() is idempotent. */
export interface StreamSlot {
  release(): void;
}

/** Lua's clock is the Redis server's, so replicas with skewed clocks agree on what has lapsed. */
const NOW_MS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)`;

/** KEYS[1] tenant's set; ARGV: limit, lease ms, slot id. 1 = granted, 0 = at the limit. */
const ACQUIRE = `${NOW_MS}
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/** KEYS[1] tenant's set; ARGV: lease ms, slot ids. Re-adds slots a restarted Redis has lost. */
const RENEW = `${NOW_MS}
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return #ARGV - 1`;

const COUNT = `${NOW_MS}
return redis.call('ZCARD', KEYS[1])`;

interface SlotScripts {
  cwSlotAcquire(key: string, limit: number, leaseMs: number, slotId: string): Promise<number>;
  cwSlotRenew(key: string, leaseMs: number, ...slotIds: string[]): Promise<number>;
  cwSlotCount(key: string): Promise<number>;
}

/**
 * Counts syntheses in flight per tenant: in memory, or in Redis (shared by every replica) when
 * REDIS_URL is set. acquire() returns null when the tenant is at its limit.
 *
 * In Redis each tenant has a sorted set of slot ids scored by when they lapse. Every replica
 * renews the slots it holds each third of STREAM_SLOT_LEASE_MS, so a SIGKILLed replica's slots
 * lapse within one lease however busy the tenant is; a release removes its own id, so a count
 * cannot go negative nor a slot be freed twice. While Redis is unreachable the replica counts
 * its own slots against the limit (fail open, see RedisFallback); the next renewal after Redis
 * returns (or restarts empty) puts every slot still held back in the shared count.
 */
@Injectable()
export class StreamSlotsService implements OnModuleDestroy {
  private readonly logger = new Logger('StreamSlots');
  /** Slots this process holds, by tenant: the whole count without Redis, the renewal list with. */
  private readonly held = new Map<string, Set<string>>();
  private readonly replicaId = randomUUID();
  private nextSlot = 0;
  private readonly leaseMs: number;
  private readonly renewal?: NodeJS.Timeout;

  constructor(
    @Inject(REDIS) private readonly redis: Redis | null,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly fallback: RedisFallback,
  ) {
    this.leaseMs = config.limits.streamSlotLeaseMs;
    if (redis) {
      redis.defineCommand('cwSlotAcquire', { numberOfKeys: 1, lua: ACQUIRE });
      redis.defineCommand('cwSlotRenew', { numberOfKeys: 1, lua: RENEW });
      redis.defineCommand('cwSlotCount', { numberOfKeys: 1, lua: COUNT });
      this.renewal = setInterval(() => this.renew(), Math.floor(this.leaseMs / 3));
      this.renewal.unref();
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.renewal);
  }

  async acquire(tenantUuid: string, limit: number): Promise<StreamSlot | null> {
    const slotId = `${this.replicaId}:${this.nextSlot++}`;
    const redis = this.redis;
    const granted = redis
      ? await this.fallback.run(
          'stream_slots',
          redis,
          async () => {
            const key = this.key(tenantUuid);
            const ok = await this.scripts(redis).cwSlotAcquire(key, limit, this.leaseMs, slotId);
            if (ok === 1) this.hold(tenantUuid, slotId);
            return ok === 1;
          },
          () => this.holdIfBelow(tenantUuid, slotId, limit),
        )
      : this.holdIfBelow(tenantUuid, slotId, limit);
    if (!granted) return null;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.release(tenantUuid, slotId);
      },
    };
  }

  async inFlight(tenantUuid: string): Promise<number> {
    const redis = this.redis;
    if (!redis) return this.heldCount(tenantUuid);
    return this.fallback.run(
      'stream_slots',
      redis,
      () => this.scripts(redis).cwSlotCount(this.key(tenantUuid)),
      () => this.heldCount(tenantUuid),
    );
  }

  private release(tenantUuid: string, slotId: string): void {
    const slots = this.held.get(tenantUuid);
    slots?.delete(slotId);
    if (slots?.size === 0) this.held.delete(tenantUuid);
    // A release Redis misses (it is down) lapses with its lease.
    this.redis?.zrem(this.key(tenantUuid), slotId).catch(() => undefined);
  }

  /** Extends every slot this replica holds by one lease, re-adding any Redis has lost. */
  private renew(): void {
    const redis = this.redis;
    if (!redis) return;
    for (const [tenantUuid, slots] of this.held) {
      this.scripts(redis)
        .cwSlotRenew(this.key(tenantUuid), this.leaseMs, ...slots)
        .catch((err: unknown) => this.logger.debug({ err }, 'slot renewal failed'));
    }
  }

  /** Checks and takes in one synchronous step, so requests arriving together cannot overshoot. */
  private holdIfBelow(tenantUuid: string, slotId: string, limit: number): boolean {
    if (this.heldCount(tenantUuid) >= limit) return false;
    this.hold(tenantUuid, slotId);
    return true;
  }

  private hold(tenantUuid: string, slotId: string): void {
    const slots = this.held.get(tenantUuid) ?? new Set<string>();
    this.held.set(tenantUuid, slots.add(slotId));
  }

  private heldCount(tenantUuid: string): number {
    return this.held.get(tenantUuid)?.size ?? 0;
  }

  private scripts(redis: Redis): SlotScripts {
    return redis as unknown as SlotScripts;
  }

  private key(tenantUuid: string): string {
    return `cw:slots:${tenantUuid}`;
  }
}
