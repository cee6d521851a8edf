import { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '@cw/config';
import { prepareDatabase } from '@cw/db';
import { PostgresProcess } from './helpers/postgres-process';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { EngineError, EngineErrorCode, TTS_ENGINE, type TtsEngine } from '@cw/engines';
import { StreamSlotsService } from '../apps/api/src/usage/stream-slots.service';
import { UsageRecorder } from '../apps/api/src/usage/usage.recorder';
import { LONG_TEXT, listen, openStream } from './helpers/audio-client';
import { bearer, binaryParser, createTenant, createTestApp, TestTenant } from './helpers/test-app';
import { waitUntil } from './helpers/engine-watch';

interface UsageRow {
  status: string;
  audio_ms: number;
  bytes: string;
  endpoint: string;
  streaming: boolean;
  error_code: string | null;
  ttfb_ms: number | null;
  characters: number;
  voice_id: string;
  api_key_id: string;
}

describe('usage metering', () => {
  let app: NestExpressApplication;
  let base: string;

  beforeAll(async () => {
    // Metering and caps are what this suite checks: the engine's admission (engine_busy) may use
    // all of its measured capacity, so a loaded machine does not refuse the long streams here.
    app = await createTestApp({ ENGINE_POOL_SIZE: '2', SCHEDULER_TARGET_LOAD_PCT: '100' });
    base = await listen(app);
  });
  afterAll(() => app.close());
  afterEach(() => jest.restoreAllMocks());

  const rows = async (t: TestTenant): Promise<UsageRow[]> => {
    await app.get(UsageRecorder).flush();
    return app
      .get(DataSource)
      .query('SELECT * FROM usage_events WHERE tenant_id = $1 ORDER BY id', [t.uuid]);
  };

  it('records a completed whole-file synthesis with the audio delivered', async () => {
    const t = await createTenant(app);
    const res = await request(app.getHttpServer())
      .post('/v1/synthesize')
      .set(bearer(t.key))
      .send({ text: 'Thank you for calling.', format: 'mulaw' })
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    const [row] = await rows(t);
    expect(row).toMatchObject({
      status: 'completed',
      endpoint: 'synthesize',
      streaming: false,
      error_code: null,
      characters: 'Thank you for calling.'.length,
      voice_id: 'default',
      api_key_id: t.keyId,
    });
    expect(Number(row.bytes)).toBe(res.body.length);
    expect(row.audio_ms).toBe(Math.round(res.body.length / 8));
    expect(Math.abs(row.audio_ms - Number(res.headers['x-audio-duration-ms']))).toBeLessThanOrEqual(
      1,
    );
  });

  it('records a streamed synthesis; WAV header bytes are not audio', async () => {
    const t = await createTenant(app);
    const res = await request(app.getHttpServer())
      .post('/v1/synthesize/streaming')
      .set(bearer(t.key))
      .send({ text: 'Thank you for calling.', format: 'wav', sample_rate: 16000 })
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    const [row] = await rows(t);
    expect(row).toMatchObject({
      status: 'completed',
      endpoint: 'synthesize/streaming',
      streaming: true,
    });
    expect(Number(row.bytes)).toBe(res.body.length);
    expect(row.audio_ms).toBe(Math.round((res.body.length - 44) / 32));
    expect(row.ttfb_ms).not.toBeNull();
  });

  it('a cancelled stream counts only the audio sent', async () => {
    const t = await createTenant(app);
    const stream = await openStream(base, '/v1/synthesize/streaming', t.key, {
      text: LONG_TEXT,
      format: 'mulaw',
    });
    stream.hangUp();
    await waitUntil(async () => (await rows(t)).length === 1);
    const [row] = await rows(t);
    expect(row.status).toBe('cancelled');
    expect(row.audio_ms).toBe(Math.round(Number(row.bytes) / 8));
    // The whole text is minutes of audio; a hang-up at the first chunk sends a small part of it.
    expect(row.audio_ms).toBeGreaterThan(0);
    expect(row.audio_ms).toBeLessThan(60_000);
  });

  it('records a failure after audio started as failed, with the engine’s code', async () => {
    const t = await createTenant(app);
    const engine = app.get<TtsEngine>(TTS_ENGINE);
    const original = engine.synthesize.bind(engine);
    let calls = 0;
    jest.spyOn(engine, 'synthesize').mockImplementation((req, signal) => {
      calls++;
      if (calls === 1) return original(req, signal);
      return (async function* () {
        yield* [];
        throw new EngineError(EngineErrorCode.Failed, 'engine crashed');
      })();
    });
    const result = await request(app.getHttpServer())
      .post('/v1/synthesize/streaming')
      .set(bearer(t.key))
      .send({ text: 'First sentence here. Second sentence fails.', format: 'pcm' })
      .buffer(true)
      .parse(binaryParser)
      .then(
        () => 'completed',
        (err: Error) => err.message,
      );
    // The client sees a broken transfer, not a complete-looking body.
    expect(result).not.toBe('completed');
    await waitUntil(async () => (await rows(t)).length === 1);
    const [row] = await rows(t);
    expect(row).toMatchObject({ status: 'failed', error_code: 'synthesis_failed' });
    expect(row.audio_ms).toBeGreaterThan(0);
  });

  it('stats and the usage series report what was recorded', async () => {
    const t = await createTenant(app, { monthly_quota_seconds: 600 });
    for (let i = 0; i < 2; i++) {
      await request(app.getHttpServer())
        .post('/v1/synthesize')
        .set(bearer(t.key))
        .send({ text: 'Hello there.', format: 'mulaw' })
        .expect(200);
    }
    const recorded = await rows(t);
    const audioSeconds = recorded.reduce((s, r) => s + r.audio_ms, 0) / 1000;
    const stats = await request(app.getHttpServer())
      .get('/v1/tenant/stats')
      .set(bearer(t.key))
      .expect(200);
    expect(stats.body.usage.today).toEqual({
      requests: 2,
      characters: 24,
      audio_seconds: audioSeconds,
    });
    expect(stats.body.usage.month).toEqual(stats.body.usage.today);
    expect(stats.body.quota).toEqual({
      monthly_quota_seconds: 600,
      used_seconds: audioSeconds,
      remaining_seconds: Math.round((600 - audioSeconds) * 1000) / 1000,
    });
    const series = await request(app.getHttpServer())
      .get('/v1/usage?group_by=voice')
      .set(bearer(t.key))
      .expect(200);
    expect(series.body.series).toEqual([
      { key: 'default', requests: 2, characters: 24, audio_seconds: audioSeconds },
    ]);
    const byDay = await request(app.getHttpServer())
      .get('/v1/usage')
      .set(bearer(t.key))
      .expect(200);
    expect(byDay.body.series).toHaveLength(1);
    expect(byDay.body.series[0].key).toBe(new Date().toISOString().slice(0, 10));
    const bad = await request(app.getHttpServer())
      .get('/v1/usage?group_by=hour')
      .set(bearer(t.key))
      .expect(422);
    expect(bad.body.code).toBe('validation_failed');
  });

  it('refuses with 429 quota_exceeded before synthesis once the monthly seconds are used', async () => {
    const t = await createTenant(app, { monthly_quota_seconds: 1 });
    await request(app.getHttpServer())
      .post('/v1/synthesize')
      .set(bearer(t.key))
      .send({ text: 'This sentence is longer than one second of audio.' })
      .expect(200);
    const engine = app.get<TtsEngine>(TTS_ENGINE);
    const spy = jest.spyOn(engine, 'synthesize');
    for (const path of ['/v1/synthesize', '/v1/synthesize/streaming']) {
      const res = await request(app.getHttpServer())
        .post(path)
        .set(bearer(t.key))
        .send({ text: 'Again.' })
        .expect(429);
      expect(res.body).toMatchObject({ code: 'quota_exceeded', monthly_quota_seconds: 1 });
      expect(res.body.message).toContain('Monthly audio quota of 1 seconds is used up');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(spy).not.toHaveBeenCalled();
  });

  it('caps concurrent streams per tenant and releases a slot when a client hangs up', async () => {
    const t = await createTenant(app, { max_concurrent_streams: 2 });
    const a = await openStream(base, '/v1/synthesize/streaming', t.key, {
      text: LONG_TEXT,
      format: 'pcm',
    });
    const b = await openStream(base, '/v1/synthesize/streaming', t.key, {
      text: LONG_TEXT,
      format: 'pcm',
    });
    const refused = await request(app.getHttpServer())
      .post('/v1/synthesize/streaming')
      .set(bearer(t.key))
      .send({ text: 'Hi.' })
      .expect(429);
    expect(refused.body).toMatchObject({
      code: 'too_many_concurrent_requests',
      max_concurrent_streams: 2,
    });
    // Another tenant is not affected.
    const other = await createTenant(app, { max_concurrent_streams: 1 });
    await request(app.getHttpServer())
      .post('/v1/synthesize')
      .set(bearer(other.key))
      .send({ text: 'Hi.' })
      .expect(200);
    a.hangUp();
    await waitUntil(async () => {
      const res = await request(app.getHttpServer())
        .post('/v1/synthesize')
        .set(bearer(t.key))
        .send({ text: 'Hi.' });
      return res.status === 200;
    });
    b.hangUp();
  });

  it('frees the slot a synthesis route reserves with its rate limit when the request runs no synthesis', async () => {
    const t = await createTenant(app, { max_concurrent_streams: 1 });
    const slots = app.get(StreamSlotsService);
    // Invalid bodies and unknown voices: each reserved the tenant's only slot at the guard.
    const refusals: Array<[object, number, string]> = [
      [{ text: '' }, 400, 'empty_text'],
      [{ text: 'Hi.', voice_id: 'nobody' }, 404, 'voice_not_found'],
      [{ text: 'Hi.', speed: 9 }, 422, 'validation_failed'],
    ];
    for (const [body, status, code] of refusals) {
      for (const path of ['/v1/synthesize', '/v1/synthesize/streaming']) {
        const res = await request(app.getHttpServer()).post(path).set(bearer(t.key)).send(body);
        expect([res.status, res.body.code]).toEqual([status, code]);
      }
    }
    await waitUntil(async () => (await slots.inFlight(t.uuid)) === 0);
    // The slot is the held stream's: a second valid stream is refused, an invalid one gets its
    // own error, not the concurrency refusal.
    const held = await openStream(base, '/v1/synthesize/streaming', t.key, {
      text: LONG_TEXT,
      format: 'pcm',
    });
    expect(await slots.inFlight(t.uuid)).toBe(1);
    await request(app.getHttpServer())
      .post('/v1/synthesize/streaming')
      .set(bearer(t.key))
      .send({ text: 'Hi.' })
      .expect(429);
    const invalid = await request(app.getHttpServer())
      .post('/v1/synthesize/streaming')
      .set(bearer(t.key))
      .send({ text: '' })
      .expect(400);
    expect(invalid.body.code).toBe('empty_text');
    held.hangUp();
    await waitUntil(async () => (await slots.inFlight(t.uuid)) === 0);
    await request(app.getHttpServer())
      .post('/v1/synthesize')
      .set(bearer(t.key))
      .send({ text: 'Hi.' })
      .expect(200);
    expect(await slots.inFlight(t.uuid)).toBe(0);
  });
});

describe('usage events across a database restart', () => {
  it('keeps buffered events while the database is down and writes them when it returns', async () => {
    const dir = resolve(__dirname, `../.data/usage-restart-pg-${randomBytes(4).toString('hex')}`);
    const port = 21000 + Math.floor(Math.random() * 20000);
    const pg = new PostgresProcess(dir, port);
    await pg.start();
    await prepareDatabase(loadConfig({ DATABASE_URL: pg.url }), () => undefined);
    const app = await createTestApp({ USAGE_FLUSH_MS: '60000' }, { databaseUrl: pg.url });
    try {
      const t = await createTenant(app);
      for (const text of ['First call.', 'Second call.']) {
        await request(app.getHttpServer())
          .post('/v1/synthesize')
          .set(bearer(t.key))
          .send({ text })
          .expect(200);
      }
      const recorder = app.get(UsageRecorder);
      expect(recorder.pending(t.uuid, new Date(0))).toHaveLength(2);

      await pg.stop();
      await recorder.flush();
      expect(recorder.pending(t.uuid, new Date(0))).toHaveLength(2);

      await pg.start();
      await recorder.flush();
      expect(recorder.pending(t.uuid, new Date(0))).toHaveLength(0);
      const rows: { status: string }[] = await app
        .get(DataSource)
        .query('SELECT status FROM usage_events WHERE tenant_id = $1', [t.uuid]);
      expect(rows.map((r) => r.status)).toEqual(['completed', 'completed']);
      expect(recorder.droppedCount).toBe(0);
    } finally {
      await app.close();
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
