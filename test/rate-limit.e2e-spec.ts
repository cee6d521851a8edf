import { NestExpressApplication } from '@nestjs/platform-express';
import Redis from 'ioredis';
import request from 'supertest';
import { bearer, createTenant, createTestApp } from './helpers/test-app';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('per-tenant rate limits', () => {
  describe('in-memory storage', () => {
    let app: NestExpressApplication;
    beforeAll(async () => {
      app = await createTestApp({ REDIS_URL: '' });
    });
    afterAll(() => app.close());

    it('answers 429 with Retry-After after the per-minute limit, and counts per tenant', async () => {
      const limited = await createTenant(app, { rate_limit_per_minute: 3 });
      const other = await createTenant(app, { rate_limit_per_minute: 3 });
      const remaining: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await request(app.getHttpServer())
          .get('/v1/tenant/stats')
          .set(bearer(limited.key))
          .expect(200);
        expect(res.headers['x-ratelimit-limit']).toBe('3');
        remaining.push(res.headers['x-ratelimit-remaining']);
        expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
      }
      expect(remaining).toEqual(['2', '1', '0']);
      const res = await request(app.getHttpServer())
        .get('/v1/tenant/stats')
        .set(bearer(limited.key))
        .expect(429);
      expect(res.body).toMatchObject({ statusCode: 429, code: 'rate_limit_exceeded' });
      expect(res.body.message).toContain('3 requests per minute');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      // Another tenant from the same IP is unaffected: tracking is by tenant.
      await request(app.getHttpServer()).get('/v1/tenant/stats').set(bearer(other.key)).expect(200);
    });

    it('enforces the hourly limit too', async () => {
      const limited = await createTenant(app, {
        rate_limit_per_minute: 100,
        rate_limit_per_hour: 2,
      });
      await request(app.getHttpServer())
        .get('/v1/tenant/stats')
        .set(bearer(limited.key))
        .expect(200);
      await request(app.getHttpServer())
        .get('/v1/tenant/stats')
        .set(bearer(limited.key))
        .expect(200);
      const res = await request(app.getHttpServer())
        .get('/v1/tenant/stats')
        .set(bearer(limited.key))
        .expect(429);
      expect(res.body.message).toContain('2 requests per hour');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(60);
    });

    it('does not limit public routes', async () => {
      for (let i = 0; i < 5; i++) await request(app.getHttpServer()).get('/v1/health').expect(200);
    });
  });

  describe('Redis storage shared by two replicas', () => {
    let a: NestExpressApplication;
    let b: NestExpressApplication;
    beforeAll(async () => {
      a = await createTestApp({ REDIS_URL });
      b = await createTestApp({ REDIS_URL });
    });
    afterAll(async () => {
      await a.close();
      await b.close();
    });

    it('enforces one combined budget', async () => {
      const tenant = await createTenant(a, { rate_limit_per_minute: 4 });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const app = i % 2 === 0 ? a : b;
        const res = await request(app.getHttpServer())
          .get('/v1/tenant/stats')
          .set(bearer(tenant.key));
        statuses.push(res.status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
      const redis = new Redis(REDIS_URL);
      try {
        const keys = await redis.keys(`{cw:rl:default:${tenant.uuid}*`);
        expect(keys.length).toBeGreaterThan(0);
      } finally {
        redis.disconnect();
      }
    });
  });
});
