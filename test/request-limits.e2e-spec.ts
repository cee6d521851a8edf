import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { openStream, listen } from './helpers/audio-client';
import { bearer, createTenant, createTestApp, TestTenant } from './helpers/test-app';

const LIMIT_S = 5;
/**
 * About 115 characters: at least 4.6 s by the estimate (25 characters a second, faster than any
 * engine speaks), so it is let through; eSpeak takes well over 5 s to say it.
 */
const SLOW_TEXT =
  'This is sentence number one of a long announcement, read slowly, so that the caller can follow every word we say.';

describe('request limits', () => {
  let app: NestExpressApplication;
  let base: string;
  let tenant: TestTenant;

  beforeAll(async () => {
    app = await createTestApp({ MAX_AUDIO_SECONDS_PER_REQUEST: String(LIMIT_S) });
    base = await listen(app);
    tenant = await createTenant(app);
  });
  afterAll(() => app.close());

  const post = (path: string, body: object) =>
    request(app.getHttpServer()).post(path).set(bearer(tenant.key)).send(body);

  describe('audio per request (MAX_AUDIO_SECONDS_PER_REQUEST)', () => {
    it.each(['/v1/synthesize', '/v1/synthesize/streaming', '/v1/synthesize/with-timestamps'])(
      '%s refuses 5,000 digits from the text, before synthesis',
      async (path) => {
        const res = await post(path, { text: '7'.repeat(5000) }).expect(400);
        expect(res.body.code).toBe('audio_too_long');
        expect(res.body.message).toContain(`${LIMIT_S} s`);
        expect(res.body.message).toContain('MAX_AUDIO_SECONDS_PER_REQUEST');
        expect(res.body.max_audio_s).toBe(LIMIT_S);
      },
    );

    it('refuses a long text on the signed-URL route, storing nothing', async () => {
      const res = await post('/v1/synthesize-url', { text: '7'.repeat(5000) }).expect(400);
      expect(res.body.code).toBe('audio_too_long');
      const rows = await app
        .get(DataSource)
        .query('SELECT count(*)::int AS n FROM clips WHERE tenant_id = $1', [tenant.uuid]);
      expect(rows[0].n).toBe(0);
    });

    it('whole-file routes answer 400 when the audio reaches the limit while rendering', async () => {
      for (const path of ['/v1/synthesize', '/v1/synthesize/with-timestamps']) {
        const res = await post(path, { text: SLOW_TEXT }).expect(400);
        expect(res.body.code).toBe('audio_too_long');
      }
    });

    it('a stream stops at the limit: the transfer breaks off, never past the limit', async () => {
      const stream = await openStream(base, '/v1/synthesize/streaming', tenant.key, {
        text: SLOW_TEXT,
        format: 'pcm',
        sample_rate: 16000,
      });
      let received = stream.first.length;
      const ending = await new Promise<string>((resolve) => {
        stream.response.on('data', (d: Buffer) => (received += d.length));
        stream.response.on('end', () => resolve('complete'));
        stream.response.on('aborted', () => resolve('aborted'));
        stream.response.on('error', () => resolve('aborted'));
        stream.response.resume();
      });
      expect(ending).toBe('aborted');
      // 16-bit PCM at 16 kHz: at most LIMIT_S seconds of it.
      expect(received).toBeLessThanOrEqual(LIMIT_S * 16000 * 2);
      expect(received).toBeGreaterThan(LIMIT_S * 16000);
    });

    it('text within the limit is unaffected', async () => {
      const res = await post('/v1/synthesize/with-timestamps', { text: 'Hello there.' }).expect(
        200,
      );
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body.content_type).toBe('audio/wav');
      expect(res.body.duration_s).toBeGreaterThan(0);
      expect(res.body.duration_s).toBeLessThanOrEqual(LIMIT_S);
      expect(res.body.alignment.length).toBeGreaterThan(0);
      const wav = Buffer.from(res.body.audio_base64, 'base64');
      expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
      expect(wav.readUInt32LE(40)).toBe(wav.length - 44);
    });
  });

  describe('error messages that quote input', () => {
    it('caps a 10,000-character voice id at 64 characters with an ellipsis', async () => {
      const id = 'v'.repeat(10_000);
      const res = await request(app.getHttpServer())
        .get(`/v1/voices/${id}`)
        .set(bearer(tenant.key))
        .expect(404);
      expect(res.body.code).toBe('voice_not_found');
      expect(res.body.message).toBe(`Voice profile '${'v'.repeat(63)}…' not found`);
      expect(res.body.detail).toBe(res.body.message);
    });

    it('escapes a right-to-left override instead of echoing it', async () => {
      const res = await request(app.getHttpServer())
        .get(`/v1/voices/${encodeURIComponent('abc\u202Egpj.exe')}`)
        .set(bearer(tenant.key))
        .expect(404);
      expect(res.body.message).toBe("Voice profile 'abc\\u202Egpj.exe' not found");
      expect(res.body.message).not.toContain('\u202E');
    });

    it('caps and escapes an unknown route echoed by the router', async () => {
      const res = await request(app.getHttpServer())
        .get(`/v1/${'x'.repeat(5000)}${encodeURIComponent('\u202E\n')}`)
        .set(bearer(tenant.key))
        .expect(404);
      expect(res.body.message.length).toBeLessThanOrEqual(1000);
      expect(res.body.message).not.toMatch(/[\u202E\n]/);
    });
  });
});
