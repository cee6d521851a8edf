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

/**
 * Lua's clock is the Redis server's, so replicas with skewed clocks agree on what has lapsed.
 * Every key's lapsed members go first.
 */
const NOW_MS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 1, #KEYS do redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now) end`;

/**
 * KEYS: tenant's active set, its parked set; ARGV: limit, lease ms, slot id. Parked slots count
 * against the limit. 1 = granted, 0 = at the limit.
 */
const ACQUIRE = `${NOW_MS}
local used = redis.call('ZCARD', KEYS[1]) + redis.call('ZCARD', KEYS[2])
if used >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/**
 * KEYS: tenant's active set, its parked set; ARGV: lease ms, slot ids. Re-adds slots a restarted
 * Redis has lost, and takes back into the active set a slot this replica had parked.
 */
const RENEW = `${NOW_MS}
for i = 2, #ARGV do
  redis.call('ZREM', KEYS[2], ARGV[i])
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[i])
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return #ARGV - 1`;

/**
 * KEYS: tenant's active set, its parked set; ARGV: slot id, limit, ms until a parked slot lapses.
 * Releases the slot, parking it only while the tenant's active and parked slots, this one
 * included, are at most half its limit. 1 = parked, 0 = released.
 */
const PARK = `${NOW_MS}
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
local used = redis.call('ZCARD', KEYS[1]) + redis.call('ZCARD', KEYS[2]) + 1
if used > math.floor(tonumber(ARGV[2]) / 2) then return 0 end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1`;

const COUNT = `${NOW_MS}
return redis.call('ZCARD', KEYS[1])`;

/**
 * A parked slot lapses in Redis this long after this replica stops reusing it: time for the
 * reuse's command to get there (a replica that died leaves nothing parked for longer).
 */
const PARK_GRACE_MS = 1000;

/**
 * A slot that may be parked is first kept this long as it is (in flight in Redis) for the tenant's
 * next request on this replica: the next sentence of a call, or a cached prompt right after the
 * sentence before, usually comes sooner and takes it with no command to Redis at all. Only then
 * is it parked. To the limit this is a request lasting that much longer.
 */
export const SLOT_HANDOVER_MS = 25;

interface SlotScripts {
  cwSlotAcquire(
    key: string,
    parkedKey: string,
    limit: number,
    leaseMs: number,
    slotId: string,
  ): Promise<number>;
  cwSlotRenew(
    key: string,
    parkedKey: string,
    leaseMs: number,
    ...slotIds: string[]
  ): Promise<number>;
  cwSlotPark(
    key: string,
    parkedKey: string,
    slotId: string,
    limit: number,
    lapseMs: number,
  ): Promise<number>;
  cwSlotCount(key: string): Promise<number>;
}

/**
 * A tenant's released slot in this replica's keeping: `handing-over` for SLOT_HANDOVER_MS (still
 * in flight in Redis), then `parking` while Redis decides (no other slot of the tenant is parked
 * meanwhile; an acquire waits for the answer, which left before any round trip of its own would),
 * then `parked`, reusable until `until` (performance.now()). Either is reused only by an acquire
 * whose limit is at least the one it was released under.
 */
type ParkedSlot =
  | HandedOverSlot
  | { state: 'parking'; decided: Promise<void> }
  | { state: 'parked'; slotId: string; limit: number; until: number; timer: NodeJS.Timeout };

/** A slot being handed over, and the connection on which Redis last confirmed it. */
interface HandedOverSlot {
  state: 'handing-over';
  slotId: string;
  limit: number;
  timer: NodeJS.Timeout;
  confirmedOn: Confirmation;
}

/**
 * The Redis connection (its socket) a slot was last granted or renewed on: a slot is handed over
 * only while that connection is still the live one, since a Redis that restarted since may have
 * lost it (such a slot is counted again only at the next renewal). None for a slot granted while
 * Redis was unreachable.
 */
type Confirmation = object | undefined;

/** A slot as reuse found it: its id, and where Redis last confirmed it. */
interface Reused {
  slotId: string;
  confirmedOn: Confirmation;
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
 *
 * Parking spares a tenant's next request the round trip to Redis (a large share of a cached
 * prompt's first byte). A release may move the slot to the tenant's parked set instead of removing
 * it; this replica's next acquire for the tenant then takes it back at once and tells Redis after.
 * Parked slots count against the limit, so no replica over-admits, but not as in flight. Redis
 * parks a slot only while the tenant's active and parked slots, this one included, are at most
 * floor(limit / 2) (a limit of 1 never parks); a replica keeps one per tenant, and releases it
 * for good after STREAM_SLOT_PARK_MS unused (a dead replica's lapses a second later). The cost is
 * bounded: another replica may be refused a slot for at most STREAM_SLOT_PARK_MS while this one
 * holds one parked, and only when the tenant used at most half its limit when it parked.
 *
 * Before it is parked, a released slot is kept in flight for SLOT_HANDOVER_MS: a request of the
 * tenant arriving within it (a call's next sentence, usually) takes it with no command to Redis
 * at all, neither to take it back nor, when it ends as quickly, to park it again. Only a slot
 * Redis granted or renewed on the connection still live is handed over: one from before a Redis
 * restart is parked (asked of Redis) at once instead.
 */
@Injectable()
export class StreamSlotsService implements OnModuleDestroy {
  private readonly logger = new Logger('StreamSlots');
  /** Slots this process holds, by tenant: the whole count without Redis, the renewal list with. */
  private readonly held = new Map<string, Set<string>>();
  /** With Redis: at most one released slot per tenant in this replica's keeping (ParkedSlot). */
  private readonly parked = new Map<string, ParkedSlot>();
  private readonly replicaId = randomUUID();
  private nextSlot = 0;
  private readonly leaseMs: number;
  private readonly parkMs: number;
  private readonly renewal?: NodeJS.Timeout;
  private closed = false;

  constructor(
    @Inject(REDIS) private readonly redis: Redis | null,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly fallback: RedisFallback,
  ) {
    this.leaseMs = config.limits.streamSlotLeaseMs;
    this.parkMs = config.limits.streamSlotParkMs;
    if (redis) {
      redis.defineCommand('cwSlotAcquire', { numberOfKeys: 2, lua: ACQUIRE });
      redis.defineCommand('cwSlotRenew', { numberOfKeys: 2, lua: RENEW });
      redis.defineCommand('cwSlotPark', { numberOfKeys: 2, lua: PARK });
      redis.defineCommand('cwSlotCount', { numberOfKeys: 1, lua: COUNT });
      this.renewal = setInterval(() => this.renew(), Math.floor(this.leaseMs / 3));
      this.renewal.unref();
    }
  }

  /** Stops renewing, and releases the parked slots (fire and forget: nothing to wait for). */
  onModuleDestroy(): void {
    clearInterval(this.renewal);
    this.closed = true;
    for (const [tenantUuid, parked] of this.parked) {
      if (parked.state === 'parked') this.releaseParked(tenantUuid, parked);
      if (parked.state === 'handing-over') this.releaseHandedOver(tenantUuid, parked);
    }
    this.parked.clear();
  }

  /** Resolved at once, with no round trip to Redis, when this replica has a slot parked. */
  acquire(tenantUuid: string, limit: number): Promise<StreamSlot | null> {
    const parked = this.parked.get(tenantUuid);
    // A slot released a moment ago (the call's last sentence, just before this one): Redis's
    // answer on parking it is on its way, sooner than an answer to a new ask could be.
    if (parked?.state === 'parking') {
      return parked.decided.then(() => this.reuseOrAcquire(tenantUuid, limit));
    }
    return this.reuseOrAcquire(tenantUuid, limit);
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

  private reuseOrAcquire(tenantUuid: string, limit: number): Promise<StreamSlot | null> {
    const reused = this.reuseParked(tenantUuid, limit);
    if (reused) {
      return Promise.resolve(this.handle(tenantUuid, reused.slotId, limit, reused.confirmedOn));
    }
    return this.acquireNew(tenantUuid, limit);
  }

  private async acquireNew(tenantUuid: string, limit: number): Promise<StreamSlot | null> {
    const slotId = `${this.replicaId}:${this.nextSlot++}`;
    const redis = this.redis;
    let confirmedOn: Confirmation;
    const granted = redis
      ? await this.fallback.run(
          'stream_slots',
          redis,
          async () => {
            const ok = await this.scripts(redis).cwSlotAcquire(
              this.key(tenantUuid),
              this.parkedKey(tenantUuid),
              limit,
              this.leaseMs,
              slotId,
            );
            if (ok === 1) {
              this.hold(tenantUuid, slotId);
              confirmedOn = this.liveConnection();
            }
            return ok === 1;
          },
          () => this.holdIfBelow(tenantUuid, slotId, limit),
        )
      : this.holdIfBelow(tenantUuid, slotId, limit);
    return granted ? this.handle(tenantUuid, slotId, limit, confirmedOn) : null;
  }

  private handle(
    tenantUuid: string,
    slotId: string,
    limit: number,
    confirmedOn: Confirmation,
  ): StreamSlot {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.release(tenantUuid, slotId, limit, confirmedOn);
      },
    };
  }

  private release(
    tenantUuid: string,
    slotId: string,
    limit: number,
    confirmedOn: Confirmation,
  ): void {
    const slots = this.held.get(tenantUuid);
    slots?.delete(slotId);
    if (slots?.size === 0) this.held.delete(tenantUuid);
    const redis = this.redis;
    if (!redis) return;
    if (this.mayPark(tenantUuid, limit)) {
      if (this.confirmedLive(confirmedOn)) {
        this.handOver(redis, tenantUuid, { slotId, limit, confirmedOn });
      } else {
        this.park(redis, tenantUuid, slotId, limit);
      }
      return;
    }
    this.releaseActive(tenantUuid, slotId);
  }

  /** Removes a slot from the tenant's active set; a release Redis misses lapses with its lease. */
  private releaseActive(tenantUuid: string, slotId: string): void {
    this.redis?.zrem(this.key(tenantUuid), slotId).catch(() => undefined);
  }

  /** Whether a slot released under `released.limit` may serve a request under `limit` now. */
  private mayReuse(tenantUuid: string, limit: number, released: { limit: number }): boolean {
    return limit >= released.limit && this.heldCount(tenantUuid) < limit;
  }

  private mayPark(tenantUuid: string, limit: number): boolean {
    return (
      this.parkMs > 0 && !this.closed && Math.floor(limit / 2) >= 1 && !this.parked.has(tenantUuid)
    );
  }

  /** Keeps the slot in flight for the tenant's next request, then parks it if none came. */
  private handOver(
    redis: Redis,
    tenantUuid: string,
    slot: Omit<HandedOverSlot, 'state' | 'timer'>,
  ): void {
    const timer = setTimeout(() => {
      const kept = this.parked.get(tenantUuid);
      if (kept?.state !== 'handing-over' || kept.slotId !== slot.slotId) return;
      this.parked.delete(tenantUuid);
      this.park(redis, tenantUuid, slot.slotId, slot.limit);
    }, SLOT_HANDOVER_MS);
    timer.unref();
    this.parked.set(tenantUuid, { state: 'handing-over', ...slot, timer });
  }

  /** The live connection to Redis, if it is up (see Confirmation). */
  private liveConnection(): Confirmation {
    return this.redis?.status === 'ready' ? this.redis.stream : undefined;
  }

  /** Redis confirmed the slot on the connection that is still live: it still has the slot. */
  private confirmedLive(confirmedOn: Confirmation): boolean {
    return confirmedOn !== undefined && confirmedOn === this.liveConnection();
  }

  /** Releases the slot in Redis, keeping it parked there and here if Redis agrees. */
  private park(redis: Redis, tenantUuid: string, slotId: string, limit: number): void {
    const parking = this.scripts(redis).cwSlotPark(
      this.key(tenantUuid),
      this.parkedKey(tenantUuid),
      slotId,
      limit,
      this.parkMs + PARK_GRACE_MS,
    );
    // A failed park is a release Redis may have missed: the slot lapses on its own.
    const decided = parking.then(
      (reply) => this.parkDone(tenantUuid, slotId, limit, reply === 1),
      () => this.parkDone(tenantUuid, slotId, limit, false),
    );
    this.parked.set(tenantUuid, { state: 'parking', decided });
  }

  private parkDone(tenantUuid: string, slotId: string, limit: number, parked: boolean): void {
    if (!parked) {
      this.parked.delete(tenantUuid);
      return;
    }
    if (this.closed) {
      this.releaseParked(tenantUuid, { slotId });
      return;
    }
    const timer = setTimeout(() => this.expire(tenantUuid, slotId), this.parkMs);
    timer.unref();
    const until = performance.now() + this.parkMs;
    this.parked.set(tenantUuid, { state: 'parked', slotId, limit, until, timer });
  }

  /**
   * The tenant's parked slot, held again and sent back to the active set off the request path,
   * or undefined. A late timer's or a lowered limit's slot is released instead.
   */
  private reuseParked(tenantUuid: string, limit: number): Reused | undefined {
    const parked = this.parked.get(tenantUuid);
    const redis = this.redis;
    if (parked?.state === 'handing-over') return this.reuseHandedOver(tenantUuid, limit, parked);
    if (parked?.state !== 'parked' || !redis) return undefined;
    this.parked.delete(tenantUuid);
    clearTimeout(parked.timer);
    if (performance.now() >= parked.until || !this.mayReuse(tenantUuid, limit, parked)) {
      this.releaseParked(tenantUuid, parked);
      return undefined;
    }
    this.hold(tenantUuid, parked.slotId);
    // Should this fail, the slot lapses from the parked set and the next renewal re-adds it.
    this.scripts(redis)
      .cwSlotRenew(this.key(tenantUuid), this.parkedKey(tenantUuid), this.leaseMs, parked.slotId)
      .catch((err: unknown) => this.logger.debug({ err }, 'taking back a parked slot failed'));
    return { slotId: parked.slotId, confirmedOn: this.liveConnection() };
  }

  /** A slot on its way to parking, still in flight in Redis: held again with nothing to tell. */
  private reuseHandedOver(
    tenantUuid: string,
    limit: number,
    kept: HandedOverSlot,
  ): Reused | undefined {
    this.parked.delete(tenantUuid);
    if (this.mayReuse(tenantUuid, limit, kept) && this.confirmedLive(kept.confirmedOn)) {
      clearTimeout(kept.timer);
      this.hold(tenantUuid, kept.slotId);
      return { slotId: kept.slotId, confirmedOn: kept.confirmedOn };
    }
    // A lowered limit, or a Redis that may have lost the slot since: released for good before
    // this request asks Redis for a slot of its own.
    this.releaseHandedOver(tenantUuid, kept);
    return undefined;
  }

  private releaseHandedOver(tenantUuid: string, kept: { slotId: string; timer: NodeJS.Timeout }) {
    clearTimeout(kept.timer);
    this.releaseActive(tenantUuid, kept.slotId);
  }

  /** STREAM_SLOT_PARK_MS passed with the slot unused. */
  private expire(tenantUuid: string, slotId: string): void {
    const parked = this.parked.get(tenantUuid);
    if (parked?.state !== 'parked' || parked.slotId !== slotId) return;
    this.parked.delete(tenantUuid);
    this.releaseParked(tenantUuid, parked);
  }

  /** Releases a parked slot for good; one Redis misses lapses on its own. */
  private releaseParked(
    tenantUuid: string,
    parked: { slotId: string; timer?: NodeJS.Timeout },
  ): void {
    clearTimeout(parked.timer);
    this.redis?.zrem(this.parkedKey(tenantUuid), parked.slotId).catch(() => undefined);
  }

  /** Extends every slot this replica holds by one lease, re-adding any Redis has lost. */
  private renew(): void {
    const redis = this.redis;
    if (!redis) return;
    for (const [tenantUuid, slots] of this.held) {
      this.scripts(redis)
        .cwSlotRenew(this.key(tenantUuid), this.parkedKey(tenantUuid), this.leaseMs, ...slots)
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

  private parkedKey(tenantUuid: string): string {
    return `cw:slots:${tenantUuid}:parked`;
  }
}
