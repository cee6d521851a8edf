import { OnApplicationShutdown } from '@nestjs/common';
import { type ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import type Redis from 'ioredis';
import type { RedisFallback } from '../redis/redis-fallback';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * KEYS: a window's hit counter and its block flag (the keys `@nest-lab/throttler-storage-redis`,
 * no longer a dependency, used, so counters mean what they always meant). ARGV: window ms, limit,
 * block ms, requests wanted, 1 when a request waits on the answer (0: asked ahead). Reply:
 * {granted, hits in the window, window ms left, block ms left}.
 *
 * Grants up to `wanted` of the window's remaining requests. A request that finds none left is
 * counted and blocks the tenant for the block length, as the throttler always did; asking ahead
 * never counts or blocks anything.
 */
const LEASE = `
local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
local blockedMs = redis.call('PTTL', KEYS[2])
local limit = tonumber(ARGV[2])
local granted = 0
if blockedMs > 0 or hits >= limit then
  if ARGV[5] ~= '1' then return {0, hits, redis.call('PTTL', KEYS[1]), math.max(blockedMs, 0)} end
  hits = redis.call('INCR', KEYS[1])
  if blockedMs <= 0 then
    blockedMs = tonumber(ARGV[3])
    redis.call('SET', KEYS[2], 1, 'PX', blockedMs)
  end
else
  granted = math.min(tonumber(ARGV[4]), limit - hits)
  hits = redis.call('INCRBY', KEYS[1], granted)
  blockedMs = 0
end
local left = redis.call('PTTL', KEYS[1])
if left <= 0 then
  left = tonumber(ARGV[1])
  redis.call('PEXPIRE', KEYS[1], left)
end
return {granted, hits, left, blockedMs}`;

type LeaseReply = [granted: number, hits: number, windowLeftMs: number, blockedMs: number];

/** ioredis command defined from LEASE (sent by its SHA-1, EVALSHA). */
type WithLeaseCommand = Redis & {
  cwRateLease(
    hitKey: string,
    blockKey: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    wanted: number,
    waiting: 0 | 1,
  ): Promise<LeaseReply>;
};

/** How many of a window's requests one replica takes from Redis at a time. */
export function leaseSize(limit: number): number {
  return Math.max(1, Math.min(50, Math.ceil(limit / 100)));
}

/** This replica's share of one tenant window: requests counted in Redis and not yet used here. */
interface WindowLease {
  tokens: number;
  /** The window's count in Redis when it last answered (our unused tokens included). */
  counted: number;
  /** By this replica's clock, when the window ends (measured from when the lease was asked). */
  endsAt: number;
  /** Leases on their way to or from Redis. */
  asking: number;
  /** The last of them: Redis answers in order, so once it is answered all are. */
  latest?: Promise<unknown>;
  /** Requests those leases ask for beyond the ones for the requests that asked. */
  coming: number;
  /** Requests waiting for `coming`. */
  waiters: number;
}

/**
 * Rate-limit windows in Redis, shared by every replica, without a round trip per request: each
 * replica takes a few of a window's requests at once (`leaseSize`: 1 per 100 of the limit, 1 to
 * 50) and asks for the next few before it runs out, so a request is counted from memory and a
 * cached prompt's first byte does not wait for Redis. Requests leased are counted in Redis before
 * they are used, so all replicas together never admit more than the limit; with one replica the
 * count is exact. The cost, with several replicas: requests another replica leased but has not
 * used are unavailable here until its window ends (at most about one and a half leases per
 * replica), so a tenant can be refused that many requests early, never late.
 *
 * While Redis is unreachable each replica counts in its own memory (see RedisFallback), and
 * Redis's counters take over again once it answers.
 */
export class FailOpenThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly client: WithLeaseCommand;
  private readonly local = new ThrottlerStorageService();
  private readonly leases = new Map<string, WindowLease>();
  private readonly sweep: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly fallback: RedisFallback,
  ) {
    // The storage does not close a client it was handed; RedisModule owns the connection.
    redis.defineCommand('cwRateLease', { numberOfKeys: 2, lua: LEASE });
    this.client = redis as WithLeaseCommand;
    this.sweep = setInterval(() => this.dropEnded(), 60_000);
    this.sweep.unref();
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const window: LeaseWindow = { id: `{${key}:${throttlerName}}`, ttl, limit, blockDuration };
    let lease = this.current(window.id, limit);
    if (lease.tokens > 0) return this.spend(window, lease);
    if (lease.coming > lease.waiters) {
      // Requests are on their way (asked ahead, maybe the window's last): wait for them rather
      // than ask again, or this request could be refused for requests this replica will hold.
      // A burst beyond them asks for one request each, all in one write.
      lease.waiters++;
      try {
        await lease.latest?.catch(() => undefined);
      } finally {
        lease.waiters--;
      }
      lease = this.current(window.id, limit);
      if (lease.tokens > 0) return this.spend(window, lease);
    }
    // Nothing leased here: this request waits for Redis (and may be refused).
    return this.fallback.run(
      'rate_limit',
      this.redis,
      () => this.ask(window, lease, true),
      () => this.local.increment(key, ttl, limit, blockDuration, throttlerName),
    );
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweep);
    this.local.onApplicationShutdown();
  }

  /** Uses one leased request. */
  private spend(window: LeaseWindow, lease: WindowLease): ThrottlerStorageRecord {
    lease.tokens--;
    this.topUp(window, lease);
    return record(lease.counted - lease.tokens, lease.endsAt - Date.now(), 0);
  }

  /** Asks for the next lease once half of this one is used, so requests need not wait for it. */
  private topUp(window: LeaseWindow, lease: WindowLease): void {
    if (lease.asking > 0 || lease.tokens > Math.floor(leaseSize(window.limit) / 2)) return;
    // Through the fallback, so a Redis outage found here spares the next request the wait; a
    // failure is no refusal: the next request with nothing leased asks (or counts locally).
    void this.fallback.run(
      'rate_limit',
      this.redis,
      () => this.ask(window, lease, false),
      () => undefined,
    );
  }

  /**
   * Asks Redis for the next requests of a window and adds them to `lease`. For a waiting request
   * (`forRequest`), one of them is its own, taken in the same step, and the answer is its record.
   */
  private async ask(
    window: LeaseWindow,
    lease: WindowLease,
    forRequest: boolean,
  ): Promise<ThrottlerStorageRecord> {
    // The first lease on its way asks for a whole lease; requests arriving meanwhile for one each.
    const wanted = lease.asking === 0 ? leaseSize(window.limit) : 1;
    const extra = forRequest ? wanted - 1 : wanted;
    const askedAt = Date.now();
    lease.asking++;
    lease.coming += extra;
    const answer = this.client.cwRateLease(
      `${window.id}:hits`,
      `${window.id}:blocked`,
      window.ttl,
      window.limit,
      window.blockDuration,
      wanted,
      forRequest ? 1 : 0,
    );
    lease.latest = answer;
    let reply: LeaseReply;
    try {
      reply = await answer;
    } finally {
      lease.asking--;
      lease.coming -= extra;
      if (lease.latest === answer) lease.latest = undefined;
    }
    const [granted, hits, windowLeftMs, blockedMs] = reply;
    // Measured from when we asked, so our end of the window is never later than Redis's.
    const endsAt = askedAt + windowLeftMs;
    const now = Date.now();
    if (endsAt < lease.endsAt - window.ttl / 2) {
      // An answer about a window that has since ended here: only this request's share counts.
      return granted > 0 || !forRequest ? record(hits, windowLeftMs, 0) : refusal(reply);
    }
    if (lease.endsAt <= now || endsAt > lease.endsAt + window.ttl / 2) {
      // A new window: what was leased in the last one is gone with it.
      lease.tokens = 0;
      lease.counted = 0;
    }
    lease.endsAt = endsAt;
    lease.counted = Math.max(lease.counted, hits);
    lease.tokens += granted;
    if (!forRequest) return record(lease.counted - lease.tokens, endsAt - now, blockedMs);
    if (granted === 0) return refusal(reply);
    return this.spend(window, lease);
  }

  /**
   * This replica's lease of a window, emptied once the window ended or once the requests used in
   * it reach `limit` (a limit lowered mid-window: Redis then refuses the next request).
   */
  private current(id: string, limit: number): WindowLease {
    let lease = this.leases.get(id);
    if (!lease) {
      lease = { tokens: 0, counted: 0, endsAt: 0, asking: 0, coming: 0, waiters: 0 };
      this.leases.set(id, lease);
    } else if (lease.endsAt <= Date.now() || lease.counted - lease.tokens >= limit) {
      lease.tokens = 0;
    }
    return lease;
  }

  private dropEnded(): void {
    const now = Date.now();
    for (const [id, lease] of this.leases) {
      if (lease.endsAt <= now && lease.asking === 0) this.leases.delete(id);
    }
  }
}

/** One tenant window as the throttler names and sizes it. */
interface LeaseWindow {
  /** Redis hash tag of the window's keys. */
  id: string;
  ttl: number;
  limit: number;
  blockDuration: number;
}

function refusal([, hits, windowLeftMs, blockedMs]: LeaseReply): ThrottlerStorageRecord {
  return record(hits, windowLeftMs, blockedMs);
}

function record(
  totalHits: number,
  windowLeftMs: number,
  blockedMs: number,
): ThrottlerStorageRecord {
  return {
    totalHits,
    timeToExpire: Math.ceil(Math.max(0, windowLeftMs) / 1000),
    isBlocked: blockedMs > 0,
    timeToBlockExpire: Math.ceil(blockedMs / 1000),
  };
}
