import { OnApplicationShutdown } from '@nestjs/common';
import { type ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type Redis from 'ioredis';
import type { RedisFallback } from '../redis/redis-fallback';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** ioredis command defined from the package's script (sent by hash, EVALSHA). */
type WithThrottleCommand = Redis & {
  cwThrottle(
    hitKey: string,
    blockKey: string,
    throttlerName: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): Promise<[number, number, number, number]>;
};

/**
 * The Redis storage of `@nest-lab/throttler-storage-redis` (its keys and its Lua script, so the
 * counters mean what they always meant), but the script goes by its SHA-1 (EVALSHA, loaded again
 * by ioredis after a Redis restart) instead of as a kilobyte of text on every request.
 */
class ShaThrottlerStorage extends ThrottlerStorageRedisService {
  private readonly client: WithThrottleCommand;

  constructor(redis: Redis) {
    super(redis);
    redis.defineCommand('cwThrottle', { numberOfKeys: 2, lua: this.scriptSrc });
    this.client = redis as WithThrottleCommand;
  }

  override async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const [totalHits, timeToExpire, isBlocked, timeToBlockExpire] = await this.client.cwThrottle(
      `{${key}:${throttlerName}}:hits`,
      `{${key}:${throttlerName}}:blocked`,
      throttlerName,
      ttl,
      limit,
      blockDuration,
    );
    return {
      totalHits,
      timeToExpire: Math.ceil(timeToExpire / 1000),
      isBlocked: isBlocked === 1,
      timeToBlockExpire: Math.ceil(timeToBlockExpire / 1000),
    };
  }
}

/**
 * Rate-limit counters in Redis, shared by every replica; while Redis is unreachable each replica
 * counts in its own memory (see RedisFallback), and Redis's counters take over again once it
 * answers.
 */
export class FailOpenThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly shared: ShaThrottlerStorage;
  private readonly local = new ThrottlerStorageService();

  constructor(
    private readonly redis: Redis,
    private readonly fallback: RedisFallback,
  ) {
    // The storage does not close a client it was handed; RedisModule owns the connection.
    this.shared = new ShaThrottlerStorage(redis);
  }

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    return this.fallback.run(
      'rate_limit',
      this.redis,
      () => this.shared.increment(key, ttl, limit, blockDuration, throttlerName),
      () => this.local.increment(key, ttl, limit, blockDuration, throttlerName),
    );
  }

  onApplicationShutdown(): void {
    this.local.onApplicationShutdown();
  }
}
