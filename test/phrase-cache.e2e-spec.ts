import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { PhraseCacheService } from '../apps/api/src/phrase-cache/phrase-cache.service';
import { UsageRecorder } from '../apps/api/src/usage/usage.recorder';
import { voiceLike, wavFile } from './helpers/audio-fixtures';
import {
  binaryParser,
  bearer,
  createTenant,
  createTestApp,
  TEST_ADMIN_KEY,
} from './helpers/test-app';
import type { TestTenant } from './helpers/test-app';

const PROMPT = 'Please hold while I check that for you.';

/**
 * The phrase cache on the real engine, database and Redis: two app instances share one Redis, as
 * replicas do.
 */
describe('phrase cache', () => {
  let a: NestExpressApplication;
  let b: NestExpressApplication;
  let tenant: TestTenant;

  beforeAll(async () => {
    [a, b] = await Promise.all([createTestApp(), createTestApp()]);
    tenant = await createTenant(a);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  const speak = (
    app: NestExpressApplication,
    body: Record<string, unknown>,
    t: TestTenant = tenant,
  ) =>
    request(app.getHttpServer())
      .post('/v1/synthesize/streaming')
      .set(bearer(t.key))
      .send({ format: 'mulaw', ...body })
      .buffer(true)
      .parse(binaryParser)
      .expect(200);

  it('answers a repeated request from the cache, bytes identical, and meters it as cached', async () => {
    const text = `${PROMPT} (${tenant.tenantId})`;
    const first = await speak(a, { text });
    const second = await speak(a, { text });
    expect(first.headers['x-cache']).toBe('miss');
    expect(second.headers['x-cache']).toBe('hit');
    expect((second.body as Buffer).equals(first.body as Buffer)).toBe(true);

    await a.get(UsageRecorder).flush();
    const rows: { cached: boolean; audio_ms: number; bytes: string }[] = await a
      .get(DataSource)
      .query('SELECT cached, audio_ms, bytes FROM usage_events WHERE tenant_id = $1 ORDER BY id', [
        tenant.uuid,
      ]);
    expect(rows.map((r) => r.cached)).toEqual([false, true]);
    // Quota counts the audio delivered, cached or not.
    expect(rows[1].audio_ms).toBe(rows[0].audio_ms);
    expect(rows[1].bytes).toBe(rows[0].bytes);
  });

  it('is shared by replicas through Redis, and kept per tenant', async () => {
    const text = `Your balance is ready (${tenant.tenantId}).`;
    expect((await speak(a, { text })).headers['x-cache']).toBe('miss');
    // Written to Redis behind the response (SHARED_WRITE_DELAY_MS); not waited out here.
    await a.get(PhraseCacheService).share();
    expect((await speak(b, { text })).headers['x-cache']).toBe('hit');
    const other = await createTenant(a);
    expect((await speak(b, { text }, other)).headers['x-cache']).toBe('miss');
  });

  it('misses once the voice or a dictionary it used has changed', async () => {
    const t = await createTenant(a);
    const uploaded = await request(a.getHttpServer())
      .post('/v1/voices/upload')
      .set(bearer(t.key))
      .field('name', 'Front desk')
      .attach('voice_file', wavFile(voiceLike(140, 4, 16000), 16000), {
        filename: 'v.wav',
        contentType: 'audio/wav',
      })
      .expect(200);
    const voiceId = uploaded.body.voice_id as string;
    const dictionary = await request(a.getHttpServer())
      .post('/v1/pronunciation-dictionaries')
      .set(bearer(t.key))
      .send({
        name: 'Places',
        rules: [{ type: 'alias', string_to_replace: 'VI', alias: 'Victoria Island' }],
      })
      .expect(201);
    const dictionaryId = dictionary.body.id as string;
    const body = {
      text: 'Our office in VI opens at nine.',
      voice_id: voiceId,
      pronunciation_dictionary_ids: [dictionaryId],
    };
    expect((await speak(a, body, t)).headers['x-cache']).toBe('miss');
    expect((await speak(a, body, t)).headers['x-cache']).toBe('hit');

    await request(a.getHttpServer())
      .patch(`/v1/voices/${voiceId}`)
      .set(bearer(t.key))
      .send({ name: 'Front desk (new)' })
      .expect(200);
    expect((await speak(a, body, t)).headers['x-cache']).toBe('miss');
    expect((await speak(a, body, t)).headers['x-cache']).toBe('hit');

    await request(a.getHttpServer())
      .post(`/v1/pronunciation-dictionaries/${dictionaryId}/add-rules`)
      .set(bearer(t.key))
      .send({ rules: [{ type: 'alias', string_to_replace: 'GTB', alias: 'G T Bank' }] })
      .expect((res) => expect(res.status).toBeLessThan(300));
    expect((await speak(a, body, t)).headers['x-cache']).toBe('miss');
  });

  it('cache: false always synthesizes; an admin flush empties it', async () => {
    const text = `Thank you for calling (${tenant.tenantId}, flush).`;
    await speak(a, { text });
    const optedOut = await speak(a, { text, cache: false });
    expect(optedOut.headers['x-cache']).toBeUndefined();
    expect((await speak(a, { text })).headers['x-cache']).toBe('hit');

    await request(a.getHttpServer())
      .delete('/v1/admin/phrase-cache')
      .set(bearer(TEST_ADMIN_KEY))
      .expect(200);
    expect((await speak(a, { text })).headers['x-cache']).toBe('miss');
  });

  it('refuses a cache value that is not a boolean', async () => {
    const res = await request(a.getHttpServer())
      .post('/v1/synthesize')
      .set(bearer(tenant.key))
      .send({ text: PROMPT, cache: 'sometimes' })
      .expect(422);
    expect(res.body.code).toBe('validation_failed');
  });
});
