import { NestExpressApplication } from '@nestjs/platform-express';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { Writable } from 'node:stream';
import { APP_CONFIG, type AppConfig } from '@cw/config';
import request from 'supertest';
import { bearer, createTenant, createTestApp, TEST_ADMIN_KEY } from './helpers/test-app';
import { voiceLike, wavFile } from './helpers/audio-fixtures';

describe('metrics, logs and probes', () => {
  let app: NestExpressApplication;
  const lines: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    app = await createTestApp({ LOG_LEVEL: 'debug' }, { logStream: sink });
  });
  afterAll(() => app.close());

  it('serves Prometheus metrics to the admin key only', async () => {
    const t = await createTenant(app, { rate_limit_per_minute: 1 });
    await request(app.getHttpServer())
      .post('/v1/synthesize')
      .set(bearer(t.key))
      .send({ text: 'Hello.' })
      .expect(200);
    await request(app.getHttpServer()).get('/v1/tenant/stats').set(bearer(t.key)).expect(429);
    await request(app.getHttpServer()).get('/metrics').expect(401);
    await request(app.getHttpServer()).get('/metrics').set(bearer(t.key)).expect(401);
    const res = await request(app.getHttpServer())
      .get('/metrics')
      .set(bearer(TEST_ADMIN_KEY))
      .expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    for (const family of [
      'http_request_duration_seconds',
      'tts_time_to_first_byte_seconds',
      'tts_audio_seconds_total',
      'tts_active_streams',
      'tts_engine_queue_depth',
      'tts_rejections_total',
    ]) {
      expect(res.text).toContain(`# TYPE ${family} `);
    }
    expect(res.text).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/v1\/synthesize",status="200"\} [1-9]/,
    );
    expect(res.text).toMatch(/tts_rejections_total\{reason="rate_limit",tenant="all"\} [1-9]/);
    expect(res.text).toMatch(/tts_audio_seconds_total\{engine="espeak",tenant="all"\} [0-9.]+/);
  });

  it('answers liveness and readiness probes', async () => {
    await request(app.getHttpServer()).get('/v1/health/live').expect(200, { status: 'ok' });
    const ready = await request(app.getHttpServer()).get('/v1/health/ready').expect(200);
    expect(ready.body.status).toBe('ok');
    expect(ready.body.info).toMatchObject({ database: { status: 'up' }, engine: { status: 'up' } });
    if (process.env.REDIS_URL) expect(ready.body.info.redis).toEqual({ status: 'up' });
  });

  it('logs JSON with request and tenant ids, and never a key', async () => {
    const t = await createTenant(app);
    const http = () => request(app.getHttpServer());
    await http()
      .get('/v1/tenant/stats')
      .set(bearer(t.key))
      .set('X-Request-ID', 'log-check-1')
      .expect(200);
    await http()
      .get('/v1/tenant/stats')
      .set(bearer('cw_live_notARealKeyButSecretLooking'))
      .expect(401);
    await http()
      .get('/v1/tenant/stats?api_key=cw_live_inTheQueryString')
      .set(bearer(t.key))
      .expect(200);
    await http()
      .post('/v1/synthesize/streaming')
      .set(bearer(t.key))
      .send({ text: 'Log me.' })
      .expect(200);
    const issued = await http()
      .post(`/v1/admin/tenants/${t.tenantId}/keys`)
      .set(bearer(TEST_ADMIN_KEY))
      .send({ name: 'second' })
      .expect(201);
    await http()
      .post('/v1/voices/upload')
      .set(bearer(t.key))
      .field('name', 'Logged voice')
      .attach('voice_file', wavFile(voiceLike(120, 4, 16000), 16000), 'v.wav')
      .expect(200);
    // The upload went to the suite's temp directory, never the running service's ./.data/voices.
    const storage = app.get<AppConfig>(APP_CONFIG).storage;
    expect(storage.s3).toBeUndefined();
    expect(resolve(storage.localDir).startsWith(tmpdir() + sep)).toBe(true);
    expect(readdirSync(join(storage.localDir, t.uuid))).toHaveLength(1);

    const parsed = lines.map(
      (l) => JSON.parse(l) as Record<string, unknown> & { req?: { id?: string } },
    );
    const requestLine = parsed.find((l) => l.req?.id === 'log-check-1');
    expect(requestLine).toMatchObject({
      route: '/v1/tenant/stats',
      tenant_id: t.tenantId,
      req: { method: 'GET', url: '/v1/tenant/stats' },
    });
    expect(
      parsed.some(
        (l) =>
          l.msg === 'synthesis finished' &&
          l.tenant_id === t.tenantId &&
          typeof l.ttfb_ms === 'number',
      ),
    ).toBe(true);

    const all = lines.join('\n');
    for (const secret of [
      t.key,
      issued.body.key,
      TEST_ADMIN_KEY,
      'cw_live_notARealKeyButSecretLooking',
      'cw_live_inTheQueryString',
    ]) {
      expect(all).not.toContain(secret);
    }
    expect(all.toLowerCase()).not.toContain('bearer');
    expect(all).not.toContain('RIFF');
  });
});
