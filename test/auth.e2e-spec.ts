import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import {
  bearer,
  createTenant,
  createTestApp,
  TEST_ADMIN_KEY,
  TestTenant,
} from './helpers/test-app';

const ERROR_KEYS = ['code', 'detail', 'error', 'message', 'request_id', 'statusCode'];

describe('authentication and the error body', () => {
  let app: NestExpressApplication;
  let tenant: TestTenant;

  beforeAll(async () => {
    app = await createTestApp();
    tenant = await createTenant(app);
  });
  afterAll(() => app.close());

  const stats = () => request(app.getHttpServer()).get('/v1/tenant/stats');

  it.each([
    ['no header', undefined, 'missing_authorization', 'Authorization header required'],
    ['a bare key', 'cw_demo_12345', 'invalid_authorization_format', 'Invalid authorization format'],
    [
      'Basic auth',
      'Basic Zm9vOmJhcg==',
      'invalid_authorization_format',
      'Invalid authorization format',
    ],
    ['an unknown key', 'Bearer cw_live_doesnotexist', 'invalid_api_key', 'Invalid API key'],
  ])('%s → 401 with the predecessor message', async (_case, header, code, message) => {
    const req = stats();
    if (header) req.set('Authorization', header);
    const res = await req.expect(401);
    expect(Object.keys(res.body).sort()).toEqual(ERROR_KEYS);
    expect(res.body).toMatchObject({
      statusCode: 401,
      error: 'Unauthorized',
      code,
      message,
      detail: message,
    });
    expect(res.body.request_id).toBe(res.headers['x-request-id']);
  });

  it('accepts a valid key and echoes the client request id', async () => {
    const res = await stats()
      .set(bearer(tenant.key))
      .set('X-Request-ID', 'call-42.abc')
      .expect(200);
    expect(res.headers['x-request-id']).toBe('call-42.abc');
    expect(res.body.tenant_id).toBe(tenant.tenantId);
  });

  it('the seeded demo key works and is stored only as a hash', async () => {
    const res = await stats().set(bearer('cw_demo_12345')).expect(200);
    expect(res.body).toMatchObject({
      tenant_id: 'callwaiting_demo',
      name: 'CallWaiting Demo',
      max_voices: 20,
      rate_limit_per_minute: 1000,
      rate_limit_per_hour: 10000,
    });
    const { DataSource } = await import('typeorm');
    const rows = await app
      .get(DataSource)
      .query(
        `SELECT key_hash, prefix FROM api_keys k JOIN tenants t ON t.id = k.tenant_id WHERE t.tenant_id = 'test_tenant'`,
      );
    expect(rows).toHaveLength(1);
    expect(rows[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain('test_key_67890');
  });

  it('a revoked key → 401 Invalid API key', async () => {
    const other = await createTenant(app);
    await stats().set(bearer(other.key)).expect(200);
    await request(app.getHttpServer())
      .delete(`/v1/admin/keys/${other.keyId}`)
      .set(bearer(TEST_ADMIN_KEY))
      .expect(200, { key_id: other.keyId, revoked: true });
    const res = await stats().set(bearer(other.key)).expect(401);
    expect(res.body.message).toBe('Invalid API key');
  });

  it('an expired key → 401 Invalid API key', async () => {
    const other = await createTenant(app);
    const { DataSource } = await import('typeorm');
    await app
      .get(DataSource)
      .query(`UPDATE api_keys SET expires_at = now() - interval '1 minute' WHERE id = $1`, [
        other.keyId,
      ]);
    const res = await stats().set(bearer(other.key)).expect(401);
    expect(res.body.code).toBe('invalid_api_key');
  });

  it('an inactive tenant → 403', async () => {
    const other = await createTenant(app);
    await request(app.getHttpServer())
      .patch(`/v1/admin/tenants/${other.tenantId}`)
      .set(bearer(TEST_ADMIN_KEY))
      .send({ is_active: false })
      .expect(200);
    const res = await stats().set(bearer(other.key)).expect(403);
    expect(res.body).toMatchObject({ statusCode: 403, code: 'tenant_inactive' });
  });

  it('malformed JSON → 400 invalid_json', async () => {
    const res = await request(app.getHttpServer())
      .post('/v1/admin/tenants')
      .set(bearer(TEST_ADMIN_KEY))
      .set('Content-Type', 'application/json')
      .send('{"tenant_id": ')
      .expect(400);
    expect(res.body.code).toBe('invalid_json');
    expect(res.body.request_id).toBe(res.headers['x-request-id']);
  });

  it('schema violations → 422 validation_failed with per-field messages', async () => {
    const res = await request(app.getHttpServer())
      .post('/v1/admin/tenants')
      .set(bearer(TEST_ADMIN_KEY))
      .send({ tenant_id: 'Bad Slug!', rate_limit_per_minute: 0 })
      .expect(422);
    expect(res.body.code).toBe('validation_failed');
    expect(Object.keys(res.body.fields).sort()).toEqual([
      'name',
      'rate_limit_per_minute',
      'tenant_id',
    ]);
  });

  it('unknown route → 404 in the same body', async () => {
    const res = await request(app.getHttpServer())
      .get('/v1/nothing-here')
      .set(bearer(tenant.key))
      .expect(404);
    expect(res.body).toMatchObject({ statusCode: 404, code: 'not_found' });
    expect(res.headers['x-request-id']).toBeTruthy();
  });

  it('root and health are public; root shows no secrets', async () => {
    const root = await request(app.getHttpServer()).get('/').expect(200);
    expect(root.body).toMatchObject({ service: 'CallWaiting TTS', docs: '/docs' });
    expect(root.body.endpoints).toEqual(
      expect.arrayContaining(['GET /v1/health', 'GET /v1/tenant/stats']),
    );
    expect(JSON.stringify(root.body)).not.toMatch(/cw_demo|test_key|postgres:/);
    const health = await request(app.getHttpServer()).get('/v1/health').expect(200);
    expect(health.body).toMatchObject({ database: 'up' });
    expect(['healthy', 'degraded']).toContain(health.body.status);
    expect(typeof health.body.uptime_s).toBe('number');
  });

  it('publishes an OpenAPI document with the Bearer scheme and the error body', async () => {
    const res = await request(app.getHttpServer()).get('/openapi.json').expect(200);
    expect(res.body.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    expect(res.body.components.schemas.ErrorBody.required).toEqual(
      expect.arrayContaining(['code', 'message', 'detail', 'request_id']),
    );
    expect(res.body.paths['/v1/tenant/stats'].get).toBeDefined();
    await request(app.getHttpServer()).get('/docs').expect(200);
  });

  it('the root endpoint list matches the OpenAPI document', async () => {
    const doc = await request(app.getHttpServer()).get('/openapi.json').expect(200);
    const documented = Object.entries(doc.body.paths as Record<string, object>)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .filter((e) => e !== 'GET /')
      .sort();
    const root = await request(app.getHttpServer()).get('/').expect(200);
    expect([...root.body.endpoints].sort()).toEqual(documented);
  });
});
