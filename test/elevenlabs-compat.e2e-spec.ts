import { NestExpressApplication } from '@nestjs/platform-express';
import { ElevenLabsClient, ElevenLabsError } from '@elevenlabs/elevenlabs-js';
import type * as ElevenLabs from '@elevenlabs/elevenlabs-js/api';
import type { IncomingMessage } from 'node:http';
import request from 'supertest';
import { DataSource } from 'typeorm';
import WebSocket from 'ws';
import { AudioWorkerPool, rms } from '@cw/audio';
import { TTS_ENGINE, type TtsEngine } from '@cw/engines';
import { ElevenLabsGateway } from '../apps/api/src/elevenlabs-compat/elevenlabs.gateway';
import { ShutdownService } from '../apps/api/src/lifecycle/shutdown.service';
import { UsageRecorder } from '../apps/api/src/usage/usage.recorder';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LONG_TEXT, listen } from './helpers/audio-client';
import { voiceLike, wavFile } from './helpers/audio-fixtures';
import { binaryParser, bearer, createTenant, createTestApp, TestTenant } from './helpers/test-app';
import { waitUntil } from './helpers/engine-watch';

const TEXT = 'Hello, thank you for calling. Your balance is ₦5,000.';
const SHORT = 'Thank you for calling the clinic.';

/** The SDK's error for a call expected to fail. */
async function failure(promise: Promise<unknown>): Promise<ElevenLabsError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ElevenLabsError) return err;
    throw err;
  }
  throw new Error('the request succeeded');
}

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>)
    parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

const pcmSamples = (pcm: Buffer) => new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);

/** G.711 mu-law byte to a 16-bit sample. */
function ulawToPcm(bytes: Buffer): Int16Array {
  return Int16Array.from(bytes, (b) => {
    const u = ~b & 0xff;
    const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
    return u & 0x80 ? 0x84 - t : t - 0x84;
  });
}

interface Frame {
  json: Record<string, unknown>;
}

interface WsClient {
  ws: WebSocket;
  frames: Frame[];
  send(message: unknown): void;
  next(match: (f: Frame) => boolean, from?: number): Promise<Frame>;
  closed: Promise<{ code: number; reason: string }>;
}

function connect(url: string, headers: Record<string, string> = {}): Promise<WsClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const frames: Frame[] = [];
    const waiters: Array<() => void> = [];
    ws.on('message', (data: Buffer) => {
      frames.push({ json: JSON.parse(data.toString('utf8')) as Record<string, unknown> });
      for (const wake of waiters.splice(0)) wake();
    });
    const closed = new Promise<{ code: number; reason: string }>((res) =>
      ws.on('close', (code, reason) => {
        res({ code, reason: reason.toString() });
        for (const wake of waiters.splice(0)) wake();
      }),
    );
    const client: WsClient = {
      ws,
      frames,
      closed,
      send: (message) => ws.send(JSON.stringify(message)),
      next: (match, from = 0) =>
        new Promise((res, rej) => {
          const check = () => {
            const found = frames.slice(from).find(match);
            if (found) res(found);
            else if (ws.readyState === WebSocket.CLOSED)
              rej(new Error('socket closed while waiting'));
            else waiters.push(check);
          };
          check();
        }),
    };
    ws.once('open', () => resolve(client));
    ws.once('error', reject);
  });
}

function refused(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingMessage['headers']; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => reject(new Error('upgrade was accepted')));
    ws.on('error', () => undefined);
    ws.on('unexpected-response', (_req, res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>,
        }),
      );
    });
  });
}

const isAudio = (f: Frame) => typeof f.json.audio === 'string';
const isFinal = (contextId?: string) => (f: Frame) =>
  f.json.isFinal === true && (contextId === undefined || f.json.contextId === contextId);
const audioOf = (frames: Frame[]) =>
  Buffer.concat(frames.filter(isAudio).map((f) => Buffer.from(f.json.audio as string, 'base64')));

describe('ElevenLabs-compatible surface, through the official SDK', () => {
  let app: NestExpressApplication;
  let base: string;
  let wsBase: string;
  let tenant: TestTenant;
  let client: ElevenLabsClient;
  let decoder: AudioWorkerPool;
  let storageDir: string;

  const clientFor = (key: string) =>
    new ElevenLabsClient({ apiKey: key, baseUrl: `${base}/elevenlabs`, maxRetries: 0 });

  beforeAll(async () => {
    storageDir = mkdtempSync(join(tmpdir(), 'cw-elevenlabs-voices-'));
    // Long texts are read as fast as the engine renders them; pacing is tested elsewhere.
    app = await createTestApp({
      SCHEDULER_LEAD_MS: '3600000',
      ENGINE_POOL_SIZE: '2',
      VOICE_STORAGE_DIR: storageDir,
    });
    base = await listen(app);
    wsBase = `${base.replace(/^http/, 'ws')}/elevenlabs/v1/text-to-speech`;
    tenant = await createTenant(app);
    client = clientFor(tenant.key);
    decoder = new AudioWorkerPool();
  });
  afterAll(async () => {
    await decoder.close();
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

  describe('HTTP text-to-speech', () => {
    it('convert: mp3 at 44.1 kHz by default, decodable, seconds long, not silence', async () => {
      const { data, rawResponse } = await client.textToSpeech
        .convert('21m00Tcm4TlvDq8ikWAM', { text: TEXT, modelId: 'eleven_flash_v2_5' })
        .withRawResponse();
      expect(rawResponse.headers.get('content-type')).toBe('audio/mpeg');
      expect(rawResponse.headers.get('x-voice-id')).toBe('professional_female');
      const mp3 = await bytesOf(data);
      expect(Number(rawResponse.headers.get('content-length'))).toBe(mp3.length);
      const decoded = await decoder.decode(mp3);
      expect(decoded.sampleRate).toBe(44100);
      expect(decoded.durationMs).toBeGreaterThan(1500);
      expect(decoded.durationMs).toBeLessThan(15000);
      expect(rms(Int16Array.from(decoded.mono, (f) => Math.round(f * 32767)))).toBeGreaterThan(
        0.01,
      );
    });

    it.each([8000, 16000, 22050, 24000, 44100, 48000] as const)(
      'stream: pcm_%i is raw 16-bit audio at exactly that rate',
      async (rate) => {
        const { data, rawResponse } = await client.textToSpeech
          .stream('naija_female', { text: SHORT, outputFormat: `pcm_${rate}` })
          .withRawResponse();
        expect(rawResponse.headers.get('content-type')).toBe(`audio/L16;rate=${rate}`);
        expect(rawResponse.headers.get('transfer-encoding')).toBe('chunked');
        expect(rawResponse.headers.get('x-audio-sample-rate')).toBe(String(rate));
        const pcm = await bytesOf(data);
        const seconds = pcm.length / 2 / rate;
        expect(seconds).toBeGreaterThan(1);
        expect(seconds).toBeLessThan(6);
        expect(rms(pcmSamples(pcm))).toBeGreaterThan(0.01);
      },
    );

    it('ulaw_8000 and alaw_8000 are G.711 at 8 kHz', async () => {
      const { data, rawResponse } = await client.textToSpeech
        .stream('default', { text: SHORT, outputFormat: 'ulaw_8000' })
        .withRawResponse();
      expect(rawResponse.headers.get('content-type')).toBe('audio/basic');
      const ulaw = await bytesOf(data);
      expect(ulaw.length / 8000).toBeGreaterThan(1);
      expect(rms(ulawToPcm(ulaw))).toBeGreaterThan(0.01);
      const alaw = await client.textToSpeech.convert('default', {
        text: SHORT,
        outputFormat: 'alaw_8000',
      });
      expect((await bytesOf(alaw)).length / 8000).toBeGreaterThan(1);
    });

    it('opus is refused with 400 in their error shape, before any synthesis', async () => {
      const spy = jest.spyOn(app.get<TtsEngine>(TTS_ENGINE), 'synthesize');
      const err = await failure(
        client.textToSpeech.convert('default', { text: TEXT, outputFormat: 'opus_48000_64' }),
      );
      expect(err.statusCode).toBe(400);
      expect(err.body).toEqual({
        detail: {
          status: 'unsupported_output_format',
          message: expect.stringContaining("'opus_48000_64' is not supported"),
          request_id: expect.any(String),
        },
      });
      expect(spy).not.toHaveBeenCalled();
      const made = await request(app.getHttpServer())
        .post('/elevenlabs/v1/text-to-speech/default?output_format=wav_16000')
        .set('xi-api-key', tenant.key)
        .send({ text: TEXT })
        .expect(400);
      expect(made.body.detail.status).toBe('invalid_output_format');
    });

    it('accepts every field real clients send, and unknown ones', async () => {
      const res = await request(app.getHttpServer())
        .post(
          '/elevenlabs/v1/text-to-speech/Rachel/stream?output_format=pcm_16000&enable_logging=true&optimize_streaming_latency=3',
        )
        .set('xi-api-key', tenant.key)
        .send({
          text: SHORT,
          model_id: 'eleven_turbo_v2_5',
          voice_settings: {
            stability: 0.5,
            similarity_boost: 0.75,
            style: 0,
            use_speaker_boost: true,
            speed: 1,
          },
          language_code: 'en',
          previous_text: 'Hi.',
          next_text: 'Bye.',
          seed: 42,
          apply_text_normalization: 'auto',
          apply_language_text_normalization: false,
          pronunciation_dictionary_locators: [],
          something_new: { nested: true },
        })
        .buffer(true)
        .parse((r, cb) => {
          const parts: Buffer[] = [];
          r.on('data', (d: Buffer) => parts.push(d));
          r.on('end', () => cb(null, Buffer.concat(parts)));
        })
        .expect(200);
      expect(res.headers['x-voice-id']).toBe('professional_female');
      expect((res.body as Buffer).length).toBeGreaterThan(16000 * 2);
    });

    it('with-timestamps: base64 audio and character alignment in seconds', async () => {
      const text = 'Good morning. Your account is ready.';
      const result = await client.textToSpeech.convertWithTimestamps('default', {
        text,
        outputFormat: 'pcm_22050',
      });
      const pcm = Buffer.from(result.audioBase64, 'base64');
      const seconds = pcm.length / 2 / 22050;
      expect(seconds).toBeGreaterThan(1);
      const alignment = result.alignment!;
      expect(alignment.characters.join('')).toBe(text);
      expect(alignment.characterStartTimesSeconds).toHaveLength(text.length);
      const starts = alignment.characterStartTimesSeconds;
      expect([...starts].sort((a, b) => a - b)).toEqual(starts);
      expect(alignment.characterEndTimesSeconds[text.length - 1]).toBeLessThanOrEqual(
        seconds + 0.05,
      );
      expect(alignment.characterEndTimesSeconds[text.length - 1]).toBeGreaterThan(seconds / 2);
      const normalized = result.normalizedAlignment!;
      expect(normalized.characters.join('').toLowerCase()).toContain('good morning');
    });

    it('with-timestamps: alignment is of the text sent, normalized_alignment of the words spoken', async () => {
      const result = await client.textToSpeech.convertWithTimestamps('default', {
        text: 'Pay ₦5,000 now.',
        outputFormat: 'pcm_16000',
      });
      expect(result.alignment!.characters.join('')).toBe('Pay ₦5,000 now.');
      expect(result.normalizedAlignment!.characters.join('')).toMatch(/five thousand naira/i);
    });

    it('stream/with-timestamps: JSON lines whose audio joins up, the alignment on the last', async () => {
      const text = 'First sentence here. And a second one.';
      const chunks: ElevenLabs.StreamingAudioChunkWithTimestampsResponse[] = [];
      const stream = await client.textToSpeech.streamWithTimestamps('default', {
        text,
        outputFormat: 'pcm_24000',
      });
      for await (const chunk of stream) chunks.push(chunk);
      expect(chunks.length).toBeGreaterThan(1);
      const pcm = Buffer.concat(chunks.map((c) => Buffer.from(c.audioBase64 ?? '', 'base64')));
      expect(pcm.length / 2 / 24000).toBeGreaterThan(1.5);
      expect(rms(pcmSamples(pcm))).toBeGreaterThan(0.01);
      const aligned = chunks.filter((c) => c.alignment);
      expect(aligned).toHaveLength(1);
      expect(aligned[0].alignment!.characters.join('')).toBe(text);
    });

    it('writes one usage row per request with its own endpoint name', async () => {
      const t = await createTenant(app);
      const c = clientFor(t.key);
      const pcm = await bytesOf(
        await c.textToSpeech.stream('default', { text: SHORT, outputFormat: 'pcm_16000' }),
      );
      await bytesOf(
        await c.textToSpeech.convert('default', { text: SHORT, outputFormat: 'pcm_16000' }),
      );
      const [streamed, whole, ...more] = await rows(t);
      expect(more).toHaveLength(0);
      expect(streamed).toMatchObject({
        endpoint: 'elevenlabs/text-to-speech/stream',
        status: 'completed',
        streaming: true,
        characters: SHORT.length,
        api_key_id: t.keyId,
      });
      expect(Number(streamed.bytes)).toBe(pcm.length);
      expect(whole).toMatchObject({ endpoint: 'elevenlabs/text-to-speech', streaming: false });
    });
  });

  describe('errors and limits', () => {
    it('bad key → 401, missing key → 401, both in their shape', async () => {
      const err = await failure(clientFor('cw_live_not_a_real_key').voices.getAll());
      expect(err.statusCode).toBe(401);
      expect(err.body).toMatchObject({
        detail: { status: 'invalid_api_key', message: 'Invalid API key' },
      });
      const missing = await request(app.getHttpServer())
        .post('/elevenlabs/v1/text-to-speech/default')
        .send({ text: TEXT })
        .expect(401);
      expect(missing.body.detail.status).toBe('missing_authorization');
    });

    it('the xi-api-key header works only on ElevenLabs routes', async () => {
      const res = await request(app.getHttpServer())
        .get('/v1/voices')
        .set('xi-api-key', tenant.key)
        .expect(401);
      expect(res.body.code).toBe('missing_authorization');
    });

    it('unknown voice → 404 voice_not_found; empty text → 400; bad field → 422', async () => {
      const err = await failure(client.textToSpeech.convert('no_such_voice', { text: TEXT }));
      expect(err.statusCode).toBe(404);
      expect(err.body).toMatchObject({ detail: { status: 'voice_not_found' } });
      const garbled = await request(app.getHttpServer())
        .post('/elevenlabs/v1/text-to-speech/%E0%A4%A')
        .set('xi-api-key', tenant.key)
        .send({ text: TEXT });
      expect(garbled.status).toBe(400);
      const empty = await failure(client.textToSpeech.convert('default', { text: '   ' }));
      expect(empty.statusCode).toBe(400);
      expect(empty.body).toMatchObject({ detail: { status: 'empty_text' } });
      const bad = await request(app.getHttpServer())
        .post('/elevenlabs/v1/text-to-speech/default')
        .set('xi-api-key', tenant.key)
        .send({ text: 42 })
        .expect(422);
      expect(bad.body.detail.status).toBe('validation_failed');
      expect(bad.body.detail.message).toContain('text must be a string');
    });

    it('applies our pronunciation dictionaries named in pronunciation_dictionary_locators', async () => {
      const dictionary = await request(app.getHttpServer())
        .post('/v1/pronunciation-dictionaries')
        .set(bearer(tenant.key))
        .send({
          name: 'Branches',
          rules: [
            { type: 'alias', string_to_replace: 'VI', alias: 'Victoria Island branch office' },
          ],
        })
        .expect(201);
      const speak = (body: Record<string, unknown>) =>
        request(app.getHttpServer())
          .post('/elevenlabs/v1/text-to-speech/default?output_format=pcm_16000')
          .set('xi-api-key', tenant.key)
          .send({ text: 'Visit us in VI.', ...body })
          .buffer(true)
          .parse(binaryParser);
      const plain = await speak({ pronunciation_dictionary_locators: [] });
      const aliased = await speak({
        pronunciation_dictionary_locators: [
          { pronunciation_dictionary_id: dictionary.body.id as string, version_id: 'latest' },
        ],
      });
      expect(plain.status).toBe(200);
      expect(aliased.status).toBe(200);
      // "Victoria Island branch office" takes far longer to say than "V I".
      expect((aliased.body as Buffer).length).toBeGreaterThan((plain.body as Buffer).length * 1.3);
      const missing = await speak({
        pronunciation_dictionary_locators: [{ pronunciation_dictionary_id: 'pd_nope' }],
      });
      expect(missing.status).toBe(404);
      expect(JSON.parse((missing.body as Buffer).toString('utf8'))).toMatchObject({
        detail: { status: 'pronunciation_dictionary_not_found' },
      });
    });

    it('rate limit → 429 with Retry-After, in their shape', async () => {
      const t = await createTenant(app, { rate_limit_per_minute: 1 });
      const c = clientFor(t.key);
      await c.models.list();
      const err = await failure(c.models.list());
      expect(err.statusCode).toBe(429);
      expect(err.body).toMatchObject({ detail: { status: 'rate_limit_exceeded' } });
    });
  });

  describe('voices, models, user', () => {
    it('lists the built-in voices with string labels, and takes ElevenLabs ids', async () => {
      const { voices } = await client.voices.getAll();
      const ids = voices.map((v) => v.voiceId);
      expect(ids).toEqual(expect.arrayContaining(['default', 'naija_female', 'professional_male']));
      for (const v of voices) {
        expect(v.category).toBe('premade');
        for (const value of Object.values(v.labels ?? {})) expect(typeof value).toBe('string');
      }
      const rachel = await client.voices.get('21m00Tcm4TlvDq8ikWAM');
      expect(rachel).toMatchObject({ voiceId: '21m00Tcm4TlvDq8ikWAM', category: 'premade' });
      const err = await failure(client.voices.get('v_doesnotexist'));
      expect(err.statusCode).toBe(404);
    });

    it('an uploaded voice is listed as cloned for its owner only; others cannot use it', async () => {
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
      const mine = await clientFor(owner.key).voices.getAll();
      const voice = mine.voices.find((v) => v.voiceId === id);
      expect(voice).toMatchObject({ name: 'Front desk', category: 'cloned' });
      for (const value of Object.values(voice!.labels ?? {})) expect(typeof value).toBe('string');
      const theirs = await clientFor(stranger.key).voices.getAll();
      expect(theirs.voices.map((v) => v.voiceId)).not.toContain(id);
      expect((await failure(clientFor(stranger.key).voices.get(id))).statusCode).toBe(404);
      const err = await failure(clientFor(stranger.key).textToSpeech.convert(id, { text: SHORT }));
      expect(err.body).toMatchObject({ detail: { status: 'voice_not_found' } });
      const refusedWs = await refused(`${wsBase}/${id}/multi-stream-input`, {
        'xi-api-key': stranger.key,
      });
      expect(refusedWs.status).toBe(404);
      const pcm = await bytesOf(
        await clientFor(owner.key).textToSpeech.convert(id, {
          text: SHORT,
          outputFormat: 'pcm_16000',
        }),
      );
      expect(rms(pcmSamples(pcm))).toBeGreaterThan(0.01);
    });

    it('models, user and subscription parse with the SDK', async () => {
      const models = await client.models.list();
      expect(models.map((m) => m.modelId)).toContain('eleven_flash_v2_5');
      expect(models.every((m) => m.canDoTextToSpeech)).toBe(true);
      const user = await client.user.get();
      expect(user.userId).toBe(tenant.tenantId);
      const subscription = await client.user.subscription.get();
      expect(subscription.voiceLimit).toBe(5);
    });
  });

  it('is in the OpenAPI document with the xi-api-key scheme and the voice table', async () => {
    const res = await request(app.getHttpServer()).get('/openapi.json').expect(200);
    expect(res.body.components.securitySchemes['xi-api-key']).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'xi-api-key',
    });
    const op = res.body.paths['/elevenlabs/v1/text-to-speech/{voice_id}'].post;
    expect(op.security).toEqual([{ 'xi-api-key': [] }]);
    expect(op.description).toContain('| `21m00Tcm4TlvDq8ikWAM` | Rachel | `professional_female` |');
    expect(res.body.paths['/elevenlabs/v1/voices'].get).toBeDefined();
  });

  describe('WebSocket stream-input (the SDK has no client for it: ws with the exact wire format)', () => {
    const url = (voice: string, query = 'output_format=pcm_16000') =>
      `${wsBase}/${voice}/stream-input?${query}`;

    it('speaks text sent in pieces, sends alignment and isFinal, then closes', async () => {
      const ws = await connect(
        url('Rachel', 'model_id=eleven_flash_v2_5&output_format=pcm_16000'),
        {
          'xi-api-key': tenant.key,
        },
      );
      ws.send({
        text: ' ',
        voice_settings: { stability: 0.5, similarity_boost: 0.8 },
        generation_config: { chunk_length_schedule: [120] },
      });
      ws.send({ text: 'Hello there, ', try_trigger_generation: true });
      ws.send({ text: 'thank you for calling. How can I help? ' });
      ws.send({ text: '' });
      const closed = await ws.closed;
      expect(closed.code).toBe(1000);
      const last = ws.frames[ws.frames.length - 1].json;
      expect(last).toEqual({ isFinal: true, is_final: true });
      const pcm = audioOf(ws.frames);
      expect(pcm.length / 2 / 16000).toBeGreaterThan(1.5);
      expect(rms(pcmSamples(pcm))).toBeGreaterThan(0.01);
      const aligned = ws.frames.filter((f) => f.json.alignment);
      expect(aligned.length).toBeGreaterThanOrEqual(1);
      const chars = aligned
        .flatMap((f) => (f.json.alignment as { chars: string[] }).chars)
        .join('');
      expect(chars.replace(/\s+/g, ' ').trim()).toBe(
        'Hello there, thank you for calling. How can I help?',
      );
      const a = aligned[aligned.length - 1].json.alignment as Record<string, number[]>;
      expect(a.charStartTimesMs.length).toBe(a.charDurationsMs.length);
      expect(a.charsDurationsMs).toEqual(a.charDurationsMs);
      expect(aligned[0].json.normalizedAlignment).toBeTruthy();
      const [row] = (await rows(tenant))
        .filter((r) => r.endpoint === 'elevenlabs/stream-input')
        .slice(-1);
      expect(row).toMatchObject({ status: 'completed', voice_id: 'professional_female' });
    });

    it('takes the key as ?xi_api_key=, and refuses a bad one or a bad format in their shape', async () => {
      const ws = await connect(url('default', `xi_api_key=${tenant.key}&output_format=ulaw_8000`));
      ws.send({ text: ' ' });
      ws.send({ text: 'Good morning. ', flush: true });
      await ws.next(isAudio);
      ws.send({ text: '' });
      expect((await ws.closed).code).toBe(1000);
      expect(rms(ulawToPcm(audioOf(ws.frames)))).toBeGreaterThan(0.01);

      const bad = await refused(url('default'), { 'xi-api-key': 'cw_live_nope' });
      expect(bad.status).toBe(401);
      expect(bad.body).toMatchObject({ detail: { status: 'invalid_api_key' } });
      const opus = await refused(url('default', 'output_format=opus_48000_32'), {
        'xi-api-key': tenant.key,
      });
      expect(opus.status).toBe(400);
      expect(opus.body).toMatchObject({ detail: { status: 'unsupported_output_format' } });
      const voice = await refused(url('nobody'), { 'xi-api-key': tenant.key });
      expect(voice.status).toBe(404);
      expect(voice.body).toMatchObject({ detail: { status: 'voice_not_found' } });
      // A voice id that is not valid percent-encoding is an unknown voice, not a server error.
      const garbled = await refused(url('%E0%A4%A'), { 'xi-api-key': tenant.key });
      expect(garbled.status).toBe(404);
      expect(garbled.body).toMatchObject({ detail: { status: 'voice_not_found' } });
    });
  });

  describe('WebSocket multi-stream-input', () => {
    const url = (query = 'output_format=pcm_22050') =>
      `${wsBase}/naija_male/multi-stream-input?model_id=eleven_flash_v2_5&${query}&auto_mode=true&inactivity_timeout=180&sync_alignment=true&apply_text_normalization=auto`;

    it("LiveKit's sequence: init, flushed text, empty flush, close_context → audio then isFinal", async () => {
      const ws = await connect(url(), { 'xi-api-key': tenant.key });
      ws.send({ text: ' ', voice_settings: {}, context_id: 'c1' });
      ws.send({ text: 'Welcome to the clinic. ', context_id: 'c1', flush: true });
      ws.send({ text: 'How may I help you today? ', context_id: 'c1', flush: true });
      ws.send({ text: '', context_id: 'c1', flush: true });
      ws.send({ context_id: 'c1', close_context: true });
      await ws.next(isFinal('c1'));
      const mine = ws.frames.filter((f) => f.json.contextId === 'c1');
      expect(mine.every((f) => isAudio(f) || f.json.isFinal === true)).toBe(true);
      expect(mine[mine.length - 1].json).toEqual({
        isFinal: true,
        is_final: true,
        contextId: 'c1',
      });
      const pcm = audioOf(mine);
      expect(pcm.length / 2 / 22050).toBeGreaterThan(2);
      expect(rms(pcmSamples(pcm))).toBeGreaterThan(0.01);
      const chars = mine
        .filter((f) => f.json.alignment)
        .flatMap((f) => (f.json.alignment as { chars: string[] }).chars)
        .join('');
      expect(chars.replace(/\s+/g, ' ').trim()).toBe(
        'Welcome to the clinic. How may I help you today?',
      );
      // A keep-alive is not the end of anything; the socket stays open for the next context.
      ws.send({ text: '' });
      ws.send({ text: '', context_id: 'c1' });
      ws.send({ text: ' ', context_id: 'c2' });
      ws.send({ text: 'Goodbye. ', context_id: 'c2', flush: true });
      ws.send({ context_id: 'c2', close_context: true });
      await ws.next(isFinal('c2'));
      expect(audioOf(ws.frames.filter((f) => f.json.contextId === 'c2')).length).toBeGreaterThan(0);
      ws.send({ close_socket: true });
      expect((await ws.closed).code).toBe(1000);
    });

    it('barge-in: a closed context stops as soon as a new one speaks; nothing of it follows its isFinal', async () => {
      const t = await createTenant(app);
      const ws = await connect(url(), { 'xi-api-key': t.key });
      ws.send({ text: ' ', context_id: 'long' });
      ws.send({ text: `${LONG_TEXT} `, context_id: 'long', flush: true });
      await ws.next((f) => isAudio(f) && f.json.contextId === 'long');
      ws.send({ context_id: 'long', close_context: true });
      ws.send({ text: ' ', context_id: 'next' });
      ws.send({ text: 'Sorry, go ahead. ', context_id: 'next', flush: true });
      ws.send({ context_id: 'next', close_context: true });
      const finalLong = await ws.next(isFinal('long'));
      await ws.next(isFinal('next'));
      const at = ws.frames.indexOf(finalLong);
      expect(ws.frames.slice(at + 1).some((f) => f.json.contextId === 'long')).toBe(false);
      const longAudio = audioOf(ws.frames.filter((f) => f.json.contextId === 'long'));
      // LONG_TEXT is minutes of speech; barge-in cut it short.
      expect(longAudio.length / 2 / 22050).toBeLessThan(60);
      expect(
        audioOf(ws.frames.filter((f) => f.json.contextId === 'next')).length / 2 / 22050,
      ).toBeGreaterThan(0.5);
      ws.send({ close_socket: true });
      await ws.closed;
      await waitUntil(async () => (await rows(t)).length === 1);
      const [row] = await rows(t);
      expect(row).toMatchObject({
        endpoint: 'elevenlabs/multi-stream-input',
        status: 'completed',
        streaming: true,
      });
      expect(Number(row.bytes)).toBe(audioOf(ws.frames).length);
    });

    it('close_context drops text that was never flushed', async () => {
      const ws = await connect(url(), { 'xi-api-key': tenant.key });
      ws.send({ text: ' ', context_id: 'x' });
      ws.send({ text: 'This half sentence never gets', context_id: 'x' });
      ws.send({ context_id: 'x', close_context: true });
      const final = await ws.next(isFinal('x'));
      expect(ws.frames.filter(isAudio)).toHaveLength(0);
      expect(final.json).toEqual({ isFinal: true, is_final: true, contextId: 'x' });
      ws.ws.close();
    });

    it('at most five contexts are open at once', async () => {
      const ws = await connect(url(), { 'xi-api-key': tenant.key });
      for (let i = 0; i < 6; i++) ws.send({ text: ' ', context_id: `c${i}` });
      ws.send({ text: 'Hi. ', context_id: 'c5', flush: true });
      const error = await ws.next((f) => f.json.error !== undefined);
      expect(error.json).toMatchObject({ error: 'max_active_conversations' });
      ws.ws.close();
    });

    it('an open socket whose key is revoked is closed with 1008 at the next recheck', async () => {
      const t = await createTenant(app);
      const ws = await connect(url(), { 'xi-api-key': t.key });
      ws.send({ text: ' ', context_id: 'a' });
      await app.get(ElevenLabsGateway).recheckSessions();
      expect(ws.ws.readyState).toBe(WebSocket.OPEN);
      await app
        .get(DataSource)
        .query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [t.keyId]);
      await app.get(ElevenLabsGateway).recheckSessions();
      const closed = await ws.closed;
      expect(closed.code).toBe(1008);
      expect(closed.reason).toMatch(/^invalid_api_key: /);
      expect(ws.frames).toEqual([
        { json: { error: 'invalid_api_key', message: expect.any(String) } },
      ]);
    });

    it('holds one concurrency slot per socket; a client that leaves is recorded as cancelled', async () => {
      const t = await createTenant(app, { max_concurrent_streams: 1 });
      const ws = await connect(url(), { 'xi-api-key': t.key });
      const err = await failure(clientFor(t.key).textToSpeech.convert('default', { text: SHORT }));
      expect(err.statusCode).toBe(429);
      expect(err.body).toMatchObject({ detail: { status: 'too_many_concurrent_requests' } });
      const second = await refused(url(), { 'xi-api-key': t.key });
      expect(second.status).toBe(429);
      expect(second.body).toMatchObject({ detail: { status: 'too_many_concurrent_requests' } });
      ws.send({ text: `${LONG_TEXT} `, context_id: 'a', flush: true });
      await ws.next(isAudio);
      ws.ws.terminate();
      await waitUntil(async () => (await rows(t)).some((r) => r.status === 'cancelled'));
      const [row] = await rows(t);
      expect(row).toMatchObject({ endpoint: 'elevenlabs/multi-stream-input', status: 'cancelled' });
      expect(Number(row.bytes)).toBeGreaterThan(0);
      // The slot is free again.
      await waitUntil(async () => {
        try {
          await bytesOf(await clientFor(t.key).textToSpeech.convert('default', { text: 'Hi.' }));
          return true;
        } catch {
          return false;
        }
      });
    });

    it('closes an idle socket after inactivity_timeout seconds', async () => {
      const ws = await connect(url('output_format=pcm_16000&inactivity_timeout=1'), {
        'xi-api-key': tenant.key,
      });
      ws.send({ text: ' ', context_id: 'idle' });
      expect(await ws.closed).toEqual({ code: 1000, reason: 'inactivity timeout' });
    });
  });

  describe('WebSocket pronunciation_dictionary_locators (in the message that opens a context)', () => {
    const TEXT = 'Visit us in VI. ';
    let dictionaryId: string;
    beforeAll(async () => {
      const res = await request(app.getHttpServer())
        .post('/v1/pronunciation-dictionaries')
        .set(bearer(tenant.key))
        .send({
          name: 'WS branches',
          rules: [
            { type: 'alias', string_to_replace: 'VI', alias: 'Victoria Island branch office' },
          ],
        })
        .expect(201);
      dictionaryId = res.body.id as string;
    });
    const locators = (id: string) => [{ pronunciation_dictionary_id: id, version_id: 'v1' }];
    const charsOf = (frames: Frame[]) =>
      frames
        .filter((f) => f.json.alignment)
        .flatMap((f) => (f.json.alignment as { chars: string[] }).chars)
        .join('')
        .trim();

    /** stream-input: the init message (with `init` merged in), the text, end of input. */
    async function speakSingle(init: Record<string, unknown>): Promise<WsClient> {
      const ws = await connect(`${wsBase}/default/stream-input?output_format=pcm_16000`, {
        'xi-api-key': tenant.key,
      });
      ws.send({ text: ' ', voice_settings: { stability: 0.5 }, ...init });
      ws.send({ text: TEXT });
      ws.send({ text: '' });
      await ws.closed;
      return ws;
    }

    it('stream-input applies the dictionaries of the first message; alignment keeps the words sent', async () => {
      const plain = await speakSingle({});
      const aliased = await speakSingle({
        pronunciation_dictionary_locators: locators(dictionaryId),
      });
      expect(plain.frames.filter((f) => f.json.error)).toEqual([]);
      expect(aliased.frames.filter((f) => f.json.error)).toEqual([]);
      // "Victoria Island branch office" takes far longer to say than "V I".
      expect(audioOf(aliased.frames).length).toBeGreaterThan(audioOf(plain.frames).length * 1.3);
      expect(charsOf(aliased.frames)).toBe('Visit us in VI.');
      // Only the first message names them: a later one changes nothing.
      const ws = await connect(`${wsBase}/default/stream-input?output_format=pcm_16000`, {
        'xi-api-key': tenant.key,
      });
      ws.send({ text: ' ' });
      ws.send({ text: TEXT, pronunciation_dictionary_locators: locators(dictionaryId) });
      ws.send({ text: '' });
      await ws.closed;
      expect(audioOf(ws.frames).length).toBeLessThan(audioOf(plain.frames).length * 1.1);
    });

    it('stream-input: an unknown dictionary is an error message in their shape, then close 1008', async () => {
      const ws = await connect(`${wsBase}/default/stream-input?output_format=pcm_16000`, {
        'xi-api-key': tenant.key,
      });
      ws.send({ text: ' ', pronunciation_dictionary_locators: locators('pd_nope') });
      const closed = await ws.closed;
      expect(closed.code).toBe(1008);
      expect(ws.frames.map((f) => f.json)).toEqual([
        {
          error: 'pronunciation_dictionary_not_found',
          message: expect.stringContaining('pd_nope'),
        },
      ]);
      const bad = await connect(`${wsBase}/default/stream-input?output_format=pcm_16000`, {
        'xi-api-key': tenant.key,
      });
      bad.send({ text: ' ', pronunciation_dictionary_locators: [{ version_id: 'v1' }] });
      const error = await bad.next((f) => f.json.error !== undefined);
      expect(error.json).toMatchObject({
        error: 'invalid_message',
        message: expect.stringContaining('pronunciation_dictionary_id'),
      });
      bad.ws.close();
    });

    it('multi-stream-input applies them per context; an unknown one refuses that context only', async () => {
      const ws = await connect(`${wsBase}/default/multi-stream-input?output_format=pcm_16000`, {
        'xi-api-key': tenant.key,
      });
      ws.send({
        text: ' ',
        context_id: 'named',
        pronunciation_dictionary_locators: locators(dictionaryId),
      });
      ws.send({ text: TEXT, context_id: 'named', flush: true });
      ws.send({ context_id: 'named', close_context: true });
      await ws.next(isFinal('named'));
      ws.send({ text: ' ', context_id: 'plain' });
      ws.send({ text: TEXT, context_id: 'plain', flush: true });
      ws.send({ context_id: 'plain', close_context: true });
      await ws.next(isFinal('plain'));
      ws.send({
        text: ' ',
        context_id: 'missing',
        pronunciation_dictionary_locators: locators('pd_nope'),
      });
      const error = await ws.next((f) => f.json.error !== undefined);
      expect(error.json).toMatchObject({
        error: 'pronunciation_dictionary_not_found',
        contextId: 'missing',
      });
      ws.send({ close_socket: true });
      expect((await ws.closed).code).toBe(1000);
      const named = ws.frames.filter((f) => f.json.contextId === 'named');
      const plain = ws.frames.filter((f) => f.json.contextId === 'plain');
      expect(audioOf(named).length).toBeGreaterThan(audioOf(plain).length * 1.3);
      expect(charsOf(named)).toBe('Visit us in VI.');
      expect(
        ws.frames.filter((f) => f.json.contextId === 'missing').map((f) => f.json.error),
      ).toEqual(['pronunciation_dictionary_not_found']);
    });
  });

  describe('shutdown (last: the app stops accepting work)', () => {
    it('a socket speaking when the drain begins finishes what was flushed, then closes with 1012', async () => {
      const ws = await connect(`${wsBase}/default/multi-stream-input?output_format=pcm_16000`, {
        'xi-api-key': tenant.key,
      });
      ws.send({ text: 'Please hold while I check that for you. ', context_id: 'd', flush: true });
      await ws.next(isAudio);
      app.get(ShutdownService).beginDrain();
      expect((await ws.closed).code).toBe(1012);
      const aligned = ws.frames.filter((f) => f.json.alignment);
      expect(aligned.length).toBeGreaterThanOrEqual(1);
      expect(audioOf(ws.frames).length / 2 / 16000).toBeGreaterThan(1.5);
    });
  });
});
