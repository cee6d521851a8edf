import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { bearer, createTenant, createTestApp } from './helpers/test-app';

describe('GET /v1/tenant/stats', () => {
  let app: NestExpressApplication;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close());

  it('answers for the caller’s tenant only', async () => {
    const a = await createTenant(app, {
      max_voices: 3,
      rate_limit_per_minute: 77,
      rate_limit_per_hour: 777,
    });
    const b = await createTenant(app, {
      max_voices: 9,
      rate_limit_per_minute: 88,
      rate_limit_per_hour: 888,
    });
    const resA = await request(app.getHttpServer())
      .get('/v1/tenant/stats')
      .set(bearer(a.key))
      .expect(200);
    const resB = await request(app.getHttpServer())
      .get('/v1/tenant/stats')
      .set(bearer(b.key))
      .expect(200);
    expect(resA.body).toMatchObject({
      tenant_id: a.tenantId,
      max_voices: 3,
      rate_limit_per_minute: 77,
      rate_limit_per_hour: 777,
    });
    expect(resB.body).toMatchObject({
      tenant_id: b.tenantId,
      max_voices: 9,
      rate_limit_per_minute: 88,
      rate_limit_per_hour: 888,
    });
    expect(typeof resA.body.total_voices).toBe('number');
  });

  it('reports uploaded voices (what max_voices caps) apart from the shared built-ins', async () => {
    const t = await createTenant(app, { max_voices: 5 });
    const res = await request(app.getHttpServer())
      .get('/v1/tenant/stats')
      .set(bearer(t.key))
      .expect(200);
    const builtins = await request(app.getHttpServer())
      .get('/v1/voices')
      .set(bearer(t.key))
      .expect(200);
    expect(res.body).toMatchObject({
      uploaded_voices: 0,
      builtin_voices: builtins.body.length,
      total_voices: builtins.body.length,
      max_voices: 5,
    });
    expect(res.body.uploaded_voices).toBeLessThanOrEqual(res.body.max_voices);
  });
});
