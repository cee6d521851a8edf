import { DeepgramClient, DeepgramError } from '@deepgram/sdk';
import { NestExpressApplication } from '@nestjs/platform-express';
import { alaw, mulaw } from 'alawmulaw';
import { DataSource } from 'typeorm';
import WebSocket from 'ws';
import { parseWav, rms, WavFormatTag } from '@cw/audio';
import { TTS_ENGINE, type TtsEngine } from '@cw/engines';
import { UsageRecorder } from '../apps/api/src/usage/usage.recorder';
import { LONG_TEXT, listen } from './helpers/audio-client';
import { waitUntil } from './helpers/engine-watch';
import { createTenant, createTestApp, TestTenant } from './helpers/test-app';

const TEXT = 'Hello, thank you for calling. Your balance is ₦5,000.';

type SpeakArgs = Parameters<DeepgramClient['speak']['v1']['audio']['generate']>[0];

const int16 = (floats: Float32Array) => Int16Array.from(floats, (f) => Math.round(f * 32767));
const pcm16 = (bytes: Buffer) =>
  new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));

/** The SDK's error for a call expected to fail. */
async function failure(promise: Promise<unknown>): Promise<DeepgramError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DeepgramError) return err;
    throw err;
  }
  throw new Error('the request succeeded');
}

/** What a Deepgram socket received, in order: JSON messages and binary audio. */
type Received = { json: Record<string, unknown> } | { audio: Buffer };

describe('Deepgram-compatible /v1/speak, through the official SDK', () => {
  let app: NestExpressApplication;
  let base: string;
  let wsBase: string;
  let tenant: TestTenant;
  let client: DeepgramClient;

  const clientFor = (key: string) =>
    new DeepgramClient({
      apiKey: key,
      maxRetries: 0,
      environment: { base, production: wsBase, agent: wsBase, agentRest: base },
    });
  const generate = async (args: Partial<SpeakArgs>, c = client) => {
    const { data, rawResponse } = await c.speak.v1.audio
      .generate({ text: TEXT, ...args })
      .withRawResponse();
    return { body: Buffer.from(await data.arrayBuffer()), headers: rawResponse.headers };
  };
  const rows = async (t: TestTenant) => {
    await app.get(UsageRecorder).flush();
    return app
      .get(DataSource)
      .query<Record<string, unknown>[]>(
        'SELECT * FROM usage_events WHERE tenant_id = $1 ORDER BY id',
        [t.uuid],
      );
  };

  beforeAll(async () => {
    app = await createTestApp({ SCHEDULER_LEAD_MS: '3600000', ENGINE_POOL_SIZE: '2' });
    base = await listen(app);
    wsBase = base.replace(/^http/, 'ws');
    tenant = await createTenant(app);
    client = clientFor(tenant.key);
  });
  afterAll(async () => {
    await app.close();
  });
  afterEach(() => jest.restoreAllMocks());

  describe('POST /v1/speak', () => {
    it('linear16 without container: raw 16 kHz samples of speech', async () => {
      const { body, headers } = await generate({
        model: 'aura-2-thalia-en',
        encoding: 'linear16',
        sample_rate: 16000,
        container: 'none',
      });
      expect(headers.get('content-type')).toBe('audio/L16;rate=16000');
      expect(headers.get('dg-model-name')).toBe('aura-2-thalia-en');
      expect(headers.get('dg-char-count')).toBe(String(TEXT.length));
      expect(headers.get('dg-request-id')).toBe(headers.get('x-request-id'));
      expect(headers.get('x-voice-id')).toBe('default');
      const seconds = body.length / 2 / 16000;
      expect(seconds).toBeGreaterThan(1.5);
      expect(seconds).toBeLessThan(15);
      expect(rms(pcm16(body))).toBeGreaterThan(0.01);
    });

    it('linear16 defaults to a 24 kHz WAV, as Deepgram does', async () => {
      const { body, headers } = await generate({ encoding: 'linear16' });
      expect(headers.get('content-type')).toBe('audio/wav');
      const wav = parseWav(body);
      expect(wav).toMatchObject({ sampleRate: 24000, channels: 1, bitsPerSample: 16 });
      expect(wav.samples[0].length / 24000).toBeGreaterThan(1.5);
      expect(rms(int16(wav.samples[0]))).toBeGreaterThan(0.01);
    });

    it.each([
      ['mulaw', WavFormatTag.Mulaw, mulaw],
      ['alaw', WavFormatTag.Alaw, alaw],
    ] as const)(
      '%s: an 8 kHz G.711 WAV by default, raw with container none',
      async (encoding, tag, codec) => {
        const { body, headers } = await generate({ encoding });
        expect(headers.get('content-type')).toBe('audio/wav');
        const wav = parseWav(body);
        expect(wav).toMatchObject({ sampleRate: 8000, channels: 1, bitsPerSample: 8, format: tag });
        expect(wav.samples[0].length / 8000).toBeGreaterThan(1.5);
        expect(rms(int16(wav.samples[0]))).toBeGreaterThan(0.01);

        const raw = await generate({ encoding, container: 'none' });
        expect(raw.headers.get('x-audio-sample-rate')).toBe('8000');
        expect(raw.body.length / 8000).toBeGreaterThan(1.5);
        expect(rms(codec.decode(raw.body))).toBeGreaterThan(0.01);
      },
    );

    it('mp3 is the default: MPEG-2 layer III at 22050 Hz', async () => {
      const { body, headers } = await generate({});
      expect(headers.get('content-type')).toBe('audio/mpeg');
      expect(body[0]).toBe(0xff);
      expect(body[1] & 0xe0).toBe(0xe0);
      expect((body[1] >> 3) & 0b11).toBe(0b10); // MPEG-2
      expect((body[2] >> 2) & 0b11).toBe(0b00); // MPEG-2 sample-rate index 0: 22050 Hz
      expect(body.length).toBeGreaterThan(2000);
    });

    it('model names our voice, or a Deepgram Aura voice through the table', async () => {
      const cases: [string, string][] = [
        ['naija_female', 'naija_female'],
        ['aura-asteria-en', 'default'],
        ['aura-2-draco-en', 'professional_male'],
        ['aura-2-andromeda-en', 'naija_female'],
        ['aura-luna-en', 'naija_female'],
      ];
      for (const [model, voice] of cases) {
        const { headers } = await generate({ model, encoding: 'linear16', container: 'none' });
        expect(headers.get('x-voice-id')).toBe(voice);
      }
    });

    it('accepts fields and parameters it does not use, and Bearer as well as Token', async () => {
      const res = await fetch(
        `${base}/v1/speak?model=naija_male&encoding=linear16&container=none&sample_rate=8000&mip_opt_out=true&tag=a&bit_rate=48000`,
        {
          method: 'POST',
          headers: { Authorization: `Bearer ${tenant.key}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ text: TEXT, voice_settings: {}, extra: 1 }),
        },
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('x-voice-id')).toBe('naija_male');
      expect((await res.arrayBuffer()).byteLength / 2 / 8000).toBeGreaterThan(1.5);
    });

    it('writes one usage row under deepgram/speak', async () => {
      const t = await createTenant(app);
      const { body } = await generate(
        { encoding: 'linear16', container: 'none', model: 'aura-2-helena-en' },
        clientFor(t.key),
      );
      const [row, ...more] = await rows(t);
      expect(more).toHaveLength(0);
      expect(row).toMatchObject({
        endpoint: 'deepgram/speak',
        status: 'completed',
        streaming: true,
        error_code: null,
        voice_id: 'professional_female',
        characters: TEXT.length,
        api_key_id: t.keyId,
      });
      expect(Number(row.bytes)).toBe(body.length);
    });

    it('refuses a quota that is used up, before the engine runs, in Deepgram shape', async () => {
      const t = await createTenant(app, { monthly_quota_seconds: 1 });
      const c = clientFor(t.key);
      await generate({ encoding: 'linear16', container: 'none' }, c);
      const spy = jest.spyOn(app.get<TtsEngine>(TTS_ENGINE), 'synthesize');
      const err = await failure(generate({}, c));
      expect(err.statusCode).toBe(429);
      expect(err.body).toMatchObject({ err_code: 'quota_exceeded' });
      expect(spy).not.toHaveBeenCalled();
    });
  });

  describe('POST /v1/speak errors, in Deepgram shape', () => {
    it.each([
      [{ encoding: 'opus' }, 'unsupported_value', /opus/],
      [{ encoding: 'linear16', sample_rate: 48000 }, 'unsupported_value', /8000, 16000/],
      [{ encoding: 'mulaw', sample_rate: 16000 }, 'unsupported_value', /8000/],
      [{ encoding: 'mp3', container: 'wav' }, 'unsupported_value', /container/],
      [{ model: 'aura-2-celeste-es' }, 'unsupported_value', /no counterpart/],
      [{ model: 'no_such_voice' }, 'voice_not_found', /no_such_voice/],
      [{ text: '   ' }, 'empty_text', /empty/],
    ] as [Partial<SpeakArgs>, string, RegExp][])('%j → %s', async (args, code, message) => {
      const spy = jest.spyOn(app.get<TtsEngine>(TTS_ENGINE), 'synthesize');
      const err = await failure(generate(args));
      expect(err.statusCode).toBe(code === 'voice_not_found' ? 404 : 400);
      expect(Object.keys(err.body as object).sort()).toEqual(['err_code', 'err_msg', 'request_id']);
      expect(err.body).toMatchObject({ err_code: code, err_msg: expect.stringMatching(message) });
      expect(spy).not.toHaveBeenCalled();
    });

    it('a bad key is 401, a missing header 401, in Deepgram shape', async () => {
      const err = await failure(generate({}, clientFor('cw_live_not_a_real_key')));
      expect(err.statusCode).toBe(401);
      expect(err.body).toMatchObject({ err_code: 'invalid_api_key' });
      const missing = await fetch(`${base}/v1/speak`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ text: TEXT }),
      });
      expect(missing.status).toBe(401);
      expect(await missing.json()).toMatchObject({ err_code: 'missing_authorization' });
    });

    it('a body without text is 400', async () => {
      const res = await fetch(`${base}/v1/speak`, {
        method: 'POST',
        headers: { Authorization: `Token ${tenant.key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ input: TEXT }),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ err_code: 'invalid_value' });
    });

    it('our own routes still take Bearer only', async () => {
      const res = await fetch(`${base}/v1/synthesize`, {
        method: 'POST',
        headers: { Authorization: `Token ${tenant.key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ text: TEXT }),
      });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'invalid_authorization_format' });
    });
  });

  describe('WebSocket /v1/speak', () => {
    /** Opens the SDK's socket and records everything it receives. */
    async function open(args: Record<string, unknown>, c = client) {
      const socket = await c.speak.v1.connect({ reconnectAttempts: 0, ...args });
      const received: Received[] = [];
      const pending: Promise<void>[] = [];
      socket.on('message', (message: unknown) => {
        if (message instanceof Blob) {
          const slot = received.length;
          received.push({ audio: Buffer.alloc(0) });
          pending.push(
            message.arrayBuffer().then((b) => {
              received[slot] = { audio: Buffer.from(b) };
            }),
          );
        } else {
          received.push({ json: message as Record<string, unknown> });
        }
      });
      const closed = new Promise<number>((resolve) => socket.on('close', (e) => resolve(e.code)));
      socket.connect();
      await socket.waitForOpen();
      const settled = async () => {
        await Promise.all(pending);
        return received;
      };
      const jsonOf = (type: string) =>
        received.flatMap((r) => ('json' in r && r.json.type === type ? [r.json] : []));
      return { socket, received, settled, closed, jsonOf };
    }
    const audioOf = (items: Received[]) =>
      Buffer.concat(items.flatMap((r) => ('audio' in r ? [r.audio] : [])));

    it('Speak + Flush: Metadata, raw audio at the asked rate, then Flushed; Close ends it', async () => {
      const t = await createTenant(app);
      const s = await open(
        { model: 'aura-2-thalia-en', encoding: 'linear16', sample_rate: 16000 },
        clientFor(t.key),
      );
      s.socket.sendText({ type: 'Speak', text: 'Hello there, and welcome. ' });
      s.socket.sendText({ type: 'Speak', text: 'How can I help you today?' });
      s.socket.sendFlush({ type: 'Flush' });
      await waitUntil(async () => s.jsonOf('Flushed').length === 1);
      const received = await s.settled();
      expect(received[0]).toEqual({
        json: expect.objectContaining({
          type: 'Metadata',
          request_id: expect.any(String),
          model_name: 'aura-2-thalia-en',
        }),
      });
      expect(received[received.length - 1]).toEqual({ json: { type: 'Flushed', sequence_id: 0 } });
      const audio = audioOf(received);
      expect(audio.length / 2 / 16000).toBeGreaterThan(1.5);
      expect(rms(pcm16(audio))).toBeGreaterThan(0.01);

      s.socket.sendText({ type: 'Speak', text: 'One more thing.' });
      s.socket.sendFlush({ type: 'Flush' });
      await waitUntil(async () => s.jsonOf('Flushed').length === 2);
      expect(s.jsonOf('Flushed')[1]).toEqual({ type: 'Flushed', sequence_id: 1 });

      s.socket.sendClose({ type: 'Close' });
      expect(await s.closed).toBe(1000);
      await waitUntil(async () => (await rows(t)).length === 1);
      const [row] = await rows(t);
      expect(row).toMatchObject({
        endpoint: 'deepgram/speak/ws',
        status: 'completed',
        streaming: true,
        voice_id: 'default',
      });
      const bytes = audioOf(await s.settled()).length;
      expect(Number(row.bytes)).toBe(bytes);
      // 16-bit samples at 16 kHz: 32 bytes a millisecond.
      expect(row.audio_ms).toBe(Math.round(bytes / 32));
    });

    it('mulaw at 8 kHz, our voice id as model', async () => {
      const s = await open({ model: 'naija_female', encoding: 'mulaw', sample_rate: 8000 });
      s.socket.sendText({ type: 'Speak', text: TEXT });
      s.socket.sendFlush({ type: 'Flush' });
      await waitUntil(async () => s.jsonOf('Flushed').length === 1);
      const audio = audioOf(await s.settled());
      expect(audio.length / 8000).toBeGreaterThan(1.5);
      expect(rms(mulaw.decode(audio))).toBeGreaterThan(0.01);
      s.socket.close();
    });

    it('Clear is barge-in: Cleared, no audio of the cleared text after it, then new text speaks', async () => {
      const s = await open({ encoding: 'linear16', sample_rate: 16000 });
      s.socket.sendText({ type: 'Speak', text: LONG_TEXT });
      await waitUntil(async () => (await s.settled()).some((r) => 'audio' in r));
      s.socket.sendClear({ type: 'Clear' });
      await waitUntil(async () => s.jsonOf('Cleared').length === 1);
      expect(s.jsonOf('Cleared')[0]).toEqual({ type: 'Cleared', sequence_id: 0 });
      const clearedAt = (await s.settled()).length;
      const beforeClear = audioOf(s.received.slice(0, clearedAt));
      // Minutes of text were cut off after a few sentences.
      expect(beforeClear.length / 2 / 16000).toBeLessThan(60);

      s.socket.sendText({ type: 'Speak', text: 'Sorry, go ahead.' });
      s.socket.sendFlush({ type: 'Flush' });
      await waitUntil(async () => s.jsonOf('Flushed').length === 1);
      const after = audioOf((await s.settled()).slice(clearedAt));
      // Only the short reply: a second or two, not the rest of the long text.
      expect(after.length / 2 / 16000).toBeGreaterThan(0.3);
      expect(after.length / 2 / 16000).toBeLessThan(5);
      expect(rms(pcm16(after))).toBeGreaterThan(0.01);
      s.socket.close();
    });

    it('a bad message gets a Warning and the session goes on', async () => {
      const s = await open({});
      s.socket.sendText({ type: 'Shout', text: 'x' } as never);
      await waitUntil(async () => s.jsonOf('Warning').length === 1);
      expect(s.jsonOf('Warning')[0]).toMatchObject({
        type: 'Warning',
        code: 'unknown_message_type',
        description: expect.stringContaining('Speak, Flush, Clear or Close'),
      });
      s.socket.sendText({ type: 'Speak', text: 'Still here.' });
      s.socket.sendFlush({ type: 'Flush' });
      await waitUntil(async () => s.jsonOf('Flushed').length === 1);
      expect(audioOf(await s.settled()).length).toBeGreaterThan(0);
      s.socket.close();
    });

    /** The upgrade answer, read with `ws` (the SDK hides refused handshakes behind retries). */
    const refusal = (query: string, headers: Record<string, string>) =>
      new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
        const ws = new WebSocket(`${wsBase}/v1/speak${query}`, { headers });
        ws.on('open', () => reject(new Error('upgrade accepted')));
        ws.on('error', () => undefined);
        ws.on('unexpected-response', (_req, res) => {
          const parts: Buffer[] = [];
          res.on('data', (d: Buffer) => parts.push(d));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(Buffer.concat(parts).toString()) as Record<string, unknown>,
            }),
          );
        });
      });

    it('refuses before the handshake, in Deepgram shape, costing no quota or usage row', async () => {
      const t = await createTenant(app);
      const token = { Authorization: `Token ${t.key}` };
      expect(await refusal('', { Authorization: 'Token cw_live_nope' })).toMatchObject({
        status: 401,
        body: { err_code: 'invalid_api_key' },
      });
      expect(await refusal('?model=no_such_voice', token)).toMatchObject({
        status: 404,
        body: { err_code: 'voice_not_found' },
      });
      expect(await refusal('?encoding=mp3', token)).toMatchObject({
        status: 400,
        body: { err_code: 'unsupported_value' },
      });
      expect(await refusal('?container=wav', token)).toMatchObject({
        status: 400,
        body: { err_code: 'unsupported_value', err_msg: expect.stringContaining('none') },
      });
      expect(await rows(t)).toHaveLength(0);
    });

    it('holds a concurrency slot shared with REST', async () => {
      const t = await createTenant(app, { max_concurrent_streams: 1 });
      const s = await open({}, clientFor(t.key));
      const err = await failure(generate({}, clientFor(t.key)));
      expect(err.statusCode).toBe(429);
      expect(err.body).toMatchObject({ err_code: 'too_many_concurrent_requests' });
      s.socket.close();
      await waitUntil(async () => (await rows(t)).some((r) => r.status === 'cancelled'));
      const { body } = await generate(
        { encoding: 'linear16', container: 'none' },
        clientFor(t.key),
      );
      expect(body.length).toBeGreaterThan(0);
    });
  });
});
