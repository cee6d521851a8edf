import { NestExpressApplication } from '@nestjs/platform-express';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import request from 'supertest';
import { loadConfig } from '@cw/config';
import { prepareDatabase } from '@cw/db';
import { tenantRateLimitKey } from '../apps/api/src/rate-limit/tenant-windows';
import { REDIS } from '../apps/api/src/redis/redis.module';
import { PostgresProcess } from './helpers/postgres-process';
import { RedisProcess } from './helpers/redis-process';
import { bearer, createTenant, createTestApp, TEST_ADMIN_KEY } from './helpers/test-app';

/** This file's own servers, which it stops and stalls (never the shared ones). */
const OWN_REDIS_PORT = 19202;
const OWN_PG_PORT = 19210;
/** A request that hangs fails here, long before Jest's own timeout. */
const NO_HANG_MS = 20_000;
/** Every request authenticates against the database: no cached key hides an outage. */
const DB_ENV = {
  AUTH_CACHE_TTL_MS: '0',
  DATABASE_CONNECT_TIMEOUT_MS: '1000',
  DATABASE_STATEMENT_TIMEOUT_MS: '500',
  REDIS_URL: '',
};

function expectDatabaseUnavailable(res: request.Response): void {
  expect(res.status).toBe(503);
  expect(res.body).toMatchObject({ code: 'database_unavailable', statusCode: 503 });
  expect(res.headers['retry-after']).toBe('5');
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a table lock held on our database (statement_timeout)', () => {
  let app: NestExpressApplication;
  const locker = new Client({ connectionString: process.env.DATABASE_URL });
  beforeAll(async () => {
    app = await createTestApp(DB_ENV);
    await locker.connect();
  });
  afterAll(async () => {
    await locker.end();
    await app.close();
  });

  it('answers 503 database_unavailable with Retry-After instead of waiting for the lock', async () => {
    const t = await createTenant(app);
    const stats = () =>
      request(app.getHttpServer()).get('/v1/tenant/stats').set(bearer(t.key)).timeout(NO_HANG_MS);
    await stats().expect(200);
    await locker.query('BEGIN');
    try {
      await locker.query('LOCK TABLE api_keys IN ACCESS EXCLUSIVE MODE');
      expectDatabaseUnavailable(await stats());
    } finally {
      await locker.query('ROLLBACK');
    }
    await stats().expect(200);
  });
});

describe('our own PostgreSQL stopped, and stalled (SIGSTOP)', () => {
  const dir = resolve(__dirname, `../.data/outages-pg-${randomBytes(4).toString('hex')}`);
  const pg = new PostgresProcess(dir, OWN_PG_PORT);
  let app: NestExpressApplication;
  beforeAll(async () => {
    await pg.start();
    await prepareDatabase(loadConfig({ DATABASE_URL: pg.url }), () => undefined);
    app = await createTestApp(DB_ENV, { databaseUrl: pg.url });
  }, 120_000);
  afterAll(async () => {
    signalPostgres('SIGCONT');
    await app?.close();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The postmaster and every backend of our own server: nothing else is touched. */
  function signalPostgres(signal: 'SIGSTOP' | 'SIGCONT'): void {
    let postmaster: number;
    try {
      postmaster = Number(readFileSync(resolve(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      return;
    }
    const children = execFileSync('pgrep', ['-P', String(postmaster)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
    for (const pid of [postmaster, ...children]) process.kill(pid, signal);
  }

  const voices = (key: string) =>
    request(app.getHttpServer()).get('/v1/voices').set(bearer(key)).timeout(NO_HANG_MS);

  it('answers 503 while the server does not answer, on pooled and new connections, and recovers', async () => {
    const t = await createTenant(app);
    // Several at once, so the pool holds several connections when the server stalls.
    const before = await Promise.all([1, 2, 3].map(() => voices(t.key)));
    expect(before.map((r) => r.status)).toEqual([200, 200, 200]);

    signalPostgres('SIGSTOP');
    try {
      // More requests than pooled connections: some wait on a stalled connection, some open one.
      const during = await Promise.all([1, 2, 3, 4, 5].map(() => voices(t.key)));
      during.forEach(expectDatabaseUnavailable);
    } finally {
      signalPostgres('SIGCONT');
    }
    await waitFor(async () => (await voices(t.key)).status === 200);
  });

  it('answers 503 while the server is down, and recovers when it is back', async () => {
    const t = await createTenant(app);
    await voices(t.key).expect(200);
    await pg.stop();
    try {
      expectDatabaseUnavailable(await voices(t.key));
      // The admin API and its JSON body go through the same mapping.
      const admin = await request(app.getHttpServer())
        .get('/v1/admin/tenants')
        .set(bearer(TEST_ADMIN_KEY))
        .timeout(NO_HANG_MS);
      expectDatabaseUnavailable(admin);
    } finally {
      await pg.start();
    }
    await waitFor(async () => (await voices(t.key)).status === 200);
  });
});

describe('our own Redis down (fail open to per-replica limits)', () => {
  const server = new RedisProcess(OWN_REDIS_PORT);
  let app: NestExpressApplication;
  let redis: Redis;
  beforeAll(async () => {
    await server.start();
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
    app = await createTestApp({ REDIS_URL: server.url });
  });
  afterAll(async () => {
    await app.close();
    redis.disconnect();
    await server.stop();
  });

  const metric = async (name: string) => {
    const res = await request(app.getHttpServer())
      .get('/metrics')
      .set(bearer(TEST_ADMIN_KEY))
      .expect(200);
    return res.text.split('\n').find((line) => line.startsWith(name));
  };

  it('keeps answering, still limits each tenant, and counts in Redis again once it is back', async () => {
    const t = await createTenant(app, { rate_limit_per_minute: 3 });
    const caller = await createTenant(app);
    const stats = (key: string) =>
      request(app.getHttpServer()).get('/v1/tenant/stats').set(bearer(key)).timeout(NO_HANG_MS);
    const hits = (uuid: string) =>
      redis.get(`{${tenantRateLimitKey('default', uuid)}:default}:hits`).then(Number);
    await stats(t.key).expect(200);
    // Counted in Redis: the request, and the next one, leased ahead by this replica.
    await waitFor(async () => (await hits(t.uuid)) === 2);

    await server.stop();
    // The request leased before Redis went down; then this replica counts on its own, from
    // zero: three more, then the 429.
    const down: number[] = [];
    for (let i = 0; i < 5; i++) down.push((await stats(t.key)).status);
    expect(down).toEqual([200, 200, 200, 200, 429]);
    // A synthesis takes a concurrency slot, counted by this replica alone for now.
    await request(app.getHttpServer())
      .post('/v1/synthesize')
      .set(bearer(caller.key))
      .send({ text: 'Still talking.' })
      .timeout(NO_HANG_MS)
      .expect(200);
    expect(await metric('redis_degraded{use="rate_limit"}')).toBe(
      'redis_degraded{use="rate_limit"} 1',
    );
    expect(await metric('redis_degraded{use="stream_slots"}')).toBe(
      'redis_degraded{use="stream_slots"} 1',
    );
    // Readiness reports Redis as degraded without failing: pulling every replica would be worse.
    const ready = await request(app.getHttpServer()).get('/v1/health/ready').timeout(NO_HANG_MS);
    expect((ready.body as { details: Record<string, unknown> }).details.redis).toMatchObject({
      status: 'up',
      degraded: true,
    });

    await server.start();
    const appRedis = app.get<Redis>(REDIS);
    await waitFor(async () => redis.status === 'ready' && appRedis.status === 'ready');
    // Redis came back empty; the shared counters take over again.
    const other = await createTenant(app, { rate_limit_per_minute: 2 });
    await stats(other.key).expect(200);
    await stats(other.key).expect(200);
    await stats(other.key).expect(429);
    expect(await hits(other.uuid)).toBe(3);
    expect(await metric('redis_degraded{use="rate_limit"}')).toBe(
      'redis_degraded{use="rate_limit"} 0',
    );
  });
});
