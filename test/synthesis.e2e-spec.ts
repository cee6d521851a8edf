import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { parseWav, rms, WAV_UNKNOWN_SIZE } from '@cw/audio';
import { TTS_ENGINE, type TtsEngine } from '@cw/engines';
import { LONG_TEXT, listen, openStream } from './helpers/audio-client';
import { bearer, binaryParser, createTenant, createTestApp, TestTenant } from './helpers/test-app';
import { waitUntil, watchEngine } from './helpers/engine-watch';

const TEXT = 'Hello, thank you for calling. Your balance is ₦5,000.';

function toInt16(floats: Float32Array): Int16Array {
  return Int16Array.from(floats, (f) => Math.round(f * 32767));
}

describe('synthesis over HTTP', () => {
  let app: NestExpressApplication;
  let tenant: TestTenant;
  let base: string;

  beforeAll(async () => {
    app = await createTestApp({
      // These tests read long texts as fast as the engine renders them; the scheduler's real-time
      // pacing (3 s ahead of playback) is off here and tested in scheduling.e2e-spec.ts.
      SCHEDULER_LEAD_MS: '3600000',
      ENGINE_POOL_SIZE: '2',
    });
    tenant = await createTenant(app);
    base = await listen(app);
  });
  afterAll(() => app.close());
  afterEach(() => jest.restoreAllMocks());

  const synth = (path: string, body: object) =>
    request(app.getHttpServer())
      .post(path)
      .set(bearer(tenant.key))
      .send(body)
      .buffer(true)
      .parse(binaryParser);

  it('returns a complete, non-silent WAV with Content-Length and the headers', async () => {
    const res = await synth('/v1/synthesize', { text: TEXT, voice_id: 'naija_female' }).expect(200);
    expect(res.headers['content-type']).toBe('audio/wav');
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(res.headers).toMatchObject({
      'x-voice-id': 'naija_female',
      'x-tenant-id': tenant.tenantId,
      'x-tts-method': 'espeak',
      'x-audio-sample-rate': '22050',
    });
    expect(res.headers['x-streaming']).toBeUndefined();
    const wav = parseWav(res.body);
    expect(wav).toMatchObject({ sampleRate: 22050, channels: 1, bitsPerSample: 16 });
    expect(wav.dataBytes).toBe(res.body.length - 44);
    const seconds = wav.samples[0].length / 22050;
    expect(seconds).toBeGreaterThan(1.5);
    expect(seconds).toBeLessThan(15);
    expect(rms(toInt16(wav.samples[0]))).toBeGreaterThan(0.01);
  });

  it('streams a WAV with one 0xFFFFFFFF header that parses', async () => {
    const res = await synth('/v1/synthesize/streaming', { text: TEXT }).expect(200);
    expect(res.headers['x-streaming']).toBe('true');
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.body.readUInt32LE(4)).toBe(WAV_UNKNOWN_SIZE);
    expect(res.body.readUInt32LE(40)).toBe(WAV_UNKNOWN_SIZE);
    expect(res.body.indexOf('RIFF', 4)).toBe(-1);
    const wav = parseWav(res.body);
    expect(wav.sampleRate).toBe(22050);
    expect(rms(toInt16(wav.samples[0]))).toBeGreaterThan(0.01);
  });

  // eSpeak's output length varies by a few milliseconds from run to run, so each response is
  // checked against its own X-Audio-Duration-Ms, and formats against each other within 2%.
  it('mu-law and a-law are 8000 bytes per second of audio', async () => {
    const mulaw = await synth('/v1/synthesize', { text: TEXT, format: 'mulaw' }).expect(200);
    const alaw = await synth('/v1/synthesize', { text: TEXT, format: 'alaw' }).expect(200);
    const streamed = await synth('/v1/synthesize/streaming', {
      text: TEXT,
      format: 'mulaw',
    }).expect(200);
    expect(mulaw.headers['content-type']).toBe('audio/basic');
    expect(alaw.headers['content-type']).toBe('audio/x-alaw-basic');
    expect(streamed.headers['content-type']).toBe('audio/basic');
    expect(mulaw.headers['x-audio-sample-rate']).toBe('8000');
    for (const res of [mulaw, alaw]) {
      expect(
        Math.abs(res.body.length / 8 - Number(res.headers['x-audio-duration-ms'])),
      ).toBeLessThanOrEqual(1);
    }
    expect(Math.abs(streamed.body.length - mulaw.body.length) / mulaw.body.length).toBeLessThan(
      0.02,
    );
    // Non-silent: mu-law silence is 0xFF/0x7F; speech spreads over many code values.
    expect(new Set(mulaw.body).size).toBeGreaterThan(50);
  });

  it('PCM is 2 bytes per sample and matches WAV at the same rate', async () => {
    const pcm = await synth('/v1/synthesize', {
      text: TEXT,
      format: 'pcm',
      sample_rate: 16000,
    }).expect(200);
    const wav = await synth('/v1/synthesize', {
      text: TEXT,
      format: 'wav',
      sample_rate: 16000,
    }).expect(200);
    expect(pcm.headers['content-type']).toBe('audio/L16;rate=16000');
    expect(
      Math.abs(pcm.body.length / 32 - Number(pcm.headers['x-audio-duration-ms'])),
    ).toBeLessThanOrEqual(1);
    const parsed = parseWav(wav.body);
    expect(parsed.sampleRate).toBe(16000);
    expect(
      Math.abs(parsed.dataBytes / 32 - Number(wav.headers['x-audio-duration-ms'])),
    ).toBeLessThanOrEqual(1);
    expect(Math.abs(pcm.body.length - parsed.dataBytes) / parsed.dataBytes).toBeLessThan(0.02);
  });

  it('MP3 starts with a valid MPEG audio frame', async () => {
    const res = await synth('/v1/synthesize/streaming', {
      text: TEXT,
      format: 'mp3',
      sample_rate: 24000,
    }).expect(200);
    expect(res.headers['content-type']).toBe('audio/mpeg');
    expect(res.body[0]).toBe(0xff);
    expect(res.body[1] & 0xe0).toBe(0xe0);
    // MPEG-2 (0b10) layer III (0b01): 24 kHz is an MPEG-2 rate.
    expect((res.body[1] >> 3) & 0b11).toBe(0b10);
    expect((res.body[1] >> 1) & 0b11).toBe(0b01);
    expect(res.body.length).toBeGreaterThan(2000);
  });

  it('sends the first audio of a long text while later pieces are still being synthesized', async () => {
    const counts = watchEngine(app.get<TtsEngine>(TTS_ENGINE));
    const stream = await openStream(base, '/v1/synthesize/streaming', tenant.key, {
      text: LONG_TEXT,
      format: 'pcm',
    });
    expect(stream.first.length).toBeGreaterThan(0);
    expect(counts.started).toBeGreaterThanOrEqual(1);
    // The text is ~40 pieces; the server holds on backpressure, far from the end.
    expect(counts.finished).toBeLessThan(10);
    const whole = await stream.rest();
    expect(counts.finished).toBe(counts.started);
    expect(counts.started).toBeGreaterThanOrEqual(20);
    expect(whole.length).toBeGreaterThan(22050 * 2 * 60);
  });

  it('stops synthesis when the client disconnects, and the worker is free again', async () => {
    const engine = app.get<TtsEngine>(TTS_ENGINE);
    const counts = watchEngine(engine);
    const stream = await openStream(base, '/v1/synthesize/streaming', tenant.key, {
      text: LONG_TEXT,
      format: 'pcm',
    });
    stream.hangUp();
    await waitUntil(() => counts.finished === counts.started);
    const startedAtHangUp = counts.started;
    expect(startedAtHangUp).toBeLessThan(10);
    // Nothing further is started for the cancelled request, and short requests still run at once.
    const res = await synth('/v1/synthesize', { text: 'Still here.' }).expect(200);
    expect(parseWav(res.body).dataBytes).toBeGreaterThan(0);
    expect(counts.started).toBe(startedAtHangUp + 1);
    expect(engine.health().queueDepth).toBe(0);
  });

  it('answers /v1/health while four long syntheses are in flight', async () => {
    const streams = await Promise.all(
      Array.from({ length: 4 }, () =>
        openStream(base, '/v1/synthesize/streaming', tenant.key, {
          text: LONG_TEXT,
          format: 'mulaw',
        }),
      ),
    );
    const started = Date.now();
    const health = await request(app.getHttpServer()).get('/v1/health').expect(200);
    const healthMs = Date.now() - started;
    expect(health.body).toMatchObject({
      model_loaded: true,
      streaming_supported: true,
      engine: 'espeak',
    });
    for (const s of streams) expect(s.response.complete).toBe(false);
    for (const s of streams) s.hangUp();
    process.stdout.write(`[measure] /v1/health during 4 long streams: ${healthMs} ms\n`);
  });

  describe('errors', () => {
    it.each([
      ['empty text', { text: '' }, 400, 'empty_text', 'Text cannot be empty'],
      ['whitespace text', { text: '  \n\t ' }, 400, 'empty_text', 'Text cannot be empty'],
      ['empty SSML', { text: '<speak>  </speak>' }, 400, 'empty_text', 'Text cannot be empty'],
      ['missing text', { voice_id: 'default' }, 422, 'validation_failed', 'text is required'],
      [
        'text too long',
        { text: 'a'.repeat(5001) },
        422,
        'validation_failed',
        'text must be at most 5000 characters',
      ],
      [
        'unknown voice',
        { text: 'Hi', voice_id: 'nobody' },
        404,
        'voice_not_found',
        "Voice profile 'nobody' not found",
      ],
      [
        'bad format',
        { text: 'Hi', format: 'ogg' },
        422,
        'validation_failed',
        'format must be one of',
      ],
      [
        'bad sample rate',
        { text: 'Hi', sample_rate: 11025 },
        422,
        'validation_failed',
        'sample_rate must be one of',
      ],
      [
        'mu-law at 16 kHz',
        { text: 'Hi', format: 'mulaw', sample_rate: 16000 },
        422,
        'unsupported_sample_rate',
        '8000 only',
      ],
      [
        'speed out of range',
        { text: 'Hi', speed: 3 },
        422,
        'validation_failed',
        'speed must be between 0.5 and 2.0',
      ],
      ['unknown language', { text: 'Hi', language: 'yo' }, 422, 'unsupported_language', 'yo'],
    ])('%s', async (_name, body, status, code, message) => {
      for (const path of ['/v1/synthesize', '/v1/synthesize/streaming']) {
        const res = await request(app.getHttpServer())
          .post(path)
          .set(bearer(tenant.key))
          .send(body)
          .expect(status);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(res.body.code).toBe(code);
        expect(res.body.message).toContain(message);
      }
    });

    it('invalid SSML → 400 with the parser message and position', async () => {
      const res = await request(app.getHttpServer())
        .post('/v1/synthesize')
        .set(bearer(tenant.key))
        .send({ text: '<speak>Hello <break time="1s"> world</speak>' })
        .expect(400);
      expect(res.body.code).toBe('invalid_ssml');
      expect(res.body.message).toMatch(/line 1, column \d+/);
      expect(res.body).toMatchObject({ line: 1 });
    });

    it('another tenant’s key cannot use a voice id that does not exist for it', async () => {
      const other = await createTenant(app);
      await request(app.getHttpServer())
        .post('/v1/synthesize')
        .set(bearer(other.key))
        .send({ text: 'Hi', voice_id: 'v_x' })
        .expect(404);
    });
  });

  it('speaks SSML breaks and prosody', async () => {
    const plain = await synth('/v1/synthesize', { text: 'One. Two.', format: 'pcm' }).expect(200);
    const ssml = await synth('/v1/synthesize', {
      text: '<speak>One. <break time="1500ms"/> <prosody rate="slow">Two.</prosody></speak>',
      format: 'pcm',
    }).expect(200);
    // The plain text gets our 350 ms pause between its two sentences; the SSML break replaces it.
    expect(ssml.body.length - plain.body.length).toBeGreaterThan(1.1 * 22050 * 2);
  });

  it('lists the languages the engine speaks, without pretending to speak Yoruba', async () => {
    const res = await request(app.getHttpServer())
      .get('/v1/languages')
      .set(bearer(tenant.key))
      .expect(200);
    expect(res.body.engine).toBe('espeak');
    expect(res.body.languages).toEqual(expect.arrayContaining(['en', 'fr', 'sw']));
    for (const absent of ['yo', 'ha', 'ig', 'pcm'])
      expect(res.body.languages).not.toContain(absent);
  });

  it('shows what will be spoken', async () => {
    const res = await request(app.getHttpServer())
      .post('/v1/text/normalize')
      .set(bearer(tenant.key))
      .send({ text: 'Pay ₦5,000 to 08031234567.' })
      .expect(200);
    expect(res.body.spoken_text).toContain('five thousand naira');
    expect(res.body.spoken_text).toContain('zero eight zero three');
  });

  it('generates demo audio in every built-in voice', async () => {
    const res = await request(app.getHttpServer())
      .post('/v1/generate-demo-audio')
      .set(bearer(tenant.key))
      .expect(200);
    const voices = new Set(res.body.map((d: { voice_id: string }) => d.voice_id));
    expect(voices).toEqual(
      new Set([
        'default',
        'naija_female',
        'naija_male',
        'professional_female',
        'professional_male',
      ]),
    );
    for (const d of res.body) {
      expect(d.content_type).toBe('audio/wav');
      expect(parseWav(Buffer.from(d.audio_base64, 'base64')).dataBytes).toBeGreaterThan(10000);
    }
  });
});

describe('engine queue bound', () => {
  it('answers 503 engine_busy with Retry-After when the queue is full', async () => {
    const app = await createTestApp({ ENGINE_POOL_SIZE: '1', ENGINE_MAX_QUEUE: '1' });
    const abort = new AbortController();
    try {
      const tenant = await createTenant(app);
      const engine = app.get<TtsEngine>(TTS_ENGINE);
      // Occupy the only worker with one long utterance and fill the queue with a second, by
      // driving the engine directly (the HTTP route splits text into short pieces).
      const request_ = {
        text: LONG_TEXT,
        language: 'en',
        voice: {
          id: 'default',
          conditioning: { espeakVoice: 'en', pitch: 50, pitchRange: 50, rate: 145 },
        },
        speed: 1,
      };
      const running = engine.synthesize(request_, abort.signal)[Symbol.asyncIterator]();
      const waiting = engine.synthesize(request_, abort.signal)[Symbol.asyncIterator]();
      const settled = [running.next(), waiting.next()].map((p) => p.catch(() => undefined));
      await waitUntil(() => engine.health().queueDepth === 1);
      const res = await request(app.getHttpServer())
        .post('/v1/synthesize/streaming')
        .set(bearer(tenant.key))
        .send({ text: 'Hi' })
        .expect(503);
      expect(res.body.code).toBe('engine_busy');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      abort.abort();
      await Promise.all(settled);
      // Once the queue drains the same request succeeds.
      await waitUntil(() => engine.health().queueDepth === 0);
      await request(app.getHttpServer())
        .post('/v1/synthesize')
        .set(bearer(tenant.key))
        .send({ text: 'Hi' })
        .expect(200);
    } finally {
      abort.abort();
      await app.close();
    }
  });
});
