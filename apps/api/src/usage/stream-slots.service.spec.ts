import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { loadConfig } from '@cw/config';
import { specMetrics } from '../../../../test/helpers/metrics';
import { RedisProcess } from '../../../../test/helpers/redis-process';
import type { MetricsService } from '../metrics/metrics.service';
import { RedisFallback } from '../redis/redis-fallback';
import { SLOT_HANDOVER_MS, type StreamSlot, StreamSlotsService } from './stream-slots.service';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** This spec's own redis-server, which it stops and restarts (never the shared one). */
const OWN_REDIS_PORT = 19201;
const LEASE_MS = 1000;

const config = loadConfig({ STREAM_SLOT_LEASE_MS: String(LEASE_MS) });
const services: StreamSlotsService[] = [];
const fallbacks = new Map<Redis | null, { fallback: RedisFallback; metrics: MetricsService }>();

/** One replica's StreamSlotsService; replicas on one connection share its fallback state. */
function replica(redis: Redis | null, settings = config): StreamSlotsService {
  const service = new StreamSlotsService(redis, settings, fallbackOf(redis).fallback);
  services.push(service);
  return service;
}

function fallbackOf(redis: Redis | null) {
  let entry = fallbacks.get(redis);
  if (!entry) {
    const metrics = specMetrics(config);
    entry = { fallback: new RedisFallback(redis, metrics), metrics };
    fallbacks.set(redis, entry);
  }
  return entry;
}

afterAll(() => services.forEach((s) => s.onModuleDestroy()));

/** The same contract in one process (a Map) and across replicas (Redis). */
function behavesAsASlotCounter(make: () => StreamSlotsService): void {
  let slots: StreamSlotsService;
  let tenant: string;
  beforeEach(() => {
    slots = make();
    tenant = randomUUID();
  });

  it('grants slots up to the limit and refuses the next', async () => {
    const held = [await slots.acquire(tenant, 2), await slots.acquire(tenant, 2)];
    expect(held).toEqual([expect.anything(), expect.anything()]);
    expect(await slots.acquire(tenant, 2)).toBeNull();
    expect(await slots.inFlight(tenant)).toBe(2);
  });

  it('frees a slot on release, once however often release is called', async () => {
    const first = await slots.acquire(tenant, 2);
    const second = await slots.acquire(tenant, 2);
    first!.release();
    first!.release();
    await waitFor(async () => (await slots.inFlight(tenant)) === 1);
    const third = await slots.acquire(tenant, 2);
    expect(third).not.toBeNull();
    expect(await slots.acquire(tenant, 2)).toBeNull();
    second!.release();
    third!.release();
    await waitFor(async () => (await slots.inFlight(tenant)) === 0);
  });

  it('counts each tenant on its own', async () => {
    const other = randomUUID();
    expect(await slots.acquire(tenant, 1)).not.toBeNull();
    expect(await slots.acquire(tenant, 1)).toBeNull();
    expect(await slots.acquire(other, 1)).not.toBeNull();
    expect([await slots.inFlight(tenant), await slots.inFlight(other)]).toEqual([1, 1]);
  });

  it('a refused request leaves the count as it was', async () => {
    await slots.acquire(tenant, 1);
    for (let i = 0; i < 3; i++) expect(await slots.acquire(tenant, 1)).toBeNull();
    expect(await slots.inFlight(tenant)).toBe(1);
  });

  it('grants exactly the limit to requests that arrive together', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => slots.acquire(tenant, 3)));
    expect(results.filter((s) => s !== null)).toHaveLength(3);
    expect(await slots.inFlight(tenant)).toBe(3);
  });
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every command sent on this connection so far has its reply handled. */
async function settle(redis: Redis): Promise<void> {
  await redis.ping();
  await sleep(0);
}

/** The promise's value if it settles within a few microtasks (no reply from Redis can), or 'pending'. */
function atOnce<T>(promise: Promise<T>): Promise<T | 'pending'> {
  const pending = (async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
    return 'pending' as const;
  })();
  return Promise.race([promise, pending]);
}

/** Tries `count` acquisitions at once; returns how many were granted (and keeps them). */
async function grants(slots: StreamSlotsService, tenant: string, limit: number, count: number) {
  const results = await Promise.all(
    Array.from({ length: count }, () => slots.acquire(tenant, limit)),
  );
  return results.filter((s) => s !== null).length;
}

describe('StreamSlotsService in memory (no REDIS_URL)', () => {
  behavesAsASlotCounter(() => replica(null));

  it('is per process: another instance counts from zero', async () => {
    const tenant = randomUUID();
    await replica(null).acquire(tenant, 1);
    expect(await replica(null).acquire(tenant, 1)).not.toBeNull();
  });
});

describe('StreamSlotsService in Redis (real server)', () => {
  const connections: Redis[] = [];
  const connect = (url = REDIS_URL) => {
    const redis = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 1000 });
    connections.push(redis);
    return redis;
  };
  const redis = connect();
  const usedTenants: string[] = [];
  const track = (tenant: string) => {
    usedTenants.push(tenant);
    return tenant;
  };
  afterAll(async () => {
    const keys = usedTenants.flatMap((t) => [`cw:slots:${t}`, `cw:slots:${t}:parked`]);
    if (keys.length) await redis.del(...keys);
    connections.forEach((c) => c.disconnect());
  });

  behavesAsASlotCounter(() => {
    const service = replica(redis);
    const acquire = service.acquire.bind(service);
    service.acquire = (tenant, limit) => acquire(track(tenant), limit);
    return service;
  });

  it('is shared by replicas: a slot held by one counts against the other', async () => {
    const tenant = track(randomUUID());
    const replicaA = replica(connect());
    const replicaB = replica(connect());
    const held = await replicaA.acquire(tenant, 1);
    expect(held).not.toBeNull();
    expect(await replicaB.acquire(tenant, 1)).toBeNull();
    expect(await replicaB.inFlight(tenant)).toBe(1);
    held!.release();
    await waitFor(async () => (await replicaB.inFlight(tenant)) === 0);
    expect(await replicaB.acquire(tenant, 1)).not.toBeNull();
  });

  it('keeps a live replica’s slots past their lease: it renews them', async () => {
    const tenant = track(randomUUID());
    const replicaA = replica(connect());
    const replicaB = replica(connect());
    expect(await replicaA.acquire(tenant, 1)).not.toBeNull();
    await sleep(LEASE_MS * 3);
    expect(await replicaB.acquire(tenant, 1)).toBeNull();
    expect(await replicaB.inFlight(tenant)).toBe(1);
  });

  it('lets a killed replica’s slots lapse while the tenant keeps acquiring', async () => {
    const tenant = track(randomUUID());
    const doomed = connect();
    const replicaA = replica(doomed);
    const replicaB = replica(connect());
    expect(await replicaA.acquire(tenant, 2)).not.toBeNull();
    // SIGKILL, as far as Redis can tell: no release, no renewal, the connection gone.
    replicaA.onModuleDestroy();
    doomed.disconnect();
    const mine = await replicaB.acquire(tenant, 2);
    expect(mine).not.toBeNull();
    expect(await replicaB.acquire(tenant, 2)).toBeNull();
    mine!.release();
    // A busy tenant: B keeps taking and giving back its slot (each acquire used to extend the
    // whole count's expiry), until the dead replica's slot has lapsed.
    await waitFor(async () => {
      const first = await replicaB.acquire(tenant, 2);
      const second = await replicaB.acquire(tenant, 2);
      first?.release();
      second?.release();
      return first !== null && second !== null;
    });
    await waitFor(async () => (await replicaB.inFlight(tenant)) === 0);
  });

  it('a release after Redis went away neither throws nor leaves a rejected promise', async () => {
    const tenant = track(randomUUID());
    const lost = connect();
    const slot = await replica(lost).acquire(tenant, 1);
    lost.disconnect();
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      expect(() => slot!.release()).not.toThrow();
      await sleep(50);
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  describe('parking: a released slot kept for the tenant’s next request', () => {
    const PARK_MS = 200;
    const parking = loadConfig({
      STREAM_SLOT_LEASE_MS: String(LEASE_MS),
      STREAM_SLOT_PARK_MS: String(PARK_MS),
    });
    let conn: Redis;
    let replicaA: StreamSlotsService;
    let replicaB: StreamSlotsService;
    let tenant: string;
    beforeEach(() => {
      conn = connect();
      replicaA = replica(conn, parking);
      replicaB = replica(connect(), parking);
      tenant = track(randomUUID());
    });
    afterEach(() => jest.restoreAllMocks());

    /** Redis has answered whatever the last release asked, its hand-over window over. */
    const parkSettled = async () => {
      await sleep(SLOT_HANDOVER_MS + 10);
      await settle(conn);
    };
    const activeIds = () => redis.zrange(`cw:slots:${tenant}`, 0, -1);
    const parkedIds = () => redis.zrange(`cw:slots:${tenant}:parked`, 0, -1);
    /** Calls of replica A's ACQUIRE script from now on. */
    const acquireCalls = () =>
      jest.spyOn(conn as unknown as { cwSlotAcquire: () => Promise<number> }, 'cwSlotAcquire');
    /** Takes a slot on replica A and releases it: parked if the rule allows. */
    const releaseOne = async (limit: number) => {
      const slot = await replicaA.acquire(tenant, limit);
      expect(slot).not.toBeNull();
      slot!.release();
      await parkSettled();
    };

    it('hands a parked slot out again at once, without asking Redis, and counts it again', async () => {
      await releaseOne(4);
      const parked = await parkedIds();
      expect(parked).toHaveLength(1);
      expect(await replicaA.inFlight(tenant)).toBe(0);
      const asked = acquireCalls();
      const reused = await atOnce(replicaA.acquire(tenant, 4));
      expect(reused).toEqual({ release: expect.any(Function) });
      expect(asked).not.toHaveBeenCalled();
      await parkSettled();
      // Back in the active set, under the same id, off the request path.
      expect([await activeIds(), await parkedIds()]).toEqual([parked, []]);
      expect(await replicaB.inFlight(tenant)).toBe(1);
    });

    it('hands a just-released slot to the tenant’s next request with no command to Redis', async () => {
      const slot = await replicaA.acquire(tenant, 4);
      await settle(conn);
      const inFlight = await activeIds();
      const sent = jest.spyOn(conn, 'sendCommand');
      slot!.release();
      // The next sentences of the same call, each as short as a cached prompt.
      for (let i = 0; i < 3; i++) {
        const next = await atOnce(replicaA.acquire(tenant, 4));
        expect(next).toEqual({ release: expect.any(Function) });
        (next as StreamSlot).release();
      }
      expect(sent).not.toHaveBeenCalled();
      // Still the same slot, in flight, until the window passes with no request: then parked.
      expect([await activeIds(), await parkedIds()]).toEqual([inFlight, []]);
      await parkSettled();
      expect([await activeIds(), await parkedIds()]).toEqual([[], inFlight]);
    });

    it('a lowered limit or a shutdown releases a slot being handed over instead', async () => {
      const slot = await replicaA.acquire(tenant, 4);
      await settle(conn);
      const [first] = await activeIds();
      slot!.release();
      const lowered = await replicaA.acquire(tenant, 1);
      expect(lowered).not.toBeNull();
      await settle(conn);
      const [second] = await activeIds();
      expect([await activeIds(), await parkedIds()]).toEqual([[second], []]);
      expect(second).not.toBe(first);
      lowered!.release();
      (await replicaA.acquire(tenant, 4))!.release();
      replicaA.onModuleDestroy();
      await settle(conn);
      expect([await activeIds(), await parkedIds()]).toEqual([[], []]);
    });

    it('an acquire while a park is on its way waits for the answer and reuses the slot', async () => {
      const slot = await replicaA.acquire(tenant, 4);
      const scripts = conn as unknown as { cwSlotPark: (...args: unknown[]) => Promise<number> };
      const park = scripts.cwSlotPark.bind(conn);
      let during: Promise<StreamSlot | null> | undefined;
      jest.spyOn(scripts, 'cwSlotPark').mockImplementation((...args) => {
        const answer = park(...args);
        // Asked before Redis has answered the park (the next sentence, after the hand-over).
        queueMicrotask(() => {
          during = replicaA.acquire(tenant, 4);
        });
        return answer;
      });
      const asked = acquireCalls();
      slot!.release();
      await waitFor(async () => during !== undefined);
      expect(await during).not.toBeNull();
      expect(asked).not.toHaveBeenCalled();
      await settle(conn);
      expect([await activeIds(), await parkedIds()]).toEqual([[expect.any(String)], []]);
      expect(await replicaB.inFlight(tenant)).toBe(1);
    });

    it('a parked slot counts against the limit on every replica, but not as in flight', async () => {
      const held = [await replicaA.acquire(tenant, 4), await replicaA.acquire(tenant, 4)];
      held[0]!.release();
      await parkSettled();
      expect(await parkedIds()).toHaveLength(1);
      // One in flight on A and one parked there: B gets the other two of four.
      expect(await grants(replicaB, tenant, 4, 3)).toBe(2);
      expect(await replicaB.inFlight(tenant)).toBe(3);
      expect(await replicaA.inFlight(tenant)).toBe(3);
      // A's next request takes its parked slot: the tenant is at its limit everywhere.
      expect(await replicaA.acquire(tenant, 4)).not.toBeNull();
      expect(await replicaA.acquire(tenant, 4)).toBeNull();
      expect(await replicaB.acquire(tenant, 4)).toBeNull();
      expect(await replicaB.inFlight(tenant)).toBe(4);
    });

    it('parks nothing at a limit of 1', async () => {
      await releaseOne(1);
      expect([await activeIds(), await parkedIds()]).toEqual([[], []]);
      expect(await replicaB.acquire(tenant, 1)).not.toBeNull();
    });

    it('parks nothing while the tenant uses more than half its limit', async () => {
      const held = await Promise.all([1, 2, 3].map(() => replicaA.acquire(tenant, 4)));
      held[0]!.release();
      await parkSettled();
      expect(await parkedIds()).toEqual([]);
      // The slot is free: B gets it and the one left.
      expect(await grants(replicaB, tenant, 4, 3)).toBe(2);
      // Two of five is at most half (floor 2): that release parks.
      const other = track(randomUUID());
      const two = [await replicaA.acquire(other, 5), await replicaA.acquire(other, 5)];
      const three = await replicaA.acquire(other, 5);
      three!.release();
      await parkSettled();
      expect(await redis.zcard(`cw:slots:${other}:parked`)).toBe(0);
      two[0]!.release();
      await parkSettled();
      expect(await redis.zcard(`cw:slots:${other}:parked`)).toBe(1);
    });

    it('keeps at most one parked slot per tenant on a replica', async () => {
      const held = await Promise.all([1, 2, 3].map(() => replicaA.acquire(tenant, 10)));
      held.forEach((slot) => slot!.release());
      await parkSettled();
      expect(await activeIds()).toEqual([]);
      expect(await parkedIds()).toHaveLength(1);
      // Parked, then another release: still one.
      const again = [await replicaA.acquire(tenant, 10), await replicaA.acquire(tenant, 10)];
      again.forEach((slot) => slot!.release());
      await parkSettled();
      expect(await parkedIds()).toHaveLength(1);
    });

    it('releases a parked slot for good after STREAM_SLOT_PARK_MS', async () => {
      await releaseOne(2);
      const parkedAt = Date.now();
      expect(await parkedIds()).toHaveLength(1);
      expect(await grants(replicaB, tenant, 2, 2)).toBe(1);
      // Removed by A's timer, well before it would lapse in Redis.
      await waitFor(async () => (await parkedIds()).length === 0, PARK_MS + 800);
      expect(Date.now() - parkedAt).toBeGreaterThanOrEqual(PARK_MS - 50);
      expect(await replicaB.acquire(tenant, 2)).not.toBeNull();
      // A has nothing parked any more: it asks Redis, which says B holds both.
      const asked = acquireCalls();
      expect(await replicaA.acquire(tenant, 2)).toBeNull();
      expect(asked).toHaveBeenCalledTimes(1);
    });

    it('a parked slot whose replica is gone lapses in Redis on its own', async () => {
      await releaseOne(2);
      conn.disconnect();
      await sleep(PARK_MS + 100);
      // A's timer fired, but its release never reached Redis.
      expect(await parkedIds()).toHaveLength(1);
      expect(await grants(replicaB, tenant, 2, 2)).toBe(1);
      await waitFor(async () => (await replicaB.acquire(tenant, 2)) !== null, 3000);
      expect(await parkedIds()).toEqual([]);
    });

    it('the renewal leaves a parked slot parked', async () => {
      const slowParking = loadConfig({ STREAM_SLOT_LEASE_MS: String(LEASE_MS) });
      const replicaC = replica(conn, slowParking);
      const kept = await replicaC.acquire(tenant, 4);
      (await replicaC.acquire(tenant, 4))!.release();
      await parkSettled();
      const parked = await parkedIds();
      expect(parked).toHaveLength(1);
      // Two renewals of the slot still held, for the same tenant.
      await sleep((LEASE_MS / 3) * 2 + 50);
      expect(await parkedIds()).toEqual(parked);
      expect(await replicaB.inFlight(tenant)).toBe(1);
      kept!.release();
    });

    it('releases its parked slots when the module is destroyed', async () => {
      await releaseOne(4);
      expect(await parkedIds()).toHaveLength(1);
      replicaA.onModuleDestroy();
      await parkSettled();
      expect(await parkedIds()).toEqual([]);
      expect(await grants(replicaB, tenant, 4, 5)).toBe(4);
    });

    it('is off with STREAM_SLOT_PARK_MS=0', async () => {
      const off = replica(
        conn,
        loadConfig({ STREAM_SLOT_LEASE_MS: String(LEASE_MS), STREAM_SLOT_PARK_MS: '0' }),
      );
      const slot = await off.acquire(tenant, 4);
      slot!.release();
      await parkSettled();
      expect([await activeIds(), await parkedIds()]).toEqual([[], []]);
      const asked = acquireCalls();
      expect(await off.acquire(tenant, 4)).not.toBeNull();
      expect(asked).toHaveBeenCalledTimes(1);
    });
  });

  describe('when Redis restarts or goes down (its own redis-server)', () => {
    const server = new RedisProcess(OWN_REDIS_PORT);
    let replicaA: StreamSlotsService;
    let replicaB: StreamSlotsService;
    let connA: Redis;
    beforeAll(() => server.start());
    afterAll(() => server.stop());
    beforeEach(async () => {
      await server.restart();
      connA = connect(server.url);
      replicaA = replica(connA);
      replicaB = replica(connect(server.url));
      await waitFor(async () => connA.status === 'ready');
    });

    const fallbackGauge = async () =>
      (await fallbackOf(connA).metrics.redisDegraded.get()).values.find(
        (v) => v.labels.use === 'stream_slots',
      )?.value;

    it('keeps the cap after slots held across a restart are released', async () => {
      const tenant = randomUUID();
      const held = await Promise.all([1, 2, 3].map(() => replicaA.acquire(tenant, 3)));
      expect(held.every((s) => s !== null)).toBe(true);
      await server.restart();
      held.forEach((s) => s!.release());
      await waitFor(async () => connA.status === 'ready');
      // The old counter went to -3 here and let six of the next eight in.
      expect(await grants(replicaA, tenant, 3, 8)).toBe(3);
      expect(await replicaB.inFlight(tenant)).toBe(3);
    });

    it('hands over no slot Redis may have lost: one granted before a restart', async () => {
      const tenant = randomUUID();
      const slot = await replicaA.acquire(tenant, 4);
      await server.restart();
      await waitFor(async () => connA.status === 'ready');
      const asked = jest.spyOn(
        connA as unknown as { cwSlotAcquire: () => Promise<number> },
        'cwSlotAcquire',
      );
      slot!.release();
      // At once, well within the hand-over window: still asked of the restarted Redis.
      expect(await replicaA.acquire(tenant, 4)).not.toBeNull();
      expect(asked).toHaveBeenCalledTimes(1);
      expect(await replicaB.inFlight(tenant)).toBe(1);
      asked.mockRestore();
    });

    it('counts slots still held across a restart again once Redis is back', async () => {
      const tenant = randomUUID();
      expect(await grants(replicaA, tenant, 3, 3)).toBe(3);
      await server.restart();
      // The next renewal puts them back; until then Redis has forgotten them.
      await waitFor(async () => (await replicaB.inFlight(tenant)) === 3);
      expect(await replicaB.acquire(tenant, 3)).toBeNull();
    });

    it('fails open to per-replica limits while Redis is down, visibly, and shares again after', async () => {
      const tenant = randomUUID();
      expect(await replicaA.acquire(tenant, 3)).not.toBeNull();
      await server.stop();
      // The replica still enforces the limit, counting the slots it holds itself.
      expect(await grants(replicaA, tenant, 3, 4)).toBe(2);
      expect(await replicaA.inFlight(tenant)).toBe(3);
      const fallbacks = await fallbackOf(connA).metrics.redisFallbacks.get();
      expect(fallbacks.values.find((v) => v.labels.use === 'stream_slots')?.value).toBeGreaterThan(
        0,
      );
      expect(await fallbackGauge()).toBe(1);

      await server.start();
      // All three, including the two granted while Redis was down, count for every replica.
      await waitFor(async () => (await replicaB.inFlight(tenant)) === 3);
      expect(await replicaB.acquire(tenant, 3)).toBeNull();
      await waitFor(
        async () => (await replicaA.inFlight(tenant)) === 3 && (await fallbackGauge()) === 0,
      );
    });
  });
});
