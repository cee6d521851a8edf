import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { bearer, createTestApp, TEST_ADMIN_KEY } from './helpers/test-app';

describe('admin API', () => {
  let app: NestExpressApplication;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close());
  const http = () => request(app.getHttpServer());

  it('runs the key lifecycle: create tenant → issue key → key works → revoke → 401', async () => {
    const slug = `acme_${Date.now().toString(36)}`;
    const created = await http()
      .post('/v1/admin/tenants')
      .set(bearer(TEST_ADMIN_KEY))
      .send({
        tenant_id: slug,
        name: 'Acme',
        rate_limit_per_minute: 50,
        rate_limit_per_hour: 500,
        max_voices: 2,
      })
      .expect(201);
    expect(created.body).toMatchObject({
      tenant_id: slug,
      name: 'Acme',
      is_active: true,
      max_voices: 2,
    });

    await http()
      .post('/v1/admin/tenants')
      .set(bearer(TEST_ADMIN_KEY))
      .send({ tenant_id: slug, name: 'Again' })
      .expect(409);

    const issued = await http()
      .post(`/v1/admin/tenants/${slug}/keys`)
      .set(bearer(TEST_ADMIN_KEY))
      .send({ name: 'prod' })
      .expect(201);
    expect(issued.body.key).toMatch(/^cw_live_[0-9A-Za-z]{32}$/);
    expect(issued.body.prefix).toBe(issued.body.key.slice(0, 12));

    const stats = await http().get('/v1/tenant/stats').set(bearer(issued.body.key)).expect(200);
    expect(stats.body.tenant_id).toBe(slug);

    const listed = await http()
      .get(`/v1/admin/tenants/${slug}/keys`)
      .set(bearer(TEST_ADMIN_KEY))
      .expect(200);
    expect(listed.body).toHaveLength(1);
    expect(listed.body[0]).toMatchObject({
      key_id: issued.body.key_id,
      prefix: issued.body.prefix,
      revoked_at: null,
    });
    expect(JSON.stringify(listed.body)).not.toContain(issued.body.key);

    const tenants = await http().get('/v1/admin/tenants').set(bearer(TEST_ADMIN_KEY)).expect(200);
    expect(tenants.body.map((t: { tenant_id: string }) => t.tenant_id)).toContain(slug);

    await http()
      .delete(`/v1/admin/keys/${issued.body.key_id}`)
      .set(bearer(TEST_ADMIN_KEY))
      .expect(200);
    const res = await http().get('/v1/tenant/stats').set(bearer(issued.body.key)).expect(401);
    expect(res.body.message).toBe('Invalid API key');
    await http()
      .delete(`/v1/admin/keys/${issued.body.key_id}`)
      .set(bearer(TEST_ADMIN_KEY))
      .expect(404);
  });

  it('PATCH changes limits, which apply at once', async () => {
    const slug = `lim_${Date.now().toString(36)}`;
    await http()
      .post('/v1/admin/tenants')
      .set(bearer(TEST_ADMIN_KEY))
      .send({ tenant_id: slug, name: 'L' })
      .expect(201);
    const key = (
      await http()
        .post(`/v1/admin/tenants/${slug}/keys`)
        .set(bearer(TEST_ADMIN_KEY))
        .send({ name: 'k' })
    ).body.key;
    await http().get('/v1/tenant/stats').set(bearer(key)).expect(200);
    await http()
      .patch(`/v1/admin/tenants/${slug}`)
      .set(bearer(TEST_ADMIN_KEY))
      .send({ max_voices: 11 })
      .expect(200);
    const stats = await http().get('/v1/tenant/stats').set(bearer(key)).expect(200);
    expect(stats.body.max_voices).toBe(11);
  });

  it('unknown tenant → 404', async () => {
    const res = await http()
      .patch('/v1/admin/tenants/no_such_tenant')
      .set(bearer(TEST_ADMIN_KEY))
      .send({ name: 'x' })
      .expect(404);
    expect(res.body.code).toBe('tenant_not_found');
  });

  it('refuses tenant keys and wrong admin keys', async () => {
    await http().get('/v1/admin/tenants').set(bearer('cw_demo_12345')).expect(401);
    await http().get('/v1/admin/tenants').expect(401);
  });

  it('answers 404 on admin routes when ADMIN_API_KEY is unset', async () => {
    const noAdmin = await createTestApp({ ADMIN_API_KEY: '' });
    try {
      const res = await request(noAdmin.getHttpServer())
        .get('/v1/admin/tenants')
        .set(bearer(TEST_ADMIN_KEY))
        .expect(404);
      expect(res.body.code).toBe('not_found');
    } finally {
      await noAdmin.close();
    }
  });
});
