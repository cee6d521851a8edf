import { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes, randomInt } from 'node:crypto';
import http from 'node:http';
import { ApiKeysRepository } from '../apps/api/src/auth/api-keys.repository';
import { ApiKeysService } from '../apps/api/src/auth/api-keys.service';
import { generateApiKey } from '../apps/api/src/auth/api-key.util';
import { listen } from './helpers/audio-client';
import { createTenant, createTestApp, TEST_ADMIN_KEY, TestTenant } from './helpers/test-app';

const LIMIT = 5;

/**
 * A loopback address of its own for each test (all of 127/8 reaches the server), so its failure
 * count is not shared with other tests or other runs on the same Redis.
 */
const freshAddress = () => `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

function get(
  base: string,
  path: string,
  key: string,
  from: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${base}${path}`,
      { headers: { Authorization: `Bearer ${key}`, ...headers }, localAddress: from },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>,
          }),
        );
      },
    );
    req.on('error', reject);
  });
}

describe('failed authentications: limited per address, never costing the database', () => {
  let app: NestExpressApplication;
  let base: string;
  let tenant: TestTenant;
  let lookups: jest.SpyInstance;
  const stats = (key: string, from: string) => get(base, '/v1/tenant/stats', key, from);

  beforeAll(async () => {
    app = await createTestApp({ AUTH_FAILURE_LIMIT: String(LIMIT), AUTH_FAILURE_WINDOW_S: '60' });
    base = await listen(app);
    tenant = await createTenant(app);
    // Observes the real repository (calls go through): how many key lookups reach the database.
    lookups = jest.spyOn(app.get(ApiKeysRepository), 'findByHashWithTenant');
  });
  afterAll(async () => {
    lookups.mockRestore();
    await app.close();
  });
  beforeEach(() => lookups.mockClear());

  it('refuses malformed keys without a database lookup', async () => {
    const from = freshAddress();
    for (const key of ['cw_live_doesnotexist', `cw_live_${'x'.repeat(31)}!`, 'sk-abc']) {
      const res = await stats(key, from);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('invalid_api_key');
    }
    expect(lookups).not.toHaveBeenCalled();
  });

  it('answers 429 with Retry-After past the limit, before any lookup, and only for that address', async () => {
    const from = freshAddress();
    // A valid key used before the flood stays usable from the same address (it is cached).
    expect((await stats(tenant.key, from)).status).toBe(200);
    lookups.mockClear();

    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await stats(generateApiKey(), from)).status);
    expect(statuses.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(401));
    expect(statuses.slice(LIMIT)).toEqual(Array(30 - LIMIT).fill(429));
    expect(lookups).toHaveBeenCalledTimes(LIMIT);

    const blocked = await stats(generateApiKey(), from);
    expect(blocked.status).toBe(429);
    expect(blocked.body).toMatchObject({ code: 'too_many_auth_failures', statusCode: 429 });
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(60);

    expect((await stats(tenant.key, from)).status).toBe(200);
    // Another address is not affected, even with a key this process has not seen yet.
    const other = await createTenant(app);
    expect((await stats(other.key, freshAddress())).status).toBe(200);
  });

  it('counts revoked keys and a wrong admin key too', async () => {
    const from = freshAddress();
    const revoked = await createTenant(app);
    await app.get(ApiKeysService).revokeKey(revoked.keyId);
    for (let i = 0; i < LIMIT - 1; i++) {
      expect((await stats(revoked.key, from)).status).toBe(401);
    }
    expect((await get(base, '/v1/admin/tenants', 'wrong-admin-key', from)).status).toBe(401);
    expect((await stats(revoked.key, from)).status).toBe(429);
    // Blocked before the comparison: even the right admin key waits out the window.
    expect((await get(base, '/v1/admin/tenants', TEST_ADMIN_KEY, from)).status).toBe(429);
    expect((await get(base, '/v1/admin/tenants', TEST_ADMIN_KEY, freshAddress())).status).toBe(200);
  });

  it('refuses a flooding WebSocket upgrade the same way', async () => {
    const from = freshAddress();
    const upgrade = (key: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.get(`${base}/v1/synthesize/ws`, {
          localAddress: from,
          headers: {
            Connection: 'Upgrade',
            Upgrade: 'websocket',
            'Sec-WebSocket-Version': '13',
            'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
            Authorization: `Bearer ${key}`,
          },
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('upgrade', () => reject(new Error('upgrade was accepted')));
        req.on('error', reject);
      });
    const statuses: number[] = [];
    for (let i = 0; i <= LIMIT; i++) statuses.push(await upgrade(generateApiKey()));
    expect(statuses).toEqual([...Array(LIMIT).fill(401), 429]);
    expect(lookups).toHaveBeenCalledTimes(LIMIT);
  });
});

describe('behind a trusted proxy (TRUST_PROXY=loopback)', () => {
  let app: NestExpressApplication;
  let base: string;

  beforeAll(async () => {
    app = await createTestApp({
      AUTH_FAILURE_LIMIT: String(LIMIT),
      AUTH_FAILURE_WINDOW_S: '60',
      TRUST_PROXY: 'loopback',
    });
    base = await listen(app);
  });
  afterAll(() => app.close());

  it('counts failures per forwarded client, not per balancer address', async () => {
    // One balancer address for everyone, as behind a load balancer.
    const balancer = freshAddress();
    const attacker = `203.0.113.${randomInt(1, 255)}`;
    const caller = `198.51.100.${randomInt(1, 255)}`;
    const from = (client: string) => ({ 'X-Forwarded-For': client });
    const statuses: number[] = [];
    for (let i = 0; i <= LIMIT; i++) {
      statuses.push(
        (await get(base, '/v1/tenant/stats', generateApiKey(), balancer, from(attacker))).status,
      );
    }
    expect(statuses).toEqual([...Array(LIMIT).fill(401), 429]);
    // Another caller through the same balancer is not blocked by the attacker.
    const other = await get(base, '/v1/tenant/stats', generateApiKey(), balancer, from(caller));
    expect(other.status).toBe(401);
  });
});

describe('the auth cache under a flood of distinct bad keys', () => {
  let app: NestExpressApplication;
  let tenant: TestTenant;

  beforeAll(async () => {
    // A TTL far longer than the test, so only eviction could make the valid key leave the cache.
    app = await createTestApp({ AUTH_FAILURE_LIMIT: '1000000', AUTH_CACHE_TTL_MS: '600000' });
    tenant = await createTenant(app);
  });
  afterAll(() => app.close());

  it('keeps a valid key cached after 10,001 unknown keys', async () => {
    const apiKeys = app.get(ApiKeysService);
    const lookups = jest.spyOn(app.get(ApiKeysRepository), 'findByHashWithTenant');
    const from = freshAddress();
    try {
      await apiKeys.authenticate(tenant.key, from);
      expect(lookups).toHaveBeenCalledTimes(1);
      const bad = Array.from({ length: 10_001 }, () => generateApiKey());
      for (let i = 0; i < bad.length; i += 200) {
        await Promise.all(
          bad.slice(i, i + 200).map((key) =>
            apiKeys.authenticate(key, from).then(
              () => Promise.reject(new Error('an unknown key was accepted')),
              (err: { code?: string }) => expect(err.code).toBe('invalid_api_key'),
            ),
          ),
        );
      }
      expect(lookups).toHaveBeenCalledTimes(1 + bad.length);
      lookups.mockClear();
      await expect(apiKeys.authenticate(tenant.key, from)).resolves.toMatchObject({
        tenant: { tenantId: tenant.tenantId },
      });
      // Answered from the cache: the bad keys did not push it out.
      expect(lookups).not.toHaveBeenCalled();
      // And a bad key seen recently is answered from its own cache too.
      await expect(apiKeys.authenticate(bad[bad.length - 1], from)).rejects.toMatchObject({
        code: 'invalid_api_key',
      });
      expect(lookups).not.toHaveBeenCalled();
    } finally {
      lookups.mockRestore();
    }
  });
});
