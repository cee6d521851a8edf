import { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, {
  APIError,
  AuthenticationError,
  BadRequestError,
  NotFoundError,
  RateLimitError,
} from 'openai';
import { Stream } from 'openai/core/streaming';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { parseWav, rms, WAV_UNKNOWN_SIZE } from '@cw/audio';
import { TTS_ENGINE, type TtsEngine } from '@cw/engines';
import { UsageRecorder } from '../apps/api/src/usage/usage.recorder';
import { LONG_TEXT, listen, openStream } from './helpers/audio-client';
import { voiceLike, wavFile } from './helpers/audio-fixtures';
import { bearer, createTenant, createTestApp, TestTenant } from './helpers/test-app';
import { waitUntil, watchEngine } from './helpers/engine-watch';

const TEXT = 'Hello, thank you for calling. Your balance is ₦5,000.';
/** Minutes of audio, within OpenAI's 4096-character limit. */
const LONG_INPUT = LONG_TEXT.slice(0, LONG_TEXT.lastIndexOf('.', 4000) + 1);

type SpeechParams = Parameters<OpenAI['audio']['speech']['create']>[0];

/** The SDK's error for a call expected to fail (never retried, so each test sees one answer). */
async function failure(promise: Promise<unknown>): Promise<APIError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof APIError) return err;
    throw err;
  }
  throw new Error('the request succeeded');
}

const int16 = (floats: Float32Array) => Int16Array.from(floats, (f) => Math.round(f * 32767));

describe('OpenAI-compatible POST /v1/audio/speech, through the official SDK', () => {
  let app: NestExpressApplication;
  let base: string;
  let tenant: TestTenant;
  let client: OpenAI;
  let storageDir: string;

  const clientFor = (key: string) =>
    new OpenAI({ apiKey: key, baseURL: `${base}/v1`, maxRetries: 0 });
  const speech = (params: Partial<SpeechParams>, c = client) =>
    c.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: TEXT, ...params });
  const bytesOf = async (response: Response) => Buffer.from(await response.arrayBuffer());

  beforeAll(async () => {
    storageDir = mkdtempSync(join(tmpdir(), 'cw-openai-voices-'));
    app = await createTestApp({
      // These tests read long texts as fast as the engine renders them; the scheduler's real-time
      // pacing (3 s ahead of playback) is off here and tested in scheduling.e2e-spec.ts.
      SCHEDULER_LEAD_MS: '3600000',
      ENGINE_POOL_SIZE: '2',
      VOICE_STORAGE_DIR: storageDir,
    });
    base = await listen(app);
    tenant = await createTenant(app);
    client = clientFor(tenant.key);
  });
  afterAll(async () => {
    await app.close();
    rmSync(storageDir, { recursive: true, force: true });
  });
  afterEach(() => jest.restoreAllMocks());
  const rows = async (t: TestTenant) => {
    await app.get(UsageRecorder).flush();
    return app
      .get(DataSource)
      .query<Record<string, unknown>[]>(
        'SELECT * FROM usage_events WHERE tenant_id = $1 ORDER BY id',
        [t.uuid],
      );
  };

  describe('audio', () => {
    it('wav: a streamed 24 kHz mono WAV that parses, with our headers', async () => {
      const response = await speech({ response_format: 'wav' });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('audio/wav');
      expect(response.headers.get('transfer-encoding')).toBe('chunked');
      expect(response.headers.get('x-voice-id')).toBe('default');
      expect(response.headers.get('x-tenant-id')).toBe(tenant.tenantId);
      expect(response.headers.get('x-tts-method')).toBe('espeak');
      expect(response.headers.get('x-audio-sample-rate')).toBe('24000');
      expect(response.headers.get('x-streaming')).toBe('true');
      expect(response.headers.get('x-request-id')).toBeTruthy();
      const body = await bytesOf(response);
      expect(body.readUInt32LE(40)).toBe(WAV_UNKNOWN_SIZE);
      const wav = parseWav(body);
      expect(wav).toMatchObject({ sampleRate: 24000, channels: 1, bitsPerSample: 16 });
      const seconds = wav.samples[0].length / 24000;
      expect(seconds).toBeGreaterThan(1.5);
      expect(seconds).toBeLessThan(15);
      expect(rms(int16(wav.samples[0]))).toBeGreaterThan(0.01);
    });

    it('mp3 is the default: MPEG-2 layer III frames (24 kHz)', async () => {
      const response = await speech({});
      expect(response.headers.get('content-type')).toBe('audio/mpeg');
      const body = await bytesOf(response);
      expect(body[0]).toBe(0xff);
      expect(body[1] & 0xe0).toBe(0xe0);
      expect((body[1] >> 3) & 0b11).toBe(0b10); // MPEG-2: 24 kHz is an MPEG-2 rate
      expect((body[1] >> 1) & 0b11).toBe(0b01); // layer III
      expect((body[2] >> 2) & 0b11).toBe(0b01); // MPEG-2 sample-rate index 1: 24000 Hz
      expect(body.length).toBeGreaterThan(2000);
    });

    it('pcm: raw 16-bit samples at 24 kHz, the same audio as the WAV', async () => {
      const response = await speech({ response_format: 'pcm' });
      expect(response.headers.get('content-type')).toBe('audio/L16;rate=24000');
      expect(response.headers.get('x-audio-sample-rate')).toBe('24000');
      const pcm = await bytesOf(response);
      expect(pcm.length % 2).toBe(0);
      const wav = parseWav(await bytesOf(await speech({ response_format: 'wav' })));
      const wavBytes = wav.samples[0].length * 2;
      // eSpeak's length varies by a few milliseconds from run to run.
      expect(Math.abs(pcm.length - wavBytes) / wavBytes).toBeLessThan(0.02);
      const samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
      expect(rms(samples)).toBeGreaterThan(0.01);
    });

    it('maps OpenAI voice names, and takes our ids and {id}', async () => {
      const cases: [SpeechParams['voice'], string][] = [
        ['onyx', 'professional_male'],
        ['nova', 'naija_female'],
        ['shimmer', 'professional_female'],
        ['echo', 'naija_male'],
        ['naija_male', 'naija_male'],
        [{ id: 'professional_female' }, 'professional_female'],
      ];
      for (const [voice, expected] of cases) {
        const response = await speech({ voice, response_format: 'pcm' });
        expect(response.headers.get('x-voice-id')).toBe(expected);
        await response.arrayBuffer();
      }
    });

    it('accepts any model, and instructions (ignored)', async () => {
      for (const model of ['tts-1-hd', 'gpt-4o-mini-tts', 'some-future-model']) {
        const response = await speech({
          model,
          instructions: 'Speak in a cheerful tone.',
          stream_format: 'audio',
          response_format: 'pcm',
        });
        expect(response.status).toBe(200);
        expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(24000);
      }
    });

    it("clamps OpenAI's speeds outside 0.5-2.0 to the engine's range", async () => {
      const length = async (speed: number) =>
        (await bytesOf(await speech({ speed, response_format: 'pcm' }))).length;
      const [quarter, half, normal, double, quadruple] = await Promise.all(
        [0.25, 0.5, 1, 2, 4].map(length),
      );
      expect(Math.abs(quarter - half) / half).toBeLessThan(0.03);
      expect(Math.abs(quadruple - double) / double).toBeLessThan(0.03);
      expect(half).toBeGreaterThan(normal * 1.5);
      expect(double).toBeLessThan(normal * 0.7);
    });

    it('streams: the first chunk arrives while later pieces are still being synthesized', async () => {
      const counts = watchEngine(app.get<TtsEngine>(TTS_ENGINE));
      const response = await speech({ input: LONG_INPUT, response_format: 'pcm' });
      const reader = response.body!.getReader();
      const first = await reader.read();
      expect(first.done).toBe(false);
      expect(first.value!.length).toBeGreaterThan(0);
      // The text is ~37 pieces; the server waits on backpressure, far from the end.
      expect(counts.started).toBeGreaterThanOrEqual(1);
      expect(counts.finished).toBeLessThan(10);
      let total = first.value!.length;
      for (let next = await reader.read(); !next.done; next = await reader.read()) {
        total += next.value.length;
      }
      expect(counts.started).toBeGreaterThanOrEqual(20);
      expect(counts.finished).toBe(counts.started);
      expect(total).toBeGreaterThan(24000 * 2 * 60);
    });
  });

  describe('stream_format sse', () => {
    type SpeechEvent =
      | { type: 'speech.audio.delta'; audio: string }
      | { type: 'speech.audio.done'; usage: Record<string, number> };

    it("streams OpenAI's speech.audio.delta events, then speech.audio.done with usage", async () => {
      const t = await createTenant(app);
      const response = await speech(
        { stream_format: 'sse', response_format: 'pcm', voice: 'nova' },
        clientFor(t.key),
      );
      expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(response.headers.get('x-voice-id')).toBe('naija_female');
      const events: SpeechEvent[] = [];
      for await (const event of Stream.fromSSEResponse<SpeechEvent>(
        response,
        new AbortController(),
      )) {
        events.push(event);
      }
      const deltas = events.filter((e) => e.type === 'speech.audio.delta');
      expect(deltas.length).toBeGreaterThan(0);
      expect(events[events.length - 1]).toEqual({
        type: 'speech.audio.done',
        usage: { input_tokens: TEXT.length, output_tokens: 0, total_tokens: TEXT.length },
      });
      expect(events.filter((e) => e.type === 'speech.audio.done')).toHaveLength(1);
      const pcm = Buffer.concat(deltas.map((d) => Buffer.from(d.audio, 'base64')));
      const samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
      expect(samples.length / 24000).toBeGreaterThan(1.5);
      expect(rms(samples)).toBeGreaterThan(0.01);
      const [row, ...more] = await rows(t);
      expect(more).toHaveLength(0);
      expect(row).toMatchObject({ endpoint: 'audio/speech', status: 'completed' });
      expect(Number(row.bytes)).toBe(pcm.length);
    });

    it('errors before any audio are still plain OpenAI errors', async () => {
      const err = await failure(speech({ stream_format: 'sse', voice: 'no_such_voice' }));
      expect(err).toBeInstanceOf(NotFoundError);
      expect(err.error).toMatchObject({ code: 'voice_not_found', param: 'voice' });
    });
  });

  describe("a tenant's own OpenAI voice table", () => {
    const mapping = (t: TestTenant) =>
      request(app.getHttpServer()).get('/v1/openai-compat/voices').set(bearer(t.key));
    const setMapping = (t: TestTenant, body: object) =>
      request(app.getHttpServer()).put('/v1/openai-compat/voices').set(bearer(t.key)).send(body);
    const uploadVoice = async (t: TestTenant) => {
      const upload = await request(app.getHttpServer())
        .post('/v1/voices/upload')
        .set(bearer(t.key))
        .field('name', 'Front desk')
        .attach('voice_file', wavFile(voiceLike(120, 4, 16000), 16000), {
          filename: 'voice.wav',
          contentType: 'audio/wav',
        })
        .expect(200);
      return upload.body.voice_id as string;
    };

    it('starts as the default table, and a name can point at any voice the tenant can use', async () => {
      const t = await createTenant(app);
      const before = await mapping(t).expect(200);
      expect(Object.keys(before.body.voices)).toHaveLength(13);
      expect(before.body.voices.alloy).toEqual({ voice_id: 'default', custom: false });

      const own = await uploadVoice(t);
      const set = await setMapping(t, { alloy: own, Onyx: 'naija_male' }).expect(200);
      expect(set.body.voices.alloy).toEqual({ voice_id: own, custom: true });
      expect(set.body.voices.onyx).toEqual({ voice_id: 'naija_male', custom: true });
      expect(set.body.voices.nova).toEqual({ voice_id: 'naija_female', custom: false });
      expect((await mapping(t).expect(200)).body).toEqual(set.body);

      const c = clientFor(t.key);
      for (const [voice, expected] of [
        ['alloy', own],
        ['ONYX', 'naija_male'],
        ['nova', 'naija_female'],
      ]) {
        const response = await speech({ voice, response_format: 'pcm' }, c);
        expect(response.headers.get('x-voice-id')).toBe(expected);
        await response.arrayBuffer();
      }

      const reset = await setMapping(t, { alloy: null }).expect(200);
      expect(reset.body.voices.alloy).toEqual({ voice_id: 'default', custom: false });
      expect(reset.body.voices.onyx).toEqual({ voice_id: 'naija_male', custom: true });
    });

    it("one tenant's table does not change another's, nor can it use another's voice", async () => {
      const owner = await createTenant(app);
      const stranger = await createTenant(app);
      const own = await uploadVoice(owner);
      await setMapping(owner, { shimmer: own }).expect(200);
      const theirs = await speech(
        { voice: 'shimmer', response_format: 'pcm' },
        clientFor(stranger.key),
      );
      expect(theirs.headers.get('x-voice-id')).toBe('professional_female');
      await theirs.arrayBuffer();

      const refused = await setMapping(stranger, { shimmer: own }).expect(404);
      expect(refused.body.code).toBe('voice_not_found');
      expect((await mapping(stranger).expect(200)).body.voices.shimmer.custom).toBe(false);
    });

    it('refuses unknown names and bad values, changing nothing', async () => {
      const t = await createTenant(app);
      for (const body of [
        { alloy: 'naija_male', robot: 'default' },
        { alloy: 42 },
        { alloy: 'nova' },
        {},
      ]) {
        const res = await setMapping(t, body).expect(422);
        expect(res.body.code).toBe('validation_failed');
        expect(res.body.message).toEqual(expect.any(String));
      }
      expect((await mapping(t).expect(200)).body.voices.alloy.custom).toBe(false);
      const missing = await setMapping(t, { alloy: 'no_such_voice' }).expect(404);
      expect(missing.body.code).toBe('voice_not_found');
      await request(app.getHttpServer()).get('/v1/openai-compat/voices').expect(401);
    });
  });

  describe('metering and limits, as on our own routes', () => {
    it('writes one usage row with the audio delivered', async () => {
      const t = await createTenant(app);
      const body = await bytesOf(
        await speech({ voice: 'coral', response_format: 'pcm' }, clientFor(t.key)),
      );
      const [row, ...more] = await rows(t);
      expect(more).toHaveLength(0);
      expect(row).toMatchObject({
        endpoint: 'audio/speech',
        status: 'completed',
        streaming: true,
        error_code: null,
        voice_id: 'naija_female',
        engine: 'espeak',
        characters: TEXT.length,
        api_key_id: t.keyId,
      });
      expect(Number(row.bytes)).toBe(body.length);
      expect(row.audio_ms).toBe(Math.round(body.length / 48));
    });

    it('refuses with 429 insufficient_quota once the monthly seconds are used', async () => {
      const t = await createTenant(app, { monthly_quota_seconds: 1 });
      const c = clientFor(t.key);
      await (await speech({ response_format: 'pcm' }, c)).arrayBuffer();
      const spy = jest.spyOn(app.get<TtsEngine>(TTS_ENGINE), 'synthesize');
      const err = await failure(speech({}, c));
      expect(err).toBeInstanceOf(RateLimitError);
      expect(err.error).toMatchObject({ type: 'insufficient_quota', code: 'quota_exceeded' });
      expect(err.message).toContain('Monthly audio quota of 1 seconds is used up');
      expect(Number(err.headers?.get('retry-after'))).toBeGreaterThan(0);
      expect(spy).not.toHaveBeenCalled();
    });

    it('shares the concurrency cap with our routes and releases the slot on hang-up', async () => {
      const t = await createTenant(app, { max_concurrent_streams: 1 });
      const held = await openStream(base, '/v1/synthesize/streaming', t.key, {
        text: LONG_TEXT,
        format: 'pcm',
      });
      const err = await failure(speech({}, clientFor(t.key)));
      expect(err).toBeInstanceOf(RateLimitError);
      expect(err.error).toMatchObject({
        type: 'requests',
        code: 'too_many_concurrent_requests',
        param: null,
      });
      expect(err.headers?.get('retry-after')).toBe('1');
      held.hangUp();

      // And the other way round: an OpenAI stream holds the slot until its client leaves.
      await waitUntil(async () => {
        try {
          await (await speech({ response_format: 'pcm' }, clientFor(t.key))).arrayBuffer();
          return true;
        } catch {
          return false;
        }
      });
      const stream = await openStream(base, '/v1/audio/speech', t.key, {
        model: 'tts-1',
        voice: 'alloy',
        input: LONG_INPUT,
        response_format: 'pcm',
      });
      const refused = await request(app.getHttpServer())
        .post('/v1/synthesize')
        .set(bearer(t.key))
        .send({ text: 'Hi.' })
        .expect(429);
      expect(refused.body.code).toBe('too_many_concurrent_requests');
      stream.hangUp();
      const cancelledSpeech = async () =>
        (await rows(t)).filter((r) => r.endpoint === 'audio/speech' && r.status === 'cancelled');
      await waitUntil(async () => (await cancelledSpeech()).length === 1);
      const [cancelled] = await cancelledSpeech();
      expect(cancelled).toMatchObject({ streaming: true, error_code: null });
      expect(Number(cancelled.bytes)).toBeGreaterThan(0);
    });

    it('counts against the tenant rate limit and answers 429 in OpenAI shape', async () => {
      const t = await createTenant(app, { rate_limit_per_minute: 1 });
      const c = clientFor(t.key);
      const ok = await speech({ response_format: 'pcm' }, c);
      expect(ok.headers.get('x-ratelimit-limit')).toBe('1');
      await ok.arrayBuffer();
      const err = await failure(speech({}, c));
      expect(err).toBeInstanceOf(RateLimitError);
      expect(err.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
      expect(Number(err.headers?.get('retry-after'))).toBeGreaterThan(0);
    });

    it("cannot use another tenant's voice; its owner can", async () => {
      const owner = await createTenant(app);
      const stranger = await createTenant(app);
      const upload = await request(app.getHttpServer())
        .post('/v1/voices/upload')
        .set(bearer(owner.key))
        .field('name', 'Front desk')
        .attach('voice_file', wavFile(voiceLike(120, 4, 16000), 16000), {
          filename: 'voice.wav',
          contentType: 'audio/wav',
        })
        .expect(200);
      const id = upload.body.voice_id as string;
      const err = await failure(speech({ voice: id }, clientFor(stranger.key)));
      expect(err).toBeInstanceOf(NotFoundError);
      expect(err.error).toMatchObject({ code: 'voice_not_found', param: 'voice' });
      const own = await speech({ voice: { id }, response_format: 'pcm' }, clientFor(owner.key));
      expect(own.headers.get('x-voice-id')).toBe(id);
      await own.arrayBuffer();
    });
  });

  describe("errors, in OpenAI's shape", () => {
    it.each(['opus', 'aac', 'flac'] as const)(
      '%s → 400 unsupported_value, param response_format',
      async (format) => {
        const spy = jest.spyOn(app.get<TtsEngine>(TTS_ENGINE), 'synthesize');
        const err = await failure(speech({ response_format: format }));
        expect(err).toBeInstanceOf(BadRequestError);
        expect(err.status).toBe(400);
        expect(err.param).toBe('response_format');
        expect(err.type).toBe('invalid_request_error');
        expect(err.code).toBe('unsupported_value');
        expect(err.error).toMatchObject({
          message: expect.stringContaining(`'${format}' is not supported`),
        });
        expect(err.requestID).toBeTruthy();
        expect(spy).not.toHaveBeenCalled();
      },
    );

    it('the body is exactly {"error":{message,type,param,code}}', async () => {
      const res = await request(app.getHttpServer())
        .post('/v1/audio/speech')
        .set(bearer(tenant.key))
        .send({ model: 'tts-1', voice: 'alloy', input: TEXT, response_format: 'opus' })
        .expect(400)
        .expect('Content-Type', /application\/json/);
      expect(Object.keys(res.body)).toEqual(['error']);
      expect(Object.keys(res.body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
      expect(res.headers['x-request-id']).toBeTruthy();
    });

    it('unknown voice → 404 voice_not_found, param voice', async () => {
      const err = await failure(speech({ voice: 'no_such_voice' }));
      expect(err).toBeInstanceOf(NotFoundError);
      expect(err.error).toEqual({
        message: "Voice profile 'no_such_voice' not found",
        type: 'invalid_request_error',
        param: 'voice',
        code: 'voice_not_found',
      });
    });

    it('bad or missing key → 401 AuthenticationError', async () => {
      const err = await failure(speech({}, clientFor('cw_live_not_a_real_key')));
      expect(err).toBeInstanceOf(AuthenticationError);
      expect(err.error).toMatchObject({
        type: 'invalid_request_error',
        code: 'invalid_api_key',
        param: null,
      });
      expect(err.message).toContain('Invalid API key');
      const missing = await request(app.getHttpServer())
        .post('/v1/audio/speech')
        .send({ model: 'tts-1', voice: 'alloy', input: TEXT })
        .expect(401);
      expect(missing.body.error).toMatchObject({ code: 'missing_authorization' });
    });

    it('invalid requests are 400 (not 422) with the field as param', async () => {
      const cases: [Record<string, unknown>, string, string][] = [
        [{ input: 'x'.repeat(4097) }, 'input', 'invalid_value'],
        [{ speed: 4.5 }, 'speed', 'invalid_value'],
        [{ speed: 0.1 }, 'speed', 'invalid_value'],
        [{ response_format: 'ogg' }, 'response_format', 'invalid_value'],
        [{ voice: 42 }, 'voice', 'invalid_value'],
        [{ model: undefined }, 'model', 'missing_required_parameter'],
        [{ input: undefined }, 'input', 'missing_required_parameter'],
        [{ temperature: 0.7 }, 'temperature', 'unknown_parameter'],
        [{ stream_format: 'json' }, 'stream_format', 'invalid_value'],
        [{ input: '   ' }, 'input', 'empty_text'],
      ];
      for (const [overrides, param, code] of cases) {
        const res = await request(app.getHttpServer())
          .post('/v1/audio/speech')
          .set(bearer(tenant.key))
          .send({ model: 'tts-1', voice: 'alloy', input: TEXT, ...overrides });
        expect({
          status: res.status,
          param: res.body.error?.param,
          code: res.body.error?.code,
        }).toEqual({ status: 400, param, code });
        expect(res.body.error.type).toBe('invalid_request_error');
        expect(res.body.error.message).toEqual(expect.any(String));
      }
      const tooLong = await failure(speech({ input: 'x'.repeat(4097) }));
      expect(tooLong).toBeInstanceOf(BadRequestError);
      expect(tooLong.message).toContain('input must be at most 4096 characters');
    });

    it('our own routes keep our error body', async () => {
      const res = await request(app.getHttpServer())
        .post('/v1/synthesize')
        .set(bearer('cw_live_not_a_real_key'))
        .send({ text: TEXT })
        .expect(401);
      expect(res.body).toMatchObject({ statusCode: 401, code: 'invalid_api_key' });
      expect(res.body.error).toBe('Unauthorized');
    });
  });

  it('is in the OpenAPI document, with the voice table and instructions marked as ignored', async () => {
    const res = await request(app.getHttpServer()).get('/openapi.json').expect(200);
    const op = res.body.paths['/v1/audio/speech'].post;
    expect(op.description).toContain('| `onyx` | `professional_male` |');
    const schema = res.body.components.schemas.CreateSpeechDto;
    expect(schema.required).toEqual(expect.arrayContaining(['model', 'input', 'voice']));
    expect(schema.properties.instructions.description).toContain('ignored');
    expect(schema.properties.speed.description).toContain('clamped');
  });
});
