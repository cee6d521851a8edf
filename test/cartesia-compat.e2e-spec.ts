import Cartesia, {
  APIError,
  AuthenticationError,
  BadRequestError,
  NotFoundError,
} from '@cartesia/cartesia-js';
import { NestExpressApplication } from '@nestjs/platform-express';
import { alaw, mulaw } from 'alawmulaw';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import request from 'supertest';
import { DataSource } from 'typeorm';
import WebSocket from 'ws';
import { parseWav, rms, WavFormatTag } from '@cw/audio';
import { ApiKeysService } from '../apps/api/src/auth/api-keys.service';
import { CartesiaGateway } from '../apps/api/src/cartesia-compat/cartesia.gateway';
import { LONG_TEXT, listen } from './helpers/audio-client';
import { waitUntil } from './helpers/engine-watch';
import { bearer, createTenant, createTestApp, TestTenant } from './helpers/test-app';

const TEXT = 'Hello, thank you for calling. How can I help you today?';
/** A port of this suite's range for the TLS terminator that stands in for the ingress. */
const TLS_PORT = 19642;
/** LiveKit Agents' default Cartesia voice; our table maps it to naija_female. */
const KATIE = 'f786b574-daa5-4673-aa0c-cbe3e8534c02';

type Output = { container: 'raw' | 'wav'; encoding: string; sample_rate: number };
type RawEncoding = 'pcm_s16le' | 'pcm_f32le' | 'pcm_mulaw' | 'pcm_alaw';
const raw = (encoding: RawEncoding, sampleRate: 8000 | 16000 | 22050 | 24000 | 44100 | 48000) =>
  ({ container: 'raw', encoding, sample_rate: sampleRate }) as const;

const int16 = (bytes: Buffer) =>
  new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
const float32 = (bytes: Buffer) =>
  new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
const floatToInt16 = (f: Float32Array) => Int16Array.from(f, (v) => Math.round(v * 32767));
const seconds = (samples: number, rate: number) => samples / rate;

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

/** A self-signed certificate for 127.0.0.1, made for this run. */
function selfSignedCertificate(dir: string): { key: Buffer; cert: Buffer } {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ]);
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

/**
 * Terminates TLS in front of the app, as the production ingress does: Cartesia's SDK speaks only
 * `wss://` on its WebSocket whatever the base URL says.
 */
async function tlsTerminator(
  target: string,
  credentials: { key: Buffer; cert: Buffer },
): Promise<tls.Server> {
  const { hostname, port } = new URL(target);
  const server = tls.createServer(credentials, (client) => {
    const upstream = net.connect(Number(port), hostname);
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(TLS_PORT, '127.0.0.1', resolve));
  return server;
}

interface WireMessage {
  type: string;
  context_id?: string;
  data?: string;
  [field: string]: unknown;
}

/** A raw `ws` client speaking Cartesia's wire format, for what the SDK does not expose. */
class WireClient {
  readonly messages: WireMessage[] = [];
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse((data as Buffer).toString('utf8')) as WireMessage);
      this.waiters.splice(0).forEach((wake) => wake());
    });
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.once('open', () => resolve(new WireClient(ws)));
      ws.once('error', reject);
    });
  }

  send(message: object): void {
    this.ws.send(JSON.stringify(message));
  }

  async waitFor(predicate: (m: WireMessage) => boolean): Promise<WireMessage> {
    for (;;) {
      const found = this.messages.find(predicate);
      if (found) return found;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  of(contextId: string): WireMessage[] {
    return this.messages.filter((m) => m.context_id === contextId);
  }

  audio(contextId: string): Buffer {
    return Buffer.concat(
      this.of(contextId)
        .filter((m) => m.type === 'chunk')
        .map((m) => Buffer.from(m.data!, 'base64')),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

/** The fields LiveKit's plugin requires of each message type (its schema drops any without). */
const LIVEKIT_FIELDS: Record<string, string[]> = {
  chunk: ['type', 'data', 'done', 'status_code', 'step_time', 'context_id'],
  timestamps: ['type', 'done', 'status_code', 'context_id', 'word_timestamps'],
  done: ['type', 'done', 'status_code', 'context_id'],
  flush_done: ['type', 'done', 'flush_done', 'flush_id', 'status_code', 'context_id'],
  error: ['type', 'done', 'error', 'status_code', 'context_id'],
};

describe('Cartesia-compatible API, through the official SDK', () => {
  let app: NestExpressApplication;
  let base: string;
  let wsBase: string;
  let tenant: TestTenant;
  let client: Cartesia;
  let tlsServer: tls.Server;
  let certDir: string;
  let cert: Buffer;

  const usageRows = (uuid: string) =>
    app.get(DataSource).query<
      Array<{
        endpoint: string;
        status: string;
        characters: number;
        bytes: string;
        audio_ms: number;
      }>
    >('SELECT * FROM usage_events WHERE tenant_id = $1 ORDER BY id', [uuid]);

  const bytes = async (output: Output | { container: 'mp3'; sample_rate: number }, c = client) => {
    const response = await c.tts.generate({
      model_id: 'sonic-2',
      transcript: TEXT,
      voice: { mode: 'id', id: 'naija_female' },
      output_format: output as never,
      language: 'en',
    });
    return {
      contentType: response.headers.get('content-type'),
      body: Buffer.from(await response.arrayBuffer()),
    };
  };

  beforeAll(async () => {
    app = await createTestApp({ ENGINE_POOL_SIZE: '2' });
    base = await listen(app);
    wsBase = base.replace(/^http/, 'ws');
    tenant = await createTenant(app);
    client = new Cartesia({ apiKey: tenant.key, baseURL: base, maxRetries: 0 });
    certDir = mkdtempSync(join(tmpdir(), 'cw-cartesia-tls-'));
    const credentials = selfSignedCertificate(certDir);
    cert = credentials.cert;
    tlsServer = await tlsTerminator(base, credentials);
  });

  afterAll(async () => {
    await new Promise((resolve) => tlsServer.close(resolve));
    await app.close();
    rmSync(certDir, { recursive: true, force: true });
  });

  describe('POST /tts/bytes', () => {
    it('streams WAV at the requested rate: speech, not silence', async () => {
      const { contentType, body } = await bytes({
        container: 'wav',
        encoding: 'pcm_s16le',
        sample_rate: 24000,
      });
      expect(contentType).toBe('audio/wav');
      const wav = parseWav(body);
      expect(wav).toMatchObject({ sampleRate: 24000, channels: 1, bitsPerSample: 16 });
      const duration = seconds(wav.samples[0].length, 24000);
      expect(duration).toBeGreaterThan(1.5);
      expect(duration).toBeLessThan(10);
      expect(rms(floatToInt16(wav.samples[0]))).toBeGreaterThan(0.01);
    });

    it('honours every encoding and rate: raw s16, f32, mu-law, a-law and float WAV', async () => {
      const reference = parseWav(
        (await bytes({ container: 'wav', encoding: 'pcm_s16le', sample_rate: 16000 })).body,
      );
      const expected = seconds(reference.samples[0].length, 16000);

      const s16 = await bytes(raw('pcm_s16le', 22050));
      expect(s16.contentType).toBe('application/octet-stream');
      expect(seconds(s16.body.length / 2, 22050)).toBeCloseTo(expected, 0);
      expect(rms(int16(s16.body))).toBeGreaterThan(0.01);

      const f32 = await bytes(raw('pcm_f32le', 44100));
      expect(f32.body.length % 4).toBe(0);
      const floats = float32(f32.body);
      expect(seconds(floats.length, 44100)).toBeCloseTo(expected, 0);
      expect(floats.every((v) => Math.abs(v) <= 1)).toBe(true);
      expect(rms(floatToInt16(floats))).toBeGreaterThan(0.01);

      const ulaw = await bytes(raw('pcm_mulaw', 8000));
      expect(seconds(ulaw.body.length, 8000)).toBeCloseTo(expected, 0);
      expect(rms(mulaw.decode(ulaw.body))).toBeGreaterThan(0.01);
      const alw = await bytes(raw('pcm_alaw', 8000));
      expect(rms(alaw.decode(alw.body))).toBeGreaterThan(0.01);

      const floatWav = parseWav(
        (await bytes({ container: 'wav', encoding: 'pcm_f32le', sample_rate: 8000 })).body,
      );
      expect(floatWav).toMatchObject({ format: WavFormatTag.Float, sampleRate: 8000 });
      expect(seconds(floatWav.samples[0].length, 8000)).toBeCloseTo(expected, 0);
    });

    it('answers mp3 as audio/mpeg', async () => {
      const mp3 = await bytes({ container: 'mp3', sample_rate: 24000 });
      expect(mp3.contentType).toBe('audio/mpeg');
      // An MPEG audio frame starts with 11 set sync bits.
      expect(mp3.body[0]).toBe(0xff);
      expect(mp3.body[1] & 0xe0).toBe(0xe0);
      expect(mp3.body.length).toBeGreaterThan(5000);
    });

    it('parses a JSON body sent with no Content-Type, as LiveKit does, with X-API-Key', async () => {
      const body = JSON.stringify({
        model_id: 'sonic-3',
        transcript: TEXT,
        voice: { mode: 'id', id: KATIE },
        output_format: raw('pcm_s16le', 16000),
        language: 'en',
        max_buffer_delay_ms: 0,
      });
      const { status, audio } = await new Promise<{ status: number; audio: Buffer }>(
        (resolve, reject) => {
          const req = http.request(`${base}/tts/bytes`, {
            method: 'POST',
            headers: { 'X-API-Key': tenant.key, 'Cartesia-Version': '2025-04-16' },
          });
          req.on('response', (res) => {
            const parts: Buffer[] = [];
            res.on('data', (d: Buffer) => parts.push(d));
            res.on('end', () => resolve({ status: res.statusCode!, audio: Buffer.concat(parts) }));
          });
          req.on('error', reject);
          req.write(body);
          req.end();
        },
      );
      expect(status).toBe(200);
      expect(seconds(audio.length / 2, 16000)).toBeGreaterThan(1.5);
      expect(rms(int16(audio))).toBeGreaterThan(0.01);
    });

    it('accepts the key as ?api_key= and ignores fields it does not define', async () => {
      const res = await request(app.getHttpServer())
        .post(`/tts/bytes?api_key=${tenant.key}&cartesia_version=2024-06-10`)
        .send({
          model_id: 'sonic-english',
          transcript: 'Hi.',
          voice: { mode: 'id', id: 'default', __experimental_controls: { speed: 'fast' } },
          output_format: { ...raw('pcm_s16le', 8000), extra: 1 },
          generation_config: { speed: 1.2, volume: 1, emotion: 'calm' },
          pronunciation_dict_id: null,
          enable_logging: true,
          speed: 'normal',
        })
        .expect(200);
      expect(res.headers['content-type']).toBe('application/octet-stream');
    });

    it('accepts vendor credentials on its own routes only', async () => {
      const res = await request(app.getHttpServer())
        .post('/v1/synthesize')
        .set('X-API-Key', tenant.key)
        .send({ text: 'Hi.' })
        .expect(401);
      expect(res.body).toMatchObject({ code: 'missing_authorization' });
    });

    it("answers errors in Cartesia's shape, which the SDK reports", async () => {
      const wrongKey = new Cartesia({ apiKey: 'cw_nope', baseURL: base, maxRetries: 0 });
      const auth = await failure(bytes(raw('pcm_s16le', 16000), wrongKey));
      expect(auth).toBeInstanceOf(AuthenticationError);
      expect(auth.error).toMatchObject({
        error_code: 'invalid_api_key',
        title: 'Unauthorized',
        message: 'Invalid API key',
      });
      expect(typeof (auth.error as { request_id: string }).request_id).toBe('string');

      const rate = await failure(bytes(raw('pcm_s16le', 48000)));
      expect(rate).toBeInstanceOf(BadRequestError);
      expect(rate.message).toContain(
        'sample_rate must be one of: 8000, 16000, 22050, 24000, 44100',
      );

      const telephony = await failure(bytes(raw('pcm_mulaw', 16000)));
      expect(telephony).toBeInstanceOf(BadRequestError);
      expect(telephony.error).toMatchObject({ error_code: 'unsupported_sample_rate' });

      const voice = await failure(
        client.tts.generate({
          model_id: 'sonic-2',
          transcript: TEXT,
          voice: { mode: 'id', id: 'no_such_voice' },
          output_format: raw('pcm_s16le', 16000),
        }),
      );
      expect(voice).toBeInstanceOf(NotFoundError);
      expect(voice.error).toMatchObject({ error_code: 'voice_not_found' });

      const embedding = await request(app.getHttpServer())
        .post('/tts/bytes')
        .set('X-API-Key', tenant.key)
        .send({
          transcript: TEXT,
          voice: { mode: 'embedding', embedding: [0.1, 0.2] },
          output_format: raw('pcm_s16le', 16000),
        })
        .expect(400);
      expect(embedding.body).toMatchObject({ error_code: 'validation_failed' });
      expect(embedding.body.message).toContain('embedding voices are not supported');

      const malformed = await request(app.getHttpServer())
        .post('/tts/bytes')
        .set('X-API-Key', tenant.key)
        .set('Content-Type', 'application/json')
        .send('{"transcript": ')
        .expect(400);
      expect(malformed.body).toMatchObject({ code: 'invalid_json' });
    });
  });

  describe('POST /tts/sse', () => {
    it('streams chunk, timestamps and done events the SDK parses', async () => {
      const stream = await client.tts.generateSSE({
        model_id: 'sonic-2',
        transcript: TEXT,
        voice: { mode: 'id', id: 'professional_male' },
        output_format: raw('pcm_s16le', 24000),
        add_timestamps: true,
        context_id: 'sse-1',
      });
      const events = [];
      for await (const event of stream) events.push(event);
      const chunks = events.filter((e) => e.type === 'chunk');
      expect(chunks.length).toBeGreaterThan(0);
      for (const chunk of chunks) {
        expect(chunk).toMatchObject({ done: false, status_code: 206, context_id: 'sse-1' });
        expect(typeof chunk.step_time).toBe('number');
      }
      const audio = Buffer.concat(chunks.map((c) => Buffer.from(c.data, 'base64')));
      expect(seconds(audio.length / 2, 24000)).toBeGreaterThan(1.5);
      expect(rms(int16(audio))).toBeGreaterThan(0.01);
      const words = events.flatMap((e) => (e.type === 'timestamps' ? e.word_timestamps.words : []));
      expect(words.join(' ')).toMatch(/Hello.*calling.*today/);
      expect(events.at(-1)).toEqual({
        type: 'done',
        done: true,
        status_code: 200,
        context_id: 'sse-1',
      });
    });
  });

  describe('GET /voices', () => {
    it('pages through the built-in voices with the SDK, and gets one', async () => {
      const ids: string[] = [];
      for await (const voice of client.voices.list({ limit: 2 })) ids.push(voice.id);
      expect(ids).toEqual(
        expect.arrayContaining([
          'default',
          'naija_female',
          'naija_male',
          'professional_female',
          'professional_male',
        ]),
      );
      expect(new Set(ids).size).toBe(ids.length);
      const voice = await client.voices.get('naija_female');
      expect(voice).toMatchObject({ id: 'naija_female', gender: 'feminine', is_owner: false });
    });
  });

  describe('WebSocket /tts/websocket', () => {
    const wsClient = () =>
      new Cartesia({ apiKey: tenant.key, baseURL: `https://127.0.0.1:${TLS_PORT}`, maxRetries: 0 });

    it('speaks a context whose transcript arrives in pieces, through the SDK over TLS', async () => {
      const ws = await wsClient().tts.websocket({ ca: cert });
      try {
        const context = ws.context({
          model_id: 'sonic-2',
          voice: { mode: 'id', id: KATIE },
          output_format: raw('pcm_s16le', 16000),
          add_timestamps: true,
        });
        await context.push({ transcript: 'Hello there, thank you for ' });
        await context.push({ transcript: 'calling. How can I ', flush: true });
        await context.push({ transcript: 'help you today?' });
        await context.no_more_inputs();
        const events = [];
        for await (const event of context.receive()) events.push(event);
        const types = events.map((e) => e.type);
        expect(types).toContain('chunk');
        expect(types).toContain('timestamps');
        expect(types.at(-1)).toBe('done');
        // The flush answers after the audio of what was sent before it, and before what follows.
        const flushAt = types.indexOf('flush_done');
        expect(flushAt).toBeGreaterThan(types.indexOf('chunk'));
        expect(types.slice(flushAt + 1)).toContain('chunk');
        const audio = Buffer.concat(
          events.flatMap((e) => (e.type === 'chunk' ? [Buffer.from(e.data, 'base64')] : [])),
        );
        expect(seconds(audio.length / 2, 16000)).toBeGreaterThan(2);
        expect(rms(int16(audio))).toBeGreaterThan(0.01);
        // One clock for the context: word times keep rising across its pieces.
        const starts = events.flatMap((e) =>
          e.type === 'timestamps' ? (e.word_timestamps?.start ?? []) : [],
        );
        const words = events.flatMap((e) =>
          e.type === 'timestamps' ? (e.word_timestamps?.words ?? []) : [],
        );
        expect(words.join(' ')).toMatch(/Hello.*calling.*today/);
        expect([...starts].sort((a, b) => a - b)).toEqual(starts);
        expect(starts.at(-1)).toBeLessThan(seconds(audio.length / 2, 16000));
      } finally {
        ws.close();
      }
    });

    it('a one-shot generate in f32 at 22050 Hz', async () => {
      const ws = await wsClient().tts.websocket({ ca: cert });
      try {
        const chunks: Buffer[] = [];
        for await (const event of ws.generate({
          model_id: 'sonic-2',
          transcript: TEXT,
          voice: { mode: 'id', id: 'naija_male' },
          output_format: raw('pcm_f32le', 22050),
          context_id: 'f32',
        })) {
          if (event.type === 'chunk') chunks.push(Buffer.from(event.data, 'base64'));
        }
        const floats = float32(Buffer.concat(chunks));
        expect(seconds(floats.length, 22050)).toBeGreaterThan(1.5);
        expect(rms(floatToInt16(floats))).toBeGreaterThan(0.01);
      } finally {
        ws.close();
      }
    });

    it("LiveKit's wire format (X-API-Key, ' ' with continue:false): every field present", async () => {
      const wire = await WireClient.open(`${wsBase}/tts/websocket`, {
        'X-API-Key': tenant.key,
        'Cartesia-Version': '2025-04-16',
      });
      const packet = {
        model_id: 'sonic-3',
        voice: { mode: 'id', id: KATIE },
        output_format: raw('pcm_s16le', 24000),
        language: 'en',
        max_buffer_delay_ms: 0,
        add_timestamps: true,
        context_id: 'lk-1',
      };
      wire.send({ ...packet, transcript: 'Hello, thank you for calling. ', continue: true });
      wire.send({ ...packet, transcript: 'Goodbye. ', continue: true });
      wire.send({ ...packet, transcript: ' ', continue: false });
      await wire.waitFor((m) => m.type === 'done' && m.context_id === 'lk-1');
      wire.send({
        ...packet,
        context_id: 'lk-2',
        transcript: 'Hi.',
        voice: { mode: 'id', id: 'nope' },
      });
      const error = await wire.waitFor((m) => m.type === 'error');
      expect(error).toMatchObject({
        context_id: 'lk-2',
        done: true,
        status_code: 404,
        error_code: 'voice_not_found',
      });
      for (const message of wire.messages) {
        for (const field of LIVEKIT_FIELDS[message.type]) expect(message).toHaveProperty(field);
      }
      expect(seconds(wire.audio('lk-1').length / 2, 24000)).toBeGreaterThan(1.5);
      await wire.close();
    });

    it('cancel is barge-in: nothing more of the context, the next one is spoken', async () => {
      const wire = await WireClient.open(`${wsBase}/tts/websocket?api_key=${tenant.key}`);
      const packet = {
        model_id: 'sonic-2',
        voice: { mode: 'id', id: 'default' },
        output_format: raw('pcm_s16le', 16000),
      };
      wire.send({ ...packet, context_id: 'long', transcript: LONG_TEXT, continue: false });
      await wire.waitFor((m) => m.type === 'chunk' && m.context_id === 'long');
      wire.send({ context_id: 'long', cancel: true });
      wire.send({ ...packet, context_id: 'next', transcript: 'Yes?', continue: false });
      await wire.waitFor((m) => m.type === 'done' && m.context_id === 'next');
      const index = (m: WireMessage) => wire.messages.indexOf(m);
      const lastLong = Math.max(...wire.of('long').map(index));
      expect(lastLong).toBeLessThan(Math.min(...wire.of('next').map(index)));
      expect(wire.of('long').map((m) => m.type)).not.toContain('done');
      // LONG_TEXT is minutes of speech; far less of it went out.
      expect(seconds(wire.audio('long').length / 2, 16000)).toBeLessThan(60);
      expect(rms(int16(wire.audio('next')))).toBeGreaterThan(0.01);
      await wire.close();
    });

    it('closes an open socket with 1008 once its key is revoked (periodic recheck)', async () => {
      const t = await createTenant(app);
      const wire = await WireClient.open(`${wsBase}/tts/websocket?api_key=${t.key}`);
      const closed = new Promise<number>((resolve) =>
        wire.ws.once('close', (code) => resolve(code)),
      );
      await app.get(ApiKeysService).revokeKey(t.keyId);
      await app.get(CartesiaGateway).recheckSessions();
      expect(await closed).toBe(1008);
      expect(wire.messages.at(-1)).toMatchObject({ type: 'error', done: true });
    });

    it('refuses a bad key before the handshake, in Cartesia’s shape', async () => {
      const refusal = await new Promise<{ status: number; body: string }>((resolve) => {
        const ws = new WebSocket(`${wsBase}/tts/websocket`, { headers: { 'X-API-Key': 'bad' } });
        ws.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += String(d)));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        });
        ws.on('error', () => undefined);
      });
      expect(refusal.status).toBe(401);
      expect(JSON.parse(refusal.body)).toMatchObject({
        error_code: 'invalid_api_key',
        title: 'Unauthorized',
      });
    });
  });

  it('meters every surface under its own usage endpoint', async () => {
    const own = await createTenant(app);
    const ownClient = new Cartesia({ apiKey: own.key, baseURL: base, maxRetries: 0 });
    await bytes(raw('pcm_s16le', 16000), ownClient);
    const sse = await ownClient.tts.generateSSE({
      model_id: 'sonic-2',
      transcript: 'Hi.',
      voice: { mode: 'id', id: 'default' },
      output_format: raw('pcm_s16le', 16000),
    });
    for await (const event of sse) expect(event.type).not.toBe('error');
    const wire = await WireClient.open(`${wsBase}/tts/websocket`, bearer(own.key));
    wire.send({
      context_id: 'c',
      transcript: 'Hi there.',
      voice: { mode: 'id', id: 'default' },
      output_format: raw('pcm_s16le', 16000),
    });
    await wire.waitFor((m) => m.type === 'done');
    await wire.close();
    await waitUntil(async () => (await usageRows(own.uuid)).length === 3);
    const rows = await usageRows(own.uuid);
    expect(rows.map((r) => [r.endpoint, r.status])).toEqual([
      ['cartesia/tts/bytes', 'completed'],
      ['cartesia/tts/sse', 'completed'],
      ['cartesia/tts/websocket', 'completed'],
    ]);
    expect(rows.map((r) => Number(r.characters))).toEqual([TEXT.length, 3, 9]);
    for (const row of rows) {
      expect(Number(row.bytes)).toBeGreaterThan(0);
      expect(row.audio_ms).toBeGreaterThan(300);
    }
  });
});
