import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { StreamSlotsService } from './stream-slots.service';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

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

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('StreamSlotsService in memory (no REDIS_URL)', () => {
  behavesAsASlotCounter(() => new StreamSlotsService(null));

  it('is per process: another instance counts from zero', async () => {
    const tenant = randomUUID();
    await new StreamSlotsService(null).acquire(tenant, 1);
    expect(await new StreamSlotsService(null).acquire(tenant, 1)).not.toBeNull();
  });
});

describe('StreamSlotsService in Redis (real server)', () => {
  const connections: Redis[] = [];
  const connect = () => {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
    connections.push(redis);
    return redis;
  };
  const redis = connect();
  afterAll(async () => {
    if (usedTenants.length) await redis.del(...usedTenants.map((t) => `cw:streams:${t}`));
    await Promise.all(connections.filter((c) => c.status === 'ready').map((c) => c.quit()));
  });
  const usedTenants: string[] = [];
  const track = (tenant: string) => {
    usedTenants.push(tenant);
    return tenant;
  };

  behavesAsASlotCounter(() => {
    const service = new StreamSlotsService(redis);
    const acquire = service.acquire.bind(service);
    service.acquire = (tenant, limit) => acquire(track(tenant), limit);
    return service;
  });

  it('is shared by replicas: a slot held by one counts against the other', async () => {
    const tenant = track(randomUUID());
    const replicaA = new StreamSlotsService(connect());
    const replicaB = new StreamSlotsService(connect());
    const held = await replicaA.acquire(tenant, 1);
    expect(held).not.toBeNull();
    expect(await replicaB.acquire(tenant, 1)).toBeNull();
    expect(await replicaB.inFlight(tenant)).toBe(1);
    held!.release();
    await waitFor(async () => (await replicaB.inFlight(tenant)) === 0);
    expect(await replicaB.acquire(tenant, 1)).not.toBeNull();
  });

  it("expires a tenant's count within an hour, so a crashed replica's slots do not block for ever", async () => {
    const tenant = track(randomUUID());
    await new StreamSlotsService(redis).acquire(tenant, 5);
    const ttl = await redis.ttl(`cw:streams:${tenant}`);
    expect(ttl).toBeGreaterThan(3500);
    expect(ttl).toBeLessThanOrEqual(3600);
  });

  it('a release after Redis went away neither throws nor leaves a rejected promise', async () => {
    const tenant = track(randomUUID());
    const lost = connect();
    const slot = await new StreamSlotsService(lost).acquire(tenant, 1);
    lost.disconnect();
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      expect(() => slot!.release()).not.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});
