import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { specMetrics } from '../../../../test/helpers/metrics';
import { RedisFallback } from '../redis/redis-fallback';
import { FailOpenThrottlerStorage, leaseSize } from './fail-open-throttler.storage';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MINUTE = 60_000;

const metrics = specMetrics();

/** How often each replica asked Redis, split by whether a request was waiting for the answer. */
interface Asks {
  waiting: number;
  ahead: number;
  /** Answers received so far, and how many had been received when each ask was sent. */
  answered: number;
  answeredAtAsk: number[];
}

const connections: Redis[] = [];
const storages: FailOpenThrottlerStorage[] = [];
const keys: string[] = [];

/** One replica: its own connection to the shared Redis, its storage, and a count of its asks. */
function replica(): { storage: FailOpenThrottlerStorage; asks: Asks } {
  const redis = new Redis(REDIS_URL);
  connections.push(redis);
  const storage = new FailOpenThrottlerStorage(redis, new RedisFallback(redis, metrics));
  storages.push(storage);
  const asks: Asks = { waiting: 0, ahead: 0, answered: 0, answeredAtAsk: [] };
  const client = redis as unknown as { cwRateLease: (...args: unknown[]) => Promise<unknown> };
  const lease = client.cwRateLease.bind(redis);
  client.cwRateLease = (...args: unknown[]) => {
    if (args[6] === 1) asks.waiting++;
    else asks.ahead++;
    asks.answeredAtAsk.push(asks.answered);
    return lease(...args).finally(() => asks.answered++);
  };
  return { storage, asks };
}

/** A window key of its own per test, removed from Redis afterwards. */
function windowKey(): string {
  const key = `cw:rl:default:${randomUUID()}`;
  keys.push(`{${key}:default}:hits`, `{${key}:default}:blocked`);
  return key;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterAll(async () => {
  storages.forEach((s) => s.onApplicationShutdown());
  if (keys.length) await connections[0]?.del(...keys);
  connections.forEach((c) => c.disconnect());
});

describe('leaseSize', () => {
  it('is one request per hundred of the limit, from 1 to 50', () => {
    expect([1, 99, 100, 101, 250, 5000, 1e6].map(leaseSize)).toEqual([1, 1, 1, 2, 3, 50, 50]);
  });
});

describe('FailOpenThrottlerStorage (leases of a window, real Redis)', () => {
  it('counts exactly with one replica: every request below the limit, then a block', async () => {
    const { storage } = replica();
    const key = windowKey();
    const limit = 250; // leases of 3
    const totals: number[] = [];
    for (let i = 0; i < limit; i++) {
      const r = await storage.increment(key, MINUTE, limit, MINUTE, 'default');
      expect(r.isBlocked).toBe(false);
      totals.push(r.totalHits);
    }
    expect(totals).toEqual(Array.from({ length: limit }, (_, i) => i + 1));
    const over = await storage.increment(key, MINUTE, limit, MINUTE, 'default');
    expect(over.isBlocked).toBe(true);
    expect(over.timeToBlockExpire).toBeGreaterThan(50);
    // Blocked for the block length, like the throttler always was.
    expect((await storage.increment(key, MINUTE, limit, MINUTE, 'default')).isBlocked).toBe(true);
  });

  it('answers from the lease: after the first request, the next ones do not wait for Redis', async () => {
    const { storage, asks } = replica();
    const key = windowKey();
    await storage.increment(key, MINUTE, 1000, MINUTE, 'default'); // a lease of 10
    expect(asks).toMatchObject({ waiting: 1, ahead: 0 });
    for (let i = 0; i < 4; i++) await storage.increment(key, MINUTE, 1000, MINUTE, 'default');
    // Five of ten used: the next lease was asked for ahead, no request waited.
    expect(asks.waiting).toBe(1);
    expect(asks.ahead).toBe(1);
    await sleep(50);
    for (let i = 0; i < 20; i++) {
      await storage.increment(key, MINUTE, 1000, MINUTE, 'default');
      await sleep(5);
    }
    expect(asks.waiting).toBeLessThan(5);
    const counted = Number(await connections[0].get(`{${key}:default}:hits`));
    // Redis counted every request used, and at most the unused part of two leases more.
    expect(counted).toBeGreaterThanOrEqual(25);
    expect(counted).toBeLessThanOrEqual(25 + 2 * 10);
  });

  it('admits a burst in one round trip: a lease for the first, one request each for the rest', async () => {
    const { storage, asks } = replica();
    const key = windowKey();
    const burst = await Promise.all(
      Array.from({ length: 30 }, () => storage.increment(key, MINUTE, 1000, MINUTE, 'default')),
    );
    expect(burst.every((r) => !r.isBlocked)).toBe(true);
    // One lease of ten covers the first ten; the other twenty ask for one each.
    expect(asks.waiting).toBe(21);
    // Every ask left before any answer came back: the burst waited for one round trip.
    expect(Math.max(...asks.answeredAtAsk.slice(0, 21))).toBe(0);
    expect(Number(await connections[0].get(`{${key}:default}:hits`))).toBeGreaterThanOrEqual(30);
  });

  it('never admits more than the limit across replicas, and refuses at most a few early', async () => {
    const a = replica();
    const b = replica();
    const key = windowKey();
    const limit = 300; // leases of 3
    let admitted = 0;
    let refused = 0;
    const ask = async (storage: FailOpenThrottlerStorage) => {
      const r = await storage.increment(key, MINUTE, limit, MINUTE, 'default');
      if (r.isBlocked) refused++;
      else admitted++;
    };
    // Both replicas at once, in bursts, well past the limit.
    for (let round = 0; round < 40; round++) {
      await Promise.all([
        ...Array.from({ length: 5 }, () => ask(a.storage)),
        ...Array.from({ length: 5 }, () => ask(b.storage)),
      ]);
    }
    expect(admitted + refused).toBe(400);
    expect(admitted).toBeLessThanOrEqual(limit);
    // The other replica's unused lease (and one asked ahead) is all that can be refused early.
    expect(admitted).toBeGreaterThanOrEqual(limit - 2 * leaseSize(limit));
  });

  it('shares one budget between replicas asked in turn, as requests alternate', async () => {
    const a = replica();
    const b = replica();
    const key = windowKey();
    const statuses: boolean[] = [];
    for (let i = 0; i < 6; i++) {
      const storage = i % 2 === 0 ? a.storage : b.storage;
      statuses.push((await storage.increment(key, MINUTE, 4, MINUTE, 'default')).isBlocked);
      await sleep(20);
    }
    expect(statuses).toEqual([false, false, false, false, true, true]);
  });

  it('forgets what it leased once the window ends, and starts the next window at one', async () => {
    const { storage, asks } = replica();
    const key = windowKey();
    const ttl = 300;
    const first = await storage.increment(key, ttl, 1000, ttl, 'default');
    expect(first).toMatchObject({ totalHits: 1, isBlocked: false });
    await sleep(ttl + 100);
    const waitingBefore = asks.waiting;
    const next = await storage.increment(key, ttl, 1000, ttl, 'default');
    // The tokens left from the first window were not used: Redis was asked, in a new window.
    expect(asks.waiting).toBe(waitingBefore + 1);
    expect(next).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('applies a limit lowered mid-window at once, leased requests notwithstanding', async () => {
    const { storage } = replica();
    const key = windowKey();
    for (let i = 0; i < 3; i++) {
      expect((await storage.increment(key, MINUTE, 1000, MINUTE, 'default')).isBlocked).toBe(false);
    }
    // Seven of a lease of ten are still here, but three were used of the new limit of three.
    const lowered = await storage.increment(key, MINUTE, 3, MINUTE, 'default');
    expect(lowered.isBlocked).toBe(true);
  });

  it('lets a blocked tenant in again once the block ends', async () => {
    const { storage } = replica();
    const key = windowKey();
    const ttl = 300;
    for (let i = 0; i < 2; i++) {
      expect((await storage.increment(key, ttl, 2, ttl, 'default')).isBlocked).toBe(false);
    }
    expect((await storage.increment(key, ttl, 2, ttl, 'default')).isBlocked).toBe(true);
    await sleep(ttl + 100);
    expect((await storage.increment(key, ttl, 2, ttl, 'default')).isBlocked).toBe(false);
  });
});
