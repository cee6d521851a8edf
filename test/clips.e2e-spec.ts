import { NestExpressApplication } from '@nestjs/platform-express';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { parseWav } from '@cw/audio';
import { TTS_ENGINE, type TtsEngine } from '@cw/engines';
import { ClipSweeper } from '../apps/api/src/clips/clip-sweeper.service';
import { ClipUrlSigner } from '../apps/api/src/clips/clip-url-signer';
import { UsageRecorder } from '../apps/api/src/usage/usage.recorder';
import { listen } from './helpers/audio-client';
import { bearer, createTenant, createTestApp, TestTenant } from './helpers/test-app';
import { waitUntil } from './helpers/engine-watch';

const SECRET = 'clips-e2e-signing-secret-0123456789';
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TEXT = 'Please hold while I check your account balance.';

interface ClipUrl {
  id: string;
  url: string;
  expires_at: string;
  content_type: string;
  duration_s: number;
}

interface Alignment {
  word: string;
  start_ms: number;
  end_ms: number;
}

/** The path and query of a signed URL, with one query parameter replaced. */
function withParam(url: string, name: string, value: string): string {
  const u = new URL(url);
  u.searchParams.set(name, value);
  return `${u.pathname}${u.search}`;
}

const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

/** Words as a listener hears them: no punctuation, any case. */
const spoken = (text: string) =>
  text
    .split(/\s+/)
    .map((w) => w.replace(/[^\p{L}\p{N}']/gu, '').toLowerCase())
    .filter(Boolean);

describe('signed clip URLs and word timings', () => {
  let app: NestExpressApplication;
  let base: string;
  let tenant: TestTenant;
  let storageDir: string;

  beforeAll(async () => {
    storageDir = mkdtempSync(join(tmpdir(), 'cw-clips-'));
    app = await createTestApp({
      ENGINE_POOL_SIZE: '2',
      VOICE_STORAGE_DIR: storageDir,
      SIGNED_URL_SECRET: SECRET,
      // Sweeps in these tests are called directly; the timer must not race them.
      CLIP_SWEEP_INTERVAL_S: '3600',
      PUBLIC_BASE_URL: '',
    });
    base = await listen(app);
    tenant = await createTenant(app);
  });
  afterAll(async () => {
    await app.close();
    rmSync(storageDir, { recursive: true, force: true });
  });
  afterEach(() => jest.restoreAllMocks());

  const createClip = (t: TestTenant, body: object) =>
    request(app.getHttpServer()).post('/v1/synthesize-url').set(bearer(t.key)).send(body);

  const fetchPath = (path: string) =>
    request(app.getHttpServer())
      .get(path)
      .buffer(true)
      .parse((res, cb) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => cb(null, Buffer.concat(parts)));
      });

  const clipRow = async (id: string) =>
    (
      await app
        .get(DataSource)
        .query<{ tenant_id: string; storage_key: string; bytes: number; duration_ms: number }[]>(
          'SELECT * FROM clips WHERE id = $1',
          [id],
        )
    )[0];

  describe('POST /v1/synthesize-url and GET /v1/audio/{id}', () => {
    it('stores a WAV and serves it at an absolute signed URL without an API key', async () => {
      // Through a real socket: the URL is built from the request's scheme and host.
      const created = await fetch(`${base}/v1/synthesize-url`, {
        method: 'POST',
        headers: { ...bearer(tenant.key), 'Content-Type': 'application/json' },
        body: JSON.stringify({ text: TEXT, voice_id: 'naija_female' }),
      });
      expect(created.status).toBe(201);
      const clip = (await created.json()) as ClipUrl;
      expect(clip.id).toMatch(UUID_V4);
      expect(clip.url).toMatch(
        new RegExp(`^${base}/v1/audio/${clip.id}\\?expires=\\d+&signature=[A-Za-z0-9_-]{43}$`),
      );
      expect(clip.content_type).toBe('audio/wav');
      const ttlS = (Date.parse(clip.expires_at) - Date.now()) / 1000;
      expect(ttlS).toBeGreaterThan(3590);
      expect(ttlS).toBeLessThanOrEqual(3601);
      expect(Number(new URL(clip.url).searchParams.get('expires')) * 1000).toBe(
        Date.parse(clip.expires_at),
      );

      const res = await fetch(clip.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('audio/wav');
      const body = Buffer.from(await res.arrayBuffer());
      expect(Number(res.headers.get('content-length'))).toBe(body.length);
      const wav = parseWav(body);
      expect(wav).toMatchObject({ sampleRate: 22050, channels: 1, bitsPerSample: 16 });
      expect(wav.dataBytes).toBe(body.length - 44);
      expect(Math.abs(wav.samples[0].length / 22050 - clip.duration_s)).toBeLessThan(0.002);
      expect(clip.duration_s).toBeGreaterThan(1.5);

      // The very bytes that were stored, under clips/<tenant>/<id>.wav, and the row agrees.
      const row = await clipRow(clip.id);
      expect(row).toMatchObject({
        tenant_id: tenant.uuid,
        storage_key: `clips/${tenant.uuid}/${clip.id}.wav`,
        bytes: body.length,
        duration_ms: Math.round(clip.duration_s * 1000),
      });
      expect(readFileSync(join(storageDir, row.storage_key)).equals(body)).toBe(true);
    });

    it('mu-law is served as audio/basic, 8000 bytes a second', async () => {
      const created = await createClip(tenant, { text: TEXT, format: 'mulaw' }).expect(201);
      const clip = created.body as ClipUrl;
      expect(clip.content_type).toBe('audio/basic');
      const res = await fetchPath(pathOf(clip.url)).expect(200);
      expect(res.headers['content-type']).toBe('audio/basic');
      expect(Number(res.headers['content-length'])).toBe(res.body.length);
      expect(Math.abs(res.body.length / 8000 - clip.duration_s)).toBeLessThan(0.002);
      expect(new Set(res.body as Buffer).size).toBeGreaterThan(50);
      expect((await clipRow(clip.id)).storage_key).toMatch(/\.ulaw$/);
    });

    describe('refuses altered or expired URLs with 403', () => {
      let clip: ClipUrl;
      beforeAll(async () => {
        clip = (await createClip(tenant, { text: 'Thank you.', format: 'mulaw' }).expect(201))
          .body as ClipUrl;
      });

      it('a tampered signature → invalid_signature, in the error body', async () => {
        const signature = new URL(clip.url).searchParams.get('signature')!;
        const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
        const res = await fetchPath(withParam(clip.url, 'signature', flipped)).expect(403);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        const body = JSON.parse((res.body as Buffer).toString());
        expect(body).toMatchObject({
          statusCode: 403,
          error: 'Forbidden',
          code: 'invalid_signature',
          request_id: res.headers['x-request-id'],
        });
      });

      it('a later expiry, a missing part, or a tampered id → invalid_signature', async () => {
        const expires = Number(new URL(clip.url).searchParams.get('expires'));
        const other = (await createClip(tenant, { text: 'Goodbye.' }).expect(201)).body as ClipUrl;
        const otherPath = pathOf(clip.url).replace(clip.id, other.id);
        for (const path of [
          withParam(clip.url, 'expires', String(expires + 3600)),
          withParam(clip.url, 'expires', `0${expires}`),
          pathOf(clip.url).replace(/&signature=.*$/, ''),
          `/v1/audio/${clip.id}`,
          otherPath,
          pathOf(clip.url).replace(clip.id, clip.id.toUpperCase()),
          pathOf(clip.url).replace(clip.id, 'not-a-uuid'),
        ]) {
          const res = await fetchPath(path).expect(403);
          expect(JSON.parse((res.body as Buffer).toString()).code).toBe('invalid_signature');
        }
      });

      it('a correctly signed URL past its expiry → url_expired', async () => {
        const past = Math.floor(Date.now() / 1000) - 1;
        const signature = new ClipUrlSigner(Buffer.from(SECRET)).sign(clip.id, past);
        const res = await fetchPath(
          `/v1/audio/${clip.id}?expires=${past}&signature=${signature}`,
        ).expect(403);
        expect(JSON.parse((res.body as Buffer).toString())).toMatchObject({
          code: 'url_expired',
          message: 'This audio URL has expired',
        });
      });

      it('a clip created with ttl_s: 1 → url_expired once the second is over', async () => {
        const short = (await createClip(tenant, { text: 'Quick.', ttl_s: 1 }).expect(201))
          .body as ClipUrl;
        expect(Date.parse(short.expires_at) - Date.now()).toBeLessThanOrEqual(2000);
        await new Promise((r) => setTimeout(r, Date.parse(short.expires_at) - Date.now() + 20));
        const res = await fetchPath(pathOf(short.url)).expect(403);
        expect(JSON.parse((res.body as Buffer).toString()).code).toBe('url_expired');
      });

      it('a clip whose row has expired (not yet swept) → url_expired', async () => {
        const other = (await createClip(tenant, { text: 'Later.' }).expect(201)).body as ClipUrl;
        await fetchPath(pathOf(other.url)).expect(200);
        await app
          .get(DataSource)
          .query(`UPDATE clips SET expires_at = now() - interval '1 second' WHERE id = $1`, [
            other.id,
          ]);
        const res = await fetchPath(pathOf(other.url)).expect(403);
        expect(JSON.parse((res.body as Buffer).toString()).code).toBe('url_expired');
      });
    });

    it('validates ttl_s and needs an API key to create', async () => {
      for (const ttl_s of [0, 86401, 1.5, 'soon']) {
        const res = await createClip(tenant, { text: TEXT, ttl_s }).expect(422);
        expect(res.body.code).toBe('validation_failed');
        expect(Object.keys(res.body.fields)).toEqual(['ttl_s']);
      }
      const anonymous = await request(app.getHttpServer())
        .post('/v1/synthesize-url')
        .send({ text: TEXT })
        .expect(401);
      expect(anonymous.body.code).toBe('missing_authorization');
      const ttl = (await createClip(tenant, { text: 'Hi.', ttl_s: 86400 }).expect(201))
        .body as ClipUrl;
      expect(Date.parse(ttl.expires_at) - Date.now()).toBeGreaterThan(86390_000);
    });

    it('another tenant gets unguessable ids and cannot reach a clip with its own signatures', async () => {
      const other = await createTenant(app);
      const mine = (await createClip(tenant, { text: TEXT }).expect(201)).body as ClipUrl;
      const theirs = (await createClip(other, { text: TEXT }).expect(201)).body as ClipUrl;
      expect(mine.id).toMatch(UUID_V4);
      expect(theirs.id).toMatch(UUID_V4);
      expect(theirs.id).not.toBe(mine.id);
      // Their valid expiry and signature, my id.
      await fetchPath(pathOf(theirs.url).replace(theirs.id, mine.id)).expect(403);
      // No route lists clips, with or without a key.
      await request(app.getHttpServer()).get('/v1/clips').set(bearer(other.key)).expect(404);
      await request(app.getHttpServer()).get('/v1/audio').set(bearer(other.key)).expect(404);
      expect((await clipRow(theirs.id)).storage_key).toBe(`clips/${other.uuid}/${theirs.id}.wav`);
    });

    it('is metered like /v1/synthesize: one usage row, and the quota applies', async () => {
      const t = await createTenant(app, { monthly_quota_seconds: 1 });
      const clip = (await createClip(t, { text: TEXT, format: 'mulaw' }).expect(201))
        .body as ClipUrl;
      await app.get(UsageRecorder).flush();
      const rows = await app.get(DataSource).query<
        {
          endpoint: string;
          status: string;
          audio_ms: number;
          streaming: boolean;
          bytes: string;
        }[]
      >('SELECT * FROM usage_events WHERE tenant_id = $1', [t.uuid]);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        endpoint: 'synthesize-url',
        status: 'completed',
        streaming: false,
        audio_ms: Math.round(clip.duration_s * 1000),
      });
      expect(Math.abs(Number(rows[0].bytes) - clip.duration_s * 8000)).toBeLessThanOrEqual(8);
      const engine = app.get<TtsEngine>(TTS_ENGINE);
      const spy = jest.spyOn(engine, 'synthesize');
      for (const path of ['/v1/synthesize-url', '/v1/synthesize/with-timestamps']) {
        const res = await request(app.getHttpServer())
          .post(path)
          .set(bearer(t.key))
          .send({ text: 'Again.' })
          .expect(429);
        expect(res.body.code).toBe('quota_exceeded');
      }
      expect(spy).not.toHaveBeenCalled();
    });

    it('the sweeper deletes expired clips, row and file, and keeps the rest', async () => {
      const expired = (await createClip(tenant, { text: 'Old news.' }).expect(201)).body as ClipUrl;
      const live = (await createClip(tenant, { text: 'Still here.' }).expect(201)).body as ClipUrl;
      const expiredRow = await clipRow(expired.id);
      const liveRow = await clipRow(live.id);
      expect(existsSync(join(storageDir, expiredRow.storage_key))).toBe(true);
      await app
        .get(DataSource)
        .query(`UPDATE clips SET expires_at = now() - interval '1 minute' WHERE id = $1`, [
          expired.id,
        ]);

      expect(await app.get(ClipSweeper).sweep()).toBeGreaterThanOrEqual(1);

      expect(await clipRow(expired.id)).toBeUndefined();
      expect(existsSync(join(storageDir, expiredRow.storage_key))).toBe(false);
      expect(await clipRow(live.id)).toBeDefined();
      expect(existsSync(join(storageDir, liveRow.storage_key))).toBe(true);
      await fetchPath(pathOf(live.url)).expect(200);
      // The URL itself is still within its time, but the clip is gone.
      const gone = await fetchPath(pathOf(expired.url)).expect(404);
      expect(JSON.parse((gone.body as Buffer).toString()).code).toBe('clip_not_found');
    });
  });

  describe('POST /v1/synthesize/with-timestamps', () => {
    const timed = (body: object) =>
      request(app.getHttpServer())
        .post('/v1/synthesize/with-timestamps')
        .set(bearer(tenant.key))
        .send(body);

    function expectOrdered(alignment: Alignment[], durationS: number): void {
      for (const [i, w] of alignment.entries()) {
        expect(w.start_ms).toBeGreaterThanOrEqual(0);
        expect(w.end_ms).toBeGreaterThan(w.start_ms);
        if (i > 0) expect(w.start_ms).toBeGreaterThanOrEqual(alignment[i - 1].end_ms);
      }
      expect(alignment[alignment.length - 1].end_ms).toBeLessThanOrEqual(durationS * 1000);
    }

    it('returns the WAV and its words in order, each with start < end, within the audio', async () => {
      const text = 'Good afternoon. Please hold while I check your account, it will not take long.';
      const res = await timed({ text, voice_id: 'naija_male' }).expect(200);
      expect(res.body.content_type).toBe('audio/wav');
      const audio = Buffer.from(res.body.audio_base64 as string, 'base64');
      const wav = parseWav(audio);
      expect(wav.dataBytes).toBe(audio.length - 44);
      expect(Math.abs(wav.samples[0].length / wav.sampleRate - res.body.duration_s)).toBeLessThan(
        0.002,
      );
      const alignment = res.body.alignment as Alignment[];
      expect(alignment.map((w) => spoken(w.word)).flat()).toEqual(spoken(text));
      expectOrdered(alignment, res.body.duration_s);
      // Two sentences with a pause between them: the second starts well after the first ends.
      const afternoon = alignment.findIndex((w) => spoken(w.word)[0] === 'afternoon');
      expect(alignment[afternoon + 1].start_ms).toBeGreaterThan(alignment[afternoon].end_ms);
    });

    it('times the spoken words of normalized text and honours SSML breaks', async () => {
      const res = await timed({
        text: '<speak>Your balance is ₦5,000.<break time="1s"/>Goodbye.</speak>',
        format: 'mulaw',
      }).expect(200);
      expect(res.body.content_type).toBe('audio/basic');
      const audio = Buffer.from(res.body.audio_base64 as string, 'base64');
      expect(Math.abs(audio.length / 8000 - res.body.duration_s)).toBeLessThan(0.002);
      const alignment = res.body.alignment as Alignment[];
      expect(alignment.map((w) => spoken(w.word)).flat()).toEqual(
        spoken('Your balance is five thousand naira. Goodbye.'),
      );
      expectOrdered(alignment, res.body.duration_s);
      const last = alignment[alignment.length - 1];
      expect(last.start_ms - alignment[alignment.length - 2].end_ms).toBeGreaterThanOrEqual(1000);
    });

    it('estimates the alignment (and says so) when the engine reports no timings', async () => {
      const engine = app.get<TtsEngine>(TTS_ENGINE);
      const original = engine.synthesize.bind(engine);
      jest.spyOn(engine, 'synthesize').mockImplementation((req, signal) =>
        (async function* () {
          for await (const chunk of original(req, signal)) yield { ...chunk, words: undefined };
        })(),
      );
      // The engine changed under the phrase cache: this request must reach it.
      const res = await timed({ text: TEXT, cache: false }).expect(200);
      expect(res.body.duration_s).toBeGreaterThan(1);
      // Each piece's audio shared among its words by their letters (see Engines in the README).
      expect(res.body.alignment_estimated).toBe(true);
      const alignment = res.body.alignment as Alignment[];
      expect(alignment.map((w) => spoken(w.word)).flat()).toEqual(spoken(TEXT));
      expectOrdered(alignment, res.body.duration_s);
    });

    it('is metered as synthesize/with-timestamps and validated like /v1/synthesize', async () => {
      const t = await createTenant(app);
      await request(app.getHttpServer())
        .post('/v1/synthesize/with-timestamps')
        .set(bearer(t.key))
        .send({ text: 'Thank you for calling.' })
        .expect(200);
      await app.get(UsageRecorder).flush();
      const rows = await app
        .get(DataSource)
        .query<{ endpoint: string; status: string }[]>(
          'SELECT endpoint, status FROM usage_events WHERE tenant_id = $1',
          [t.uuid],
        );
      expect(rows).toEqual([{ endpoint: 'synthesize/with-timestamps', status: 'completed' }]);
      expect((await timed({ text: '  ' }).expect(400)).body.code).toBe('empty_text');
      expect((await timed({ text: 'Hi', ttl_s: 5 }).expect(422)).body.code).toBe(
        'validation_failed',
      );
    });

    it('health and every voice say whether the engine gives word timings', async () => {
      const health = await request(app.getHttpServer()).get('/v1/health').expect(200);
      expect(health.body.word_timings).toBe(true);
      const voices = await request(app.getHttpServer())
        .get('/v1/voices')
        .set(bearer(tenant.key))
        .expect(200);
      expect(voices.body.length).toBeGreaterThan(0);
      for (const voice of voices.body as { word_timings: unknown }[])
        expect(voice.word_timings).toBe(true);
      const one = await request(app.getHttpServer())
        .get('/v1/voices/naija_female')
        .set(bearer(tenant.key))
        .expect(200);
      expect(one.body.word_timings).toBe(true);
    });
  });

  describe('another replica without SIGNED_URL_SECRET, behind PUBLIC_BASE_URL', () => {
    it('sweeps at boot, builds URLs from PUBLIC_BASE_URL, and refuses URLs signed elsewhere', async () => {
      const stale = (await createClip(tenant, { text: 'Stale.' }).expect(201)).body as ClipUrl;
      const staleRow = await clipRow(stale.id);
      await app
        .get(DataSource)
        .query(`UPDATE clips SET expires_at = now() - interval '1 minute' WHERE id = $1`, [
          stale.id,
        ]);

      const replica = await createTestApp({
        VOICE_STORAGE_DIR: storageDir,
        SIGNED_URL_SECRET: '',
        PUBLIC_BASE_URL: 'https://tts.example.com/base/',
      });
      try {
        await waitUntil(async () => (await clipRow(stale.id)) === undefined);
        expect(existsSync(join(storageDir, staleRow.storage_key))).toBe(false);

        const created = await request(replica.getHttpServer())
          .post('/v1/synthesize-url')
          .set(bearer(tenant.key))
          .send({ text: 'Hello.' })
          .expect(201);
        const clip = created.body as ClipUrl;
        expect(clip.url).toMatch(
          new RegExp(`^https://tts\\.example\\.com/base/v1/audio/${clip.id}\\?expires=\\d+&`),
        );
        // The proxy in front strips /base.
        const path = pathOf(clip.url).replace(/^\/base/, '');
        await request(replica.getHttpServer()).get(path).expect(200);

        // Its random secret is not ours: each refuses the other's URLs.
        const mine = (await createClip(tenant, { text: 'Mine.' }).expect(201)).body as ClipUrl;
        await request(replica.getHttpServer()).get(pathOf(mine.url)).expect(403);
        await fetchPath(path).expect(403);
      } finally {
        await replica.close();
      }
    });
  });
});
