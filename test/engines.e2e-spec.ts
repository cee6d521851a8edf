import { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import WebSocket from 'ws';
import { parseWav } from '@cw/audio';
import { EngineRegistry } from '@cw/engines';
import { voiceLike, wavFile } from './helpers/audio-fixtures';
import { listen } from './helpers/audio-client';
import { waitUntil } from './helpers/engine-watch';
import { bearer, binaryParser, createTenant, createTestApp, TestTenant } from './helpers/test-app';
import { FAKE_OPENAI_RATE, FakeOpenAiSpeechServer } from './support/fake-openai-speech-server';
import { FakeXttsServer } from './support/fake-xtts-server';

const TEXT = 'Thank you for calling, how can I help?';
const bytesOf = (s: Int16Array) => Buffer.from(s.buffer, s.byteOffset, s.byteLength);

describe('Engines: an OpenAI-compatible upstream beside eSpeak (stand-in server)', () => {
  let upstream: FakeOpenAiSpeechServer;
  let app: NestExpressApplication;
  let dir: string;

  beforeAll(async () => {
    upstream = await FakeOpenAiSpeechServer.start();
    upstream.apiKey = 'sk-test-secret';
    dir = mkdtempSync(join(tmpdir(), 'cw-engines-'));
    const file = join(dir, 'engines.yaml');
    writeFileSync(
      file,
      [
        'engines:',
        '  - id: wavup',
        '    type: openai',
        `    url: ${upstream.url}`,
        '    key: sk-test-secret',
        '    model: kokoro',
        '    format: wav',
        '  - id: flaky',
        '    type: openai',
        `    url: ${upstream.url}`,
        '    key: sk-test-secret',
        '    voices: [af_heart]',
        '    timeout_ms: 800',
        '    breaker_failures: 2',
        '    breaker_cooldown_ms: 5000',
        'builtin_voices:',
        '  professional_female: { engine: openai, voice: af_bella }',
      ].join('\n'),
    );
    app = await createTestApp({
      ENGINES_FILE: file,
      UPSTREAM_OPENAI_URL: upstream.url,
      UPSTREAM_OPENAI_API_KEY: 'sk-test-secret',
      UPSTREAM_OPENAI_TIMEOUT_MS: '800',
    });
    // The boot warm-up speaks the built-in voices, the one mapped to the upstream included.
    await waitUntil(async () => (await request(app.getHttpServer()).get('/v1/health/ready')).ok);
    upstream.reset();
  });
  afterEach(() => upstream.reset());
  afterAll(async () => {
    await app.close();
    await upstream.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const server = () => app.getHttpServer();
  const createVoice = (t: TestTenant, body: object) =>
    request(server()).post('/v1/voices').set(bearer(t.key)).send(body);
  const synth = (t: TestTenant, body: object, path = '/v1/synthesize/streaming') =>
    request(server()).post(path).set(bearer(t.key)).send(body).buffer(true).parse(binaryParser);
  const upstreamVoice = async (t: TestTenant, engine = 'openai', voice = 'af_heart') => {
    const res = await createVoice(t, { name: 'Ada', engine, engine_voice: voice }).expect(201);
    return res.body.voice_id as string;
  };

  it('GET /v1/engines lists espeak and the upstreams, voices discovered, no URL or key', async () => {
    const t = await createTenant(app);
    const res = await request(server()).get('/v1/engines').set(bearer(t.key)).expect(200);
    const ids = (res.body.engines as { id: string }[]).map((e) => e.id);
    expect(ids).toEqual(expect.arrayContaining(['espeak', 'openai', 'wavup', 'flaky']));
    const openai = res.body.engines.find((e: { id: string }) => e.id === 'openai');
    expect(openai).toMatchObject({ type: 'openai', status: 'up', voices: upstream.voices });
    const text = JSON.stringify(res.body);
    expect(text).not.toContain('127.0.0.1');
    expect(text).not.toContain('sk-test-secret');
  });

  it('creates a voice on an upstream voice; wrong engine or voice is 400 listing the valid ones', async () => {
    const t = await createTenant(app);
    const created = await createVoice(t, {
      name: 'Heart',
      engine: 'openai',
      engine_voice: 'af_heart',
      language: 'en',
    }).expect(201);
    expect(created.body).toMatchObject({
      engine: 'openai',
      engine_voice: 'af_heart',
      source: 'engine',
      word_timings: false,
    });
    const badEngine = await createVoice(t, { name: 'X', engine: 'nope', engine_voice: 'a' });
    expect(badEngine.status).toBe(400);
    expect(badEngine.body.code).toBe('unknown_engine');
    expect(badEngine.body.message).toContain('openai');
    const badVoice = await createVoice(t, { name: 'X', engine: 'openai', engine_voice: 'zz' });
    expect(badVoice.status).toBe(400);
    expect(badVoice.body.code).toBe('invalid_engine_voice');
    expect(badVoice.body.message).toContain('af_heart');
    const list = await request(server()).get('/v1/voices').set(bearer(t.key)).expect(200);
    const mine = list.body.find((v: { voice_id: string }) => v.voice_id === created.body.voice_id);
    expect(mine.engine).toBe('openai');
    // Built-in voices show their engine, a configured mapping included.
    const pf = list.body.find((v: { voice_id: string }) => v.voice_id === 'professional_female');
    expect(pf).toMatchObject({ engine: 'openai', engine_voice: 'af_bella' });
    expect(list.body.find((v: { voice_id: string }) => v.voice_id === 'default').engine).toBe(
      'espeak',
    );
  });

  it('another tenant can neither see nor speak with an upstream-bound voice', async () => {
    const owner = await createTenant(app);
    const other = await createTenant(app);
    const voiceId = await upstreamVoice(owner);
    await request(server()).get(`/v1/voices/${voiceId}`).set(bearer(other.key)).expect(404);
    const res = await synth(other, { text: TEXT, voice_id: voiceId });
    expect(res.status).toBe(404);
    expect(upstream.requests).toHaveLength(0);
  });

  it('streams the upstream PCM through our pipeline, the key sent, X-TTS-Method openai', async () => {
    const t = await createTenant(app);
    const voiceId = await upstreamVoice(t);
    const res = await synth(t, {
      text: TEXT,
      voice_id: voiceId,
      format: 'pcm',
      sample_rate: 24000,
    });
    expect(res.status).toBe(200);
    expect(res.headers['x-tts-method']).toBe('openai');
    expect(res.headers['x-tts-fallback']).toBeUndefined();
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]).toMatchObject({
      model: 'tts-1',
      voice: 'af_heart',
      response_format: 'pcm',
      authorization: 'Bearer sk-test-secret',
    });
    expect(res.body.equals(bytesOf(upstream.requests[0].pcm))).toBe(true);
  });

  it('reads a streamed WAV upstream (unknown sizes) and re-encodes it', async () => {
    const t = await createTenant(app);
    const voiceId = await upstreamVoice(t, 'wavup');
    const res = await synth(t, {
      text: TEXT,
      voice_id: voiceId,
      format: 'pcm',
      sample_rate: 24000,
    });
    expect(res.status).toBe(200);
    expect(res.headers['x-tts-method']).toBe('wavup');
    expect(upstream.requests[0]).toMatchObject({ response_format: 'wav', model: 'kokoro' });
    expect(res.body.equals(bytesOf(upstream.requests[0].pcm))).toBe(true);
  });

  it('mu-law at 8 kHz from an upstream voice, resampled by us', async () => {
    const t = await createTenant(app);
    const voiceId = await upstreamVoice(t);
    const res = await synth(t, { text: TEXT, voice_id: voiceId, format: 'mulaw' });
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({
      'content-type': 'audio/basic',
      'x-audio-sample-rate': '8000',
      'x-tts-method': 'openai',
    });
    const expected = (upstream.requests[0].pcm.length * 8000) / FAKE_OPENAI_RATE;
    expect(Math.abs(res.body.length - expected)).toBeLessThan(200);
  });

  it('Twilio frames over the WebSocket from an upstream voice: mu-law media in whole frames', async () => {
    const t = await createTenant(app);
    const voiceId = await upstreamVoice(t);
    const base = await listen(app);
    const sid = `MZ${'0'.repeat(32)}`;
    const url = `${base.replace(/^http/, 'ws')}/v1/synthesize/ws?output=twilio&stream_sid=${sid}`;
    const ws = new WebSocket(url, { headers: bearer(t.key) });
    const messages: Record<string, unknown>[] = [];
    const marked = new Promise<void>((resolve, reject) => {
      ws.on('message', (data: Buffer) => {
        const msg = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
        messages.push(msg);
        if (msg.event === 'mark') resolve();
        if (msg.type === 'error') reject(new Error(JSON.stringify(msg)));
      });
      ws.on('error', reject);
    });
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ type: 'config', voice_id: voiceId }));
    ws.send(JSON.stringify({ type: 'text', text: TEXT }));
    ws.send(JSON.stringify({ type: 'flush' }));
    await marked;
    ws.close();
    const media = messages.filter((m) => m.event === 'media');
    expect(media.length).toBeGreaterThan(0);
    let bytes = 0;
    for (const m of media) {
      expect(m.streamSid).toBe(sid);
      const payload = Buffer.from((m.media as { payload: string }).payload, 'base64');
      expect(payload.length % 160).toBe(0);
      expect(payload.length).toBeLessThanOrEqual(8_000);
      bytes += payload.length;
    }
    // The session speaks each clause as it completes: every piece went to the upstream voice.
    expect(upstream.requests.length).toBeGreaterThan(0);
    expect(new Set(upstream.requests.map((r) => r.voice))).toEqual(new Set(['af_heart']));
    // All the upstream's audio, at 8 kHz, arrived before the mark (plus our pauses between pieces).
    const upstreamSamples = upstream.requests.reduce((n, r) => n + r.pcm.length, 0);
    expect(bytes).toBeGreaterThanOrEqual((upstreamSamples * 8000) / FAKE_OPENAI_RATE - 160);
  });

  it('a built-in voice mapped to the upstream speaks there', async () => {
    const t = await createTenant(app);
    const res = await synth(t, { text: TEXT, voice_id: 'professional_female', format: 'pcm' });
    expect(res.status).toBe(200);
    expect(res.headers['x-tts-method']).toBe('openai');
    expect(upstream.requests[0].voice).toBe('af_bella');
  });

  it('word timings are estimated from text and audio length, and marked so', async () => {
    const t = await createTenant(app);
    const voiceId = await upstreamVoice(t);
    const res = await request(server())
      .post('/v1/synthesize/with-timestamps')
      .set(bearer(t.key))
      .send({ text: TEXT, voice_id: voiceId })
      .expect(200);
    expect(res.body.alignment_estimated).toBe(true);
    const words = res.body.alignment as { word: string; start_ms: number; end_ms: number }[];
    expect(words.map((w) => w.word)).toEqual([
      'Thank',
      'you',
      'for',
      'calling',
      'how',
      'can',
      'I',
      'help',
    ]);
    const durationMs = res.body.duration_s * 1000;
    expect(words.at(-1)!.end_ms).toBeLessThanOrEqual(Math.ceil(durationMs));
    expect(words.at(-1)!.end_ms).toBeGreaterThan(durationMs * 0.8);
  });

  it('an upstream 400 about the text is 502 engine_rejected with its reason, no fallback', async () => {
    const t = await createTenant(app);
    const voiceId = await upstreamVoice(t);
    const res = await request(server())
      .post('/v1/synthesize')
      .set(bearer(t.key))
      .send({ text: 'Say [reject] this', voice_id: voiceId });
    expect(res.status).toBe(502);
    expect(res.body.code).toBe('engine_rejected');
    expect(res.body.message).toContain('unsupported tag');
  });

  it('an upstream 5xx before the first byte: eSpeak answers, X-TTS-Fallback: true', async () => {
    const t = await createTenant(app);
    const voiceId = await upstreamVoice(t);
    upstream.failNext(1, 500);
    const res = await synth(t, { text: TEXT, voice_id: voiceId, format: 'wav' }, '/v1/synthesize');
    expect(res.status).toBe(200);
    expect(res.headers['x-tts-method']).toBe('espeak');
    expect(res.headers['x-tts-fallback']).toBe('true');
    expect(parseWav(res.body).samples[0].length).toBeGreaterThan(8000);
  });

  it('a hung upstream times out before any audio and eSpeak answers', async () => {
    const t = await createTenant(app);
    const voiceId = await upstreamVoice(t);
    upstream.hang = true;
    const res = await synth(t, { text: TEXT, voice_id: voiceId, format: 'pcm' });
    expect(res.status).toBe(200);
    expect(res.headers['x-tts-method']).toBe('espeak');
    expect(res.headers['x-tts-fallback']).toBe('true');
    expect(res.body.length).toBeGreaterThan(8000);
  });

  it('a slow first byte within the timeout is waited for', async () => {
    const t = await createTenant(app);
    const voiceId = await upstreamVoice(t);
    upstream.firstByteDelayMs = 300;
    const res = await synth(t, {
      text: TEXT,
      voice_id: voiceId,
      format: 'pcm',
      sample_rate: 24000,
    });
    expect(res.status).toBe(200);
    expect(res.headers['x-tts-method']).toBe('openai');
    expect(res.body.equals(bytesOf(upstream.requests[0].pcm))).toBe(true);
  });

  it('the breaker opens after consecutive failures (calls skip the upstream) and a probe closes it', async () => {
    const t = await createTenant(app);
    const voiceId = await upstreamVoice(t, 'flaky');
    const registry = app.get(EngineRegistry);
    upstream.failNext(100, 503);
    for (let i = 0; i < 2; i++) {
      const res = await synth(t, { text: TEXT, voice_id: voiceId, format: 'pcm' });
      expect(res.headers['x-tts-method']).toBe('espeak');
    }
    expect(registry.get('flaky')!.breaker.state).toBe('open');
    const before = upstream.requests.length;
    const skipped = await synth(t, { text: TEXT, voice_id: voiceId, format: 'pcm' });
    expect(skipped.headers['x-tts-method']).toBe('espeak');
    expect(skipped.headers['x-tts-fallback']).toBe('true');
    expect(upstream.requests.length).toBe(before);

    // Readiness: degraded, not down, while eSpeak answers.
    const ready = await request(server()).get('/v1/health/ready').expect(200);
    expect(ready.body.info.engine).toMatchObject({ status: 'up', degraded: true });
    expect(ready.body.info.engine.engines.flaky).toBe('down');

    upstream.reset();
    await waitUntil(() => registry.get('flaky')!.breaker.state === 'half_open', 20_000);
    const probe = await synth(t, { text: TEXT, voice_id: voiceId, format: 'pcm' });
    expect(probe.headers['x-tts-method']).toBe('flaky');
    expect(probe.headers['x-tts-fallback']).toBeUndefined();
    expect(registry.get('flaky')!.breaker.state).toBe('closed');

    const metrics = await request(server())
      .get('/metrics')
      .set(bearer('test_admin_key_0123456789'))
      .expect(200);
    expect(metrics.text).toMatch(
      /tts_engine_failures_total\{engine="flaky",code="engine_unavailable"\} [1-9]/,
    );
    expect(metrics.text).toMatch(/tts_engine_breaker_state\{engine="flaky"\} 0/);
    expect(metrics.text).toMatch(/tts_engine_first_audio_seconds_count\{engine="flaky"\} [1-9]/);
  });
});

describe('Engines: a pool of two XTTS servers sharing one engine (stand-in servers)', () => {
  let a: FakeXttsServer;
  let b: FakeXttsServer;
  let app: NestExpressApplication;
  let dir: string;

  beforeAll(async () => {
    [a, b] = await Promise.all([FakeXttsServer.start(), FakeXttsServer.start()]);
    dir = mkdtempSync(join(tmpdir(), 'cw-engines-pool-'));
    const file = join(dir, 'engines.json');
    writeFileSync(
      file,
      JSON.stringify({
        engines: [{ id: 'xtts', type: 'xtts', urls: [a.url, b.url], concurrency: 1 }],
      }),
    );
    app = await createTestApp({ ENGINES_FILE: file, TTS_ENGINE: 'xtts', VOICE_STORAGE_DIR: dir });
  });
  afterAll(async () => {
    await app.close();
    await Promise.all([a.stop(), b.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const clone = async (t: TestTenant): Promise<string> => {
    const res = await request(app.getHttpServer())
      .post('/v1/voices/upload')
      .set(bearer(t.key))
      .field('name', 'Front desk')
      .attach('voice_file', wavFile(voiceLike(180, 4, 24_000), 24_000), {
        filename: 'ref.wav',
        contentType: 'audio/wav',
      })
      .expect(200);
    expect(res.body).toMatchObject({ engine: 'xtts', cloning: 'native' });
    return res.body.voice_id as string;
  };

  it('two streams at once go to the two servers, one each (concurrency 1 per server)', async () => {
    const t = await createTenant(app);
    const voiceId = await clone(t);
    a.reset();
    b.reset();
    a.setChunkIntervalMs(30);
    b.setChunkIntervalMs(30);
    const say = () =>
      request(app.getHttpServer())
        .post('/v1/synthesize/streaming')
        .set(bearer(t.key))
        .send({ text: 'Your delivery arrives by four this afternoon', voice_id: voiceId })
        .buffer(true)
        .parse(binaryParser);
    const [one, two] = await Promise.all([say(), say()]);
    expect([one.status, two.status]).toEqual([200, 200]);
    expect([one.headers['x-tts-method'], two.headers['x-tts-method']]).toEqual(['xtts', 'xtts']);
    expect(a.streams).toHaveLength(1);
    expect(b.streams).toHaveLength(1);
    const engines = await request(app.getHttpServer())
      .get('/v1/engines')
      .set(bearer(t.key))
      .expect(200);
    expect(engines.body.engines.find((e: { id: string }) => e.id === 'xtts')).toMatchObject({
      servers: 2,
      concurrency: 2,
      default: true,
    });
  });

  it('a server that fails before its first audio hands the piece to the other', async () => {
    const t = await createTenant(app);
    const voiceId = await clone(t);
    a.reset();
    b.reset();
    a.respondWithStatus(503);
    for (let i = 0; i < 2; i++) {
      const res = await request(app.getHttpServer())
        .post('/v1/synthesize')
        .set(bearer(t.key))
        .send({ text: 'Please hold.', voice_id: voiceId, cache: false })
        .expect(200);
      expect(res.headers['x-tts-method']).toBe('xtts');
    }
    expect(b.streams.length).toBe(2);
    expect(a.requestCount).toBeGreaterThan(0);
    a.respondWithStatus(null);
  });
});

describe('Engines: configuration at boot', () => {
  it('an upstream that is down at boot is reported, not fatal; its voices fall back to eSpeak', async () => {
    const gone = await FakeOpenAiSpeechServer.start();
    const url = gone.url;
    await gone.stop();
    const app = await createTestApp({
      UPSTREAM_OPENAI_URL: url,
      UPSTREAM_OPENAI_VOICES: 'af_heart',
    });
    try {
      const t = await createTenant(app);
      const engines = await request(app.getHttpServer())
        .get('/v1/engines')
        .set(bearer(t.key))
        .expect(200);
      expect(engines.body.engines.find((e: { id: string }) => e.id === 'openai')).toMatchObject({
        status: 'down',
        voices: ['af_heart'],
      });
      const voice = await request(app.getHttpServer())
        .post('/v1/voices')
        .set(bearer(t.key))
        .send({ name: 'Ada', engine: 'openai', engine_voice: 'af_heart', gender: 'female' })
        .expect(201);
      const res = await request(app.getHttpServer())
        .post('/v1/synthesize')
        .set(bearer(t.key))
        .send({ text: TEXT, voice_id: voice.body.voice_id })
        .expect(200);
      expect(res.headers['x-tts-method']).toBe('espeak');
      expect(res.headers['x-tts-fallback']).toBe('true');
      const health = await request(app.getHttpServer()).get('/v1/health').expect(200);
      expect(health.body).toMatchObject({ status: 'degraded', engines: { openai: 'down' } });
    } finally {
      await app.close();
    }
  });
});
