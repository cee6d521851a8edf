import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { loadConfig } from '@cw/config';
import { specMetrics } from '../../../../test/helpers/metrics';
import type { CachedSpeech } from './cached-speech';
import { PhraseCacheService, SHARED_WRITE_DELAY_MS } from './phrase-cache.service';

/**
 * A database of the shared Redis that no other test uses: the admin flush below empties every
 * phrase-cache key in it, which must not reach the e2e runs' entries in database 0.
 */
const REDIS_URL = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
REDIS_URL.pathname = '/7';
const config = loadConfig({});

/** A replica's cache on `redis`, and the Redis key of an entry. */
const replica = (redis: Redis) => new PhraseCacheService(config, redis, specMetrics(config));
const redisKey = (key: string) => `cw:phrase:${key}`;
const speech = (byte: number): CachedSpeech => ({
  audio: Buffer.alloc(800, byte),
  engineId: 'espeak',
  words: [],
  durationMs: 100,
  samplesOut: 800,
});

describe('PhraseCacheService, shared through Redis', () => {
  let redis: Redis;
  let cache: PhraseCacheService;
  beforeAll(() => {
    redis = new Redis(REDIS_URL.href);
  });
  afterAll(() => redis.quit());
  beforeEach(() => {
    cache = replica(redis);
  });
  afterEach(() => cache.onModuleDestroy());

  it('writes new entries behind, together in one pipeline, and another replica then hits', async () => {
    const keys = [randomUUID(), randomUUID()];
    const pipelines = jest.spyOn(redis, 'pipeline');
    cache.put(keys[0], speech(1));
    cache.put(keys[1], speech(2));
    // Kept here at once; not yet in Redis (nothing was sent in this tick).
    expect((await cache.get(keys[0]))?.audio[0]).toBe(1);
    expect(await redis.exists(...keys.map(redisKey))).toBe(0);

    await cache.share();
    expect(pipelines).toHaveBeenCalledTimes(1);
    pipelines.mockRestore();
    expect(await redis.exists(...keys.map(redisKey))).toBe(2);
    const other = replica(redis);
    expect((await other.get(keys[1]))?.audio.equals(speech(2).audio)).toBe(true);
  });

  it('writes them by itself once the delay has passed', async () => {
    const key = randomUUID();
    cache.put(key, speech(3));
    const deadline = Date.now() + SHARED_WRITE_DELAY_MS + 2_000;
    while ((await redis.exists(redisKey(key))) === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await redis.exists(redisKey(key))).toBe(1);
  });

  it('writes what is waiting when the app shuts down', async () => {
    const key = randomUUID();
    cache.put(key, speech(4));
    await cache.onModuleDestroy();
    expect(await redis.exists(redisKey(key))).toBe(1);
  });

  it('an admin flush also drops what was not yet written', async () => {
    const written = randomUUID();
    const waiting = randomUUID();
    cache.put(written, speech(5));
    await cache.share();
    cache.put(waiting, speech(6));
    await cache.flush();
    await cache.share();
    expect(await redis.exists(redisKey(written), redisKey(waiting))).toBe(0);
    expect(await cache.get(waiting)).toBeUndefined();
  });
});
