import { NestExpressApplication } from '@nestjs/platform-express';
import { Writable } from 'node:stream';
import request from 'supertest';
import { voiceLike, wavFile } from './helpers/audio-fixtures';
import {
  bearer,
  createTenant,
  createTestApp,
  TEST_ADMIN_KEY,
  TestTenant,
} from './helpers/test-app';

const NUL = '\u0000';

describe('input at the edge: NUL characters, deep JSON, and a log line for every request', () => {
  let app: NestExpressApplication;
  let tenant: TestTenant;
  const lines: string[] = [];
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    app = await createTestApp({ LOG_LEVEL: 'info' }, { logStream: sink });
    tenant = await createTenant(app);
  });
  afterAll(() => app.close());

  /** The request log lines (the request log's, which carry `res`) of one request id. */
  const requestLines = (id: string) =>
    lines
      .map((l) => JSON.parse(l) as { req?: { id?: string }; res?: { statusCode?: number } })
      .filter((l) => l.req?.id === id && l.res !== undefined);

  describe('U+0000 in any string → 422 validation_failed naming the field', () => {
    let voiceId: string;

    beforeAll(async () => {
      const res = await http()
        .post('/v1/voices/upload')
        .set(bearer(tenant.key))
        .field('name', 'Edge voice')
        .attach('voice_file', wavFile(voiceLike(130, 4, 16000), 16000), 'v.wav')
        .expect(200);
      voiceId = res.body.voice_id as string;
    });

    const refusedFor = (res: request.Response, field: string) => {
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({
        code: 'validation_failed',
        message: `${field} must not contain the NUL character (U+0000)`,
        fields: { [field]: [`${field} must not contain the NUL character (U+0000)`] },
      });
      expect(res.body.request_id).toBe(res.headers['x-request-id']);
    };

    it('in a path parameter', async () => {
      refusedFor(await http().get('/v1/voices/%00').set(bearer(tenant.key)), 'voice_id');
      refusedFor(
        await http().get('/v1/voices/a%00b/reference').set(bearer(tenant.key)),
        'voice_id',
      );
      refusedFor(
        await http()
          .patch('/v1/admin/tenants/%00')
          .set(bearer(TEST_ADMIN_KEY))
          .send({ is_active: true }),
        'tenant_id',
      );
      refusedFor(
        await http().get('/v1/admin/tenants/x%00/keys').set(bearer(TEST_ADMIN_KEY)),
        'tenant_id',
      );
    });

    it('in a JSON body, nested or not', async () => {
      refusedFor(
        await http()
          .post('/v1/synthesize')
          .set(bearer(tenant.key))
          .send({ text: 'Hello.', voice_id: `default${NUL}` }),
        'voice_id',
      );
      refusedFor(
        await http().patch(`/v1/voices/${voiceId}`).set(bearer(tenant.key)).send({ name: NUL }),
        'name',
      );
      refusedFor(
        await http()
          .post('/v1/admin/tenants')
          .set(bearer(TEST_ADMIN_KEY))
          .send({ tenant_id: `nul_${Date.now()}`, name: `Bad${NUL}name` }),
        'name',
      );
      refusedFor(
        await http()
          .patch(`/v1/admin/tenants/${tenant.tenantId}`)
          .set(bearer(TEST_ADMIN_KEY))
          .send({ name: `x${NUL}` }),
        'name',
      );
      refusedFor(
        await http()
          .post(`/v1/admin/tenants/${tenant.tenantId}/keys`)
          .set(bearer(TEST_ADMIN_KEY))
          .send({ name: `key${NUL}` }),
        'name',
      );
    });

    it('in a multipart field', async () => {
      refusedFor(
        await http()
          .post('/v1/voices/upload')
          .set(bearer(tenant.key))
          .field('name', `Ada${NUL}`)
          .attach('voice_file', wavFile(voiceLike(120, 4, 16000), 16000), 'v.wav'),
        'name',
      );
    });

    it('in a query parameter', async () => {
      refusedFor(await http().get('/v1/usage?group_by=day%00').set(bearer(tenant.key)), 'group_by');
    });

    it('leaves the stored rows untouched and ordinary text working', async () => {
      const voice = await http().get(`/v1/voices/${voiceId}`).set(bearer(tenant.key)).expect(200);
      expect(voice.body.name).toBe('Edge voice');
      await http()
        .patch(`/v1/voices/${voiceId}`)
        .set(bearer(tenant.key))
        .send({ name: 'Zoë \\u0000 (literal)' })
        .expect(200);
    });
  });

  describe('deeply nested JSON', () => {
    const nested = (depth: number) => `{"text":${'['.repeat(depth)}${']'.repeat(depth)}}`;

    it('a body nesting 10,000 arrays → 400 invalid_json naming the limit', async () => {
      const res = await http()
        .post('/v1/synthesize')
        .set(bearer(tenant.key))
        .set('Content-Type', 'application/json')
        .send(nested(10_000))
        .expect(400);
      expect(res.body).toMatchObject({ code: 'invalid_json', statusCode: 400 });
      expect(res.body.message).toContain('32 levels');
      expect(res.body.request_id).toBe(res.headers['x-request-id']);
    });

    it('counts only structure: brackets inside strings do not nest', async () => {
      const res = await http()
        .post('/v1/synthesize')
        .set(bearer(tenant.key))
        .send({ text: `Hello [${'['.repeat(100)}"\\{ there.` })
        .expect(200);
      expect(res.headers['content-type']).toMatch(/^audio\//);
    });

    it('a UTF-16 body is measured as it is parsed', async () => {
      const send = (json: string) =>
        http()
          .post('/v1/admin/tenants')
          .set(bearer(TEST_ADMIN_KEY))
          .set('Content-Type', 'application/json; charset=utf-16le')
          .serialize((body: unknown) => body as string)
          .send(Buffer.from(json, 'utf16le') as unknown as string);
      // Shallow: parsed, then refused by validation; deep: refused before parsing.
      expect((await send('{"name":[[1]]}').expect(422)).body.code).toBe('validation_failed');
      expect((await send(nested(40)).expect(400)).body.message).toContain('32 levels');
    });
  });

  describe('one request log line for every request', () => {
    it('malformed JSON (400), a too-deep body (400) and a too-large body (413) are logged once', async () => {
      const cases: Array<[string, string, number]> = [
        ['bad-json-1', '{"text": ', 400],
        ['deep-json-1', `{"text":${'['.repeat(100)}${']'.repeat(100)}}`, 400],
        ['large-json-1', JSON.stringify({ text: 'x'.repeat(1024 * 1024 + 10) }), 413],
      ];
      for (const [id, body, status] of cases) {
        await http()
          .post('/v1/synthesize')
          .set(bearer(tenant.key))
          .set('X-Request-ID', id)
          .set('Content-Type', 'application/json')
          .send(body)
          .expect(status);
      }
      await http().get('/v1/tenant/stats').set(bearer(tenant.key)).set('X-Request-ID', 'ok-1');
      // pino writes in the background: wait for the last line rather than for time.
      await waitFor(() => requestLines('ok-1').length > 0);
      for (const [id, , status] of cases) {
        const logged = requestLines(id);
        expect(logged).toHaveLength(1);
        expect(logged[0].res).toEqual({ statusCode: status });
      }
      expect(requestLines('ok-1')).toHaveLength(1);
    });
  });
});

async function waitFor(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
}
