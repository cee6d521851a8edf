import { NestExpressApplication } from '@nestjs/platform-express';
import { RealtimeGateway } from '../apps/api/src/realtime/realtime.gateway';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DataSource } from 'typeorm';
import { EngineError, EngineErrorCode, TTS_ENGINE, type TtsEngine } from '@cw/engines';
import WebSocket from 'ws';
import { UsageRecorder } from '../apps/api/src/usage/usage.recorder';
import { LONG_TEXT, listen } from './helpers/audio-client';
import { createTenant, createTestApp, TestTenant } from './helpers/test-app';

/** Twenty words, with a clause boundary early on, as an LLM would stream it. */
const SENTENCE =
  'Thank you for calling the clinic today, I can help you book an appointment with a doctor later this week.';

interface Frame {
  at: number;
  binary: boolean;
  data: Buffer;
  json?: Record<string, unknown>;
}

interface Client {
  ws: WebSocket;
  frames: Frame[];
  send(message: unknown): void;
  /** Resolves with the first frame (from `from` on) that matches. */
  next(match: (f: Frame) => boolean, from?: number): Promise<Frame>;
  closed: Promise<{ code: number; reason: string }>;
}

const isAudio = (f: Frame) => f.binary;
const ofType = (type: string) => (f: Frame) => f.json?.type === type;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function wsUrl(base: string, query = ''): string {
  return `${base.replace(/^http/, 'ws')}/v1/synthesize/ws${query}`;
}

function connect(
  url: string,
  headers: Record<string, string> = {},
  protocols: string[] = [],
): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { headers });
    const frames: Frame[] = [];
    const waiters: Array<() => void> = [];
    ws.on('message', (data: Buffer, binary) => {
      const frame: Frame = { at: performance.now(), binary, data };
      if (!binary) frame.json = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
      frames.push(frame);
      for (const wake of waiters.splice(0)) wake();
    });
    const closed = new Promise<{ code: number; reason: string }>((res) =>
      ws.on('close', (code, reason) => {
        res({ code, reason: reason.toString() });
        for (const wake of waiters.splice(0)) wake();
      }),
    );
    const client: Client = {
      ws,
      frames,
      closed,
      send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
      next: (match, from = 0) =>
        new Promise((res, rej) => {
          const timer = setTimeout(() => rej(new Error('timed out waiting for a frame')), 20_000);
          const check = () => {
            const found = frames.slice(from).find(match);
            if (found) {
              clearTimeout(timer);
              res(found);
            } else if (ws.readyState === WebSocket.CLOSED) {
              clearTimeout(timer);
              rej(new Error('socket closed while waiting for a frame'));
            } else waiters.push(check);
          };
          check();
        }),
    };
    ws.once('open', () => resolve(client));
    ws.once('error', reject);
  });
}

/** Connects expecting a refused upgrade; resolves with the HTTP status, headers and body. */
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

/** Sends one word per message; returns when the first and the last were sent. */
async function sendWordByWord(
  client: Client,
  text: string,
  delayMs = 15,
): Promise<{ first: number; last: number; sentAt: number[] }> {
  const words = text.split(' ');
  const sentAt: number[] = [];
  for (const [i, word] of words.entries()) {
    if (i > 0) await sleep(delayMs);
    sentAt.push(performance.now());
    client.send({ type: 'text', text: i === 0 ? word : ` ${word}` });
  }
  return { first: sentAt[0], last: sentAt[sentAt.length - 1], sentAt };
}

/**
 * The word whose arrival releases SENTENCE's first piece: the splitter cuts a first sentence
 * longer than 80 characters at its last clause boundary once more than 80 are buffered.
 */
const RELEASING_WORD = SENTENCE.split(' ').findIndex(
  (_, i, words) => words.slice(0, i + 1).join(' ').length > 80,
);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** When the last audio frame before frame `index` arrived. */
const lastAudioBefore = (client: Client, index: number) =>
  client.frames.slice(0, index).filter(isAudio).pop()!.at;

const audioBytes = (frames: Frame[]) =>
  frames.filter(isAudio).reduce((n, f) => n + f.data.length, 0);

describe('realtime synthesis over WebSocket', () => {
  let app: NestExpressApplication;
  let base: string;
  let tenant: TestTenant;
  const auth = (t: TestTenant = tenant) => ({ Authorization: `Bearer ${t.key}` });
  /** clear sent → last audio frame received (negative: nothing arrived after the clear). */
  const clearSamples: number[] = [];

  beforeAll(async () => {
    app = await createTestApp({ ENGINE_POOL_SIZE: '2' });
    base = await listen(app);
    tenant = await createTenant(app);
  });
  afterAll(() => app.close());

  it('speaks text that arrives word by word before close, with alignment on the session clock', async () => {
    const client = await connect(wsUrl(base), auth());
    await sendWordByWord(client, SENTENCE);
    await client.next(isAudio);
    expect(client.frames.some(ofType('done'))).toBe(false);
    client.send({ type: 'close' });
    await client.next(ofType('done'));
    expect((await client.closed).code).toBe(1000);
    const words = client.frames
      .filter(ofType('alignment'))
      .flatMap((f) => f.json!.words as Array<{ word: string; start_ms: number; end_ms: number }>);
    expect(words.length).toBeGreaterThan(10);
    for (let i = 1; i < words.length; i++) {
      expect(words[i].start_ms).toBeGreaterThanOrEqual(words[i - 1].start_ms);
    }
    // Default output: 16 kHz 16-bit PCM; the last word ends within the audio sent.
    const audioMs = audioBytes(client.frames) / 2 / 16;
    expect(words[words.length - 1].end_ms).toBeLessThanOrEqual(audioMs + 1);
    expect(audioBytes(client.frames) % 2).toBe(0);
  });

  it('flush speaks buffered text that has no boundary yet', async () => {
    const client = await connect(wsUrl(base), auth());
    client.send({ type: 'text', text: 'Please hold while I check' });
    await sleep(300);
    expect(client.frames.filter(isAudio)).toHaveLength(0);
    client.send({ type: 'flush' });
    await client.next(isAudio);
    client.send({ type: 'close' });
    expect((await client.closed).code).toBe(1000);
  });

  it('clear stops audio at once: nothing of the cleared text after cleared, new text speaks', async () => {
    const client = await connect(wsUrl(base), auth());
    client.send({ type: 'text', text: LONG_TEXT });
    client.send({ type: 'flush' });
    await client.next(isAudio);
    const clearAt = performance.now();
    client.send({ type: 'clear' });
    const cleared = await client.next(ofType('cleared'));
    const clearedIndex = client.frames.indexOf(cleared);
    clearSamples.push(lastAudioBefore(client, clearedIndex) - clearAt);
    await sleep(500);
    expect(client.frames.slice(clearedIndex).filter(isAudio)).toHaveLength(0);
    const from = client.frames.length;
    client.send({ type: 'text', text: 'Sorry, go ahead. ' });
    await client.next(isAudio, from);
    client.send({ type: 'close' });
    await client.next(ofType('done'));
    // Much less than the long text's minutes of audio went out.
    expect(audioBytes(client.frames)).toBeLessThan(16000 * 2 * 60);
  });

  it('close finishes buffered text, sends done and closes with 1000; a WAV stream has one header', async () => {
    const client = await connect(wsUrl(base), auth());
    client.send({ type: 'config', format: 'wav', sample_rate: 22050, voice_id: 'naija_male' });
    client.send({ type: 'text', text: 'Your appointment is confirmed. ' });
    client.send({ type: 'text', text: 'We will send a reminder the day before' });
    client.send({ type: 'close' });
    const done = await client.next(ofType('done'));
    expect((await client.closed).code).toBe(1000);
    const audio = Buffer.concat(client.frames.filter(isAudio).map((f) => f.data));
    expect(audio.subarray(0, 4).toString()).toBe('RIFF');
    expect(audio.readUInt32LE(24)).toBe(22050);
    expect(audio.indexOf('RIFF', 4)).toBe(-1);
    // done is the last frame: every audio frame came before it.
    expect(client.frames[client.frames.length - 1]).toBe(done);
    expect(client.frames.filter(ofType('error'))).toHaveLength(0);
  });

  describe('Twilio output', () => {
    const streamSid = () => `MZ${randomBytes(16).toString('hex')}`;

    it('sends Media Streams messages: whole 160-byte mu-law frames, a mark per utterance, clear', async () => {
      const sid = streamSid();
      const client = await connect(wsUrl(base, `?output=twilio&stream_sid=${sid}`), auth());
      client.send({ type: 'text', text: 'Thank you for calling. How can I help you today?' });
      client.send({ type: 'flush' });
      await client.next((f) => (f.json?.mark as { name?: string })?.name === 'u2');
      expect(client.frames.filter(isAudio)).toHaveLength(0);
      const media = client.frames.filter((f) => f.json?.event === 'media');
      const sizes: number[] = [];
      for (const f of media) {
        expect(Object.keys(f.json!).sort()).toEqual(['event', 'media', 'streamSid']);
        expect(f.json!.streamSid).toBe(sid);
        const payload = (f.json!.media as { payload: string }).payload;
        expect(Object.keys(f.json!.media as object)).toEqual(['payload']);
        expect(payload).toMatch(/^[A-Za-z0-9+/]+=*$/);
        sizes.push(Buffer.from(payload, 'base64').length);
      }
      // Whole 20 ms frames, as many as the engine had ready, at most 1 s a message.
      expect(sizes.every((n) => n > 0 && n % 160 === 0 && n <= 8_000)).toBe(true);
      expect(Math.max(...sizes)).toBeGreaterThan(160);
      // Two sentences: more than two seconds of audio in all.
      expect(sizes.reduce((a, b) => a + b, 0)).toBeGreaterThan(16_000);
      const marks = client.frames.filter((f) => f.json?.event === 'mark');
      expect(marks.map((f) => f.json)).toEqual([
        { event: 'mark', streamSid: sid, mark: { name: 'u1' } },
        { event: 'mark', streamSid: sid, mark: { name: 'u2' } },
      ]);
      // Each mark follows its utterance's audio: media before u1, and between u1 and u2.
      const u1 = client.frames.indexOf(marks[0]);
      const u2 = client.frames.indexOf(marks[1]);
      expect(client.frames.slice(0, u1).some((f) => f.json?.event === 'media')).toBe(true);
      expect(client.frames.slice(u1, u2).some((f) => f.json?.event === 'media')).toBe(true);

      const from = client.frames.length;
      client.send({ type: 'text', text: LONG_TEXT });
      client.send({ type: 'flush' });
      await client.next((f) => f.json?.event === 'media', from);
      client.send({ type: 'clear' });
      const cleared = await client.next(ofType('cleared'), from);
      const at = client.frames.indexOf(cleared);
      expect(client.frames[at - 1].json).toEqual({ event: 'clear', streamSid: sid });
      await sleep(300);
      expect(client.frames.slice(at).filter((f) => f.json?.event === 'media')).toHaveLength(0);
      client.send({ type: 'close' });
      expect((await client.closed).code).toBe(1000);
    });

    it('with media_ms=20 sends one 160-byte frame a message', async () => {
      const sid = streamSid();
      const client = await connect(
        wsUrl(base, `?output=twilio&stream_sid=${sid}&media_ms=20`),
        auth(),
      );
      client.send({ type: 'text', text: 'Thank you for calling.' });
      client.send({ type: 'close' });
      expect((await client.closed).code).toBe(1000);
      const media = client.frames.filter((f) => f.json?.event === 'media');
      expect(media.length).toBeGreaterThan(20);
      const sizes = new Set(
        media.map(
          (f) => Buffer.from((f.json!.media as { payload: string }).payload, 'base64').length,
        ),
      );
      expect([...sizes]).toEqual([160]);
    });

    it.each(['0', '30', '1020', 'abc', '-20'])('refuses media_ms=%s with 400', async (value) => {
      const res = await refused(
        wsUrl(base, `?output=twilio&stream_sid=${streamSid()}&media_ms=${value}`),
        auth(),
      );
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'bad_request' });
      expect(String(res.body.message)).toContain('media_ms must be a multiple of 20');
    });

    it('refuses output=twilio without a stream_sid with 400', async () => {
      const res = await refused(wsUrl(base, '?output=twilio'), auth());
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'bad_request' });
    });
  });

  describe('admission', () => {
    it('refuses the upgrade without credentials (401, our error body)', async () => {
      const res = await refused(wsUrl(base));
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({
        statusCode: 401,
        code: 'missing_authorization',
        message: 'Authorization header required',
      });
      expect(res.headers['x-request-id']).toBeTruthy();
    });

    it('refuses an upgrade to a path no WebSocket surface serves (404, our error body)', async () => {
      const res = await refused(base.replace('http', 'ws') + '/v1/no-such-socket');
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 'not_found' });
    });

    it('refuses a bad key with 401', async () => {
      const res = await refused(wsUrl(base), { Authorization: 'Bearer cw_nope_000000' });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: 'invalid_api_key', message: 'Invalid API key' });
      const viaQuery = await refused(wsUrl(base, '?api_key=cw_nope_000000'));
      expect(viaQuery.status).toBe(401);
    });

    it('accepts ?api_key= for clients that cannot set headers', async () => {
      const client = await connect(wsUrl(base, `?api_key=${encodeURIComponent(tenant.key)}`));
      client.send({ type: 'text', text: 'Hello. ' });
      await client.next(isAudio);
      client.send({ type: 'close' });
      expect((await client.closed).code).toBe(1000);
    });

    it('accepts the key as a bearer.<key> subprotocol (browsers), answering callwaiting.v1 only', async () => {
      const client = await connect(wsUrl(base), {}, ['callwaiting.v1', `bearer.${tenant.key}`]);
      expect(client.ws.protocol).toBe('callwaiting.v1');
      client.send({ type: 'text', text: 'Hello. ' });
      await client.next(isAudio);
      client.send({ type: 'close' });
      expect((await client.closed).code).toBe(1000);

      const refusedKey = await refused(wsUrl(base), {
        'Sec-WebSocket-Protocol': 'callwaiting.v1, bearer.cw_nope_000000',
      });
      expect(refusedKey.status).toBe(401);
    });

    it('counts the connection against the tenant rate limit (second connection → 429)', async () => {
      const limited = await createTenant(app, { rate_limit_per_minute: 1 });
      const first = await connect(wsUrl(base), auth(limited));
      first.send({ type: 'close' });
      await first.closed;
      const res = await refused(wsUrl(base), auth(limited));
      expect(res.status).toBe(429);
      expect(res.body).toMatchObject({ code: 'rate_limit_exceeded' });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('holds one concurrency slot per session', async () => {
      const single = await createTenant(app, { max_concurrent_streams: 1 });
      const first = await connect(wsUrl(base), auth(single));
      const res = await refused(wsUrl(base), auth(single));
      expect(res.status).toBe(429);
      expect(res.body).toMatchObject({ code: 'too_many_concurrent_requests' });
      first.send({ type: 'close' });
      await first.closed;
      const again = await connect(wsUrl(base), auth(single));
      again.ws.close();
      await again.closed;
    });
  });

  it('terminates a socket that stops answering pings, and its slot is released', async () => {
    const single = await createTenant(app, { max_concurrent_streams: 1 });
    const gateway = app.get(RealtimeGateway);
    const healthy = await connect(wsUrl(base), auth());
    const silent = new WebSocket(wsUrl(base), { headers: auth(single), autoPong: false });
    await new Promise((resolve, reject) => {
      silent.once('open', resolve);
      silent.once('error', reject);
    });
    const silentClosed = new Promise((resolve) => silent.once('close', resolve));
    const pinged = new Promise((resolve) => healthy.ws.once('ping', resolve));
    gateway.checkHeartbeats();
    await pinged;
    // Let the healthy client's automatic pong reach the server before the next round.
    await sleep(200);
    gateway.checkHeartbeats();
    await silentClosed;
    expect(healthy.ws.readyState).toBe(WebSocket.OPEN);
    let again: Client | undefined;
    for (let attempt = 0; attempt < 50 && !again; attempt++) {
      again = await connect(wsUrl(base), auth(single)).catch(() => undefined);
      if (!again) await sleep(50);
    }
    expect(again).toBeDefined();
    again!.ws.close();
    await again!.closed;
    healthy.ws.close();
    await healthy.closed;
  });

  it('answers malformed messages with error frames and keeps the socket open', async () => {
    const client = await connect(wsUrl(base), auth());
    const cases: Array<[unknown, string]> = [
      ['{not json', 'invalid_json'],
      ['[1,2]', 'invalid_message'],
      [{ text: 'no type' }, 'invalid_message'],
      [{ type: 'shout' }, 'unknown_message_type'],
      [{ type: 'text', text: 42 }, 'invalid_message'],
      [{ type: 'config', format: 'ogg' }, 'validation_failed'],
      [{ type: 'config', speed: 9 }, 'validation_failed'],
      [{ type: 'config', voice_id: 'no_such_voice' }, 'voice_not_found'],
      [{ type: 'config', format: 'mulaw', sample_rate: 16000 }, 'unsupported_sample_rate'],
    ];
    for (const [message, code] of cases) {
      const from = client.frames.length;
      client.send(message);
      const error = await client.next(ofType('error'), from);
      expect(error.json).toMatchObject({ type: 'error', code });
      expect(typeof error.json!.message).toBe('string');
    }
    const from = client.frames.length;
    client.ws.send(Buffer.from([1, 2, 3]));
    expect((await client.next(ofType('error'), from)).json!.code).toBe('invalid_message');
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
    client.send({ type: 'text', text: 'Still here. ' });
    await client.next(isAudio);
    const later = client.frames.length;
    client.send({ type: 'config', format: 'mp3' });
    expect((await client.next(ofType('error'), later)).json!.code).toBe('config_after_text');
    client.send({ type: 'close' });
    expect((await client.closed).code).toBe(1000);
  });

  it('writes one usage row per session with the audio sent', async () => {
    const t = await createTenant(app);
    const client = await connect(wsUrl(base), auth(t));
    client.send({ type: 'config', format: 'mulaw' });
    client.send({ type: 'text', text: 'Thank you for calling. ' });
    client.send({ type: 'text', text: 'Goodbye.' });
    client.send({ type: 'close' });
    await client.closed;
    const cancelled = await connect(wsUrl(base), auth(t));
    cancelled.ws.close();
    await cancelled.closed;
    await sleep(100);
    await app.get(UsageRecorder).flush();
    const rows: Array<Record<string, unknown>> = await app
      .get(DataSource)
      .query('SELECT * FROM usage_events WHERE tenant_id = $1 ORDER BY id', [t.uuid]);
    expect(rows).toHaveLength(2);
    const bytes = audioBytes(client.frames);
    expect(rows[0]).toMatchObject({
      endpoint: 'synthesize/ws',
      status: 'completed',
      streaming: true,
      bytes: String(bytes),
      audio_ms: Math.round(bytes / 8),
      // Pieces as spoken, without the whitespace between them.
      characters: 'Thank you for calling.Goodbye.'.length,
    });
    expect(rows[1]).toMatchObject({ endpoint: 'synthesize/ws', status: 'cancelled' });
  });

  it('records the same engine failure with the same usage code over HTTP and WebSocket', async () => {
    const t = await createTenant(app);
    const engine = app.get<TtsEngine>(TTS_ENGINE);
    jest.spyOn(engine, 'synthesize').mockImplementation(() =>
      (async function* () {
        yield* [];
        throw new EngineError(EngineErrorCode.Failed, 'engine crashed at 0x1f');
      })(),
    );
    try {
      const http = await fetch(`${base}/v1/synthesize/streaming`, {
        method: 'POST',
        headers: { ...auth(t), 'Content-Type': 'application/json' },
        body: JSON.stringify({ text: 'This will fail.', format: 'mulaw' }),
      });
      const httpBody = (await http.json()) as Record<string, unknown>;
      const client = await connect(wsUrl(base), auth(t));
      client.send({ type: 'text', text: 'This will fail.' });
      client.send({ type: 'flush' });
      const frame = await client.next(ofType('error'));
      client.send({ type: 'close' });
      await client.closed;

      expect(http.status).toBe(500);
      expect(httpBody.code).toBe('synthesis_failed');
      expect(frame.json).toMatchObject({ code: 'synthesis_failed' });
      expect(JSON.stringify([httpBody, frame.json])).not.toContain('0x1f');
      await sleep(100);
      await app.get(UsageRecorder).flush();
      const rows: Array<Record<string, unknown>> = await app
        .get(DataSource)
        .query('SELECT endpoint, status, error_code FROM usage_events WHERE tenant_id = $1', [
          t.uuid,
        ]);
      expect(rows).toEqual(
        expect.arrayContaining([
          { endpoint: 'synthesize/streaming', status: 'failed', error_code: 'synthesis_failed' },
          { endpoint: 'synthesize/ws', status: 'failed', error_code: 'synthesis_failed' },
        ]),
      );
      expect(rows).toHaveLength(2);
    } finally {
      jest.restoreAllMocks();
    }
  });

  it('measures time to first audio for text streamed word by word', async () => {
    const fromFirst: number[] = [];
    const fromLast: number[] = [];
    const fromRelease: number[] = [];
    for (let run = 0; run < 20; run++) {
      const client = await connect(wsUrl(base), auth());
      const sent = await sendWordByWord(client, SENTENCE, 10);
      const audio = await client.next(isAudio);
      fromFirst.push(audio.at - sent.first);
      fromLast.push(audio.at - sent.last);
      fromRelease.push(audio.at - sent.sentAt[RELEASING_WORD]);
      client.send({ type: 'close' });
      await client.closed;
    }
    const stats = (v: number[]) =>
      `p50 ${percentile(v, 50).toFixed(1)} ms, p95 ${percentile(v, 95).toFixed(1)} ms`;
    process.stdout.write(
      `[measure] 20-word sentence sent word by word (10 ms apart), n=20: first text → first audio ` +
        `${stats(fromFirst)}; last text → first audio ${stats(fromLast)} (negative: audio began before ` +
        `the sentence was complete); word ${RELEASING_WORD + 1}, which completes the first clause ` +
        `piece, → first audio ${stats(fromRelease)}\n`,
    );
    for (let run = 0; run < 10; run++) {
      const client = await connect(wsUrl(base), auth());
      client.send({ type: 'text', text: LONG_TEXT });
      client.send({ type: 'flush' });
      await client.next(isAudio);
      await sleep(50);
      const clearAt = performance.now();
      client.send({ type: 'clear' });
      const cleared = await client.next(ofType('cleared'));
      clearSamples.push(lastAudioBefore(client, client.frames.indexOf(cleared)) - clearAt);
      client.ws.close();
      await client.closed;
    }
    process.stdout.write(
      `[measure] clear → last audio frame received, n=${clearSamples.length}: ${stats(clearSamples)}, ` +
        `max ${Math.max(...clearSamples).toFixed(1)} ms\n`,
    );
    expect(fromFirst).toHaveLength(20);
  });
});
