import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { medianF0, trackPitch } from '@cw/audio';
import { bearer, binaryParser, createTenant, createTestApp, TestTenant } from './helpers/test-app';

// The real Debian festival with festvox-us-slt-hts (.ci/run installs both).
jest.setTimeout(180_000);

const TEXT = 'Hello, thank you for calling. Your balance is ₦5,000. How can I help you today?';

/** G.711 mu-law byte to a linear sample in -1..1 (ITU-T G.711). */
function mulawToFloat(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = (((u & 0x0f) << 3) + 0x84) << exponent;
  const linear = u & 0x80 ? 0x84 - magnitude : magnitude - 0x84;
  return linear / 32768;
}

describe('TTS_ENGINE=festival', () => {
  let app: NestExpressApplication;
  let tenant: TestTenant;

  beforeAll(async () => {
    app = await createTestApp({
      TTS_ENGINE: 'festival',
      FESTIVAL_POOL_SIZE: '2',
      // Long texts are read as fast as festival renders them; pacing is tested elsewhere.
      SCHEDULER_LEAD_MS: '3600000',
    });
    tenant = await createTenant(app);
  });
  afterAll(() => app.close());

  it('streams mu-law speech in the slt voice from POST /v1/synthesize/streaming', async () => {
    const res = await request(app.getHttpServer())
      .post('/v1/synthesize/streaming')
      .set(bearer(tenant.key))
      .send({ text: TEXT, voice_id: 'naija_female', format: 'mulaw' })
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    expect(res.headers).toMatchObject({
      'content-type': 'audio/basic',
      'x-tts-method': 'festival',
      'x-audio-sample-rate': '8000',
      'x-streaming': 'true',
    });
    const body = res.body as Buffer;
    // 15 words and a number: about 5-6 s of speech at 8000 bytes per second.
    expect(body.length / 8000).toBeGreaterThan(3);
    expect(body.length / 8000).toBeLessThan(12);
    // Non-silent: mu-law silence is 0xFF/0x7F; speech spreads over many code values.
    expect(new Set(body).size).toBeGreaterThan(50);
    // A female voice (cmu_us_slt_arctic_hts, ~170 Hz), not eSpeak's.
    const samples = Float32Array.from(body, mulawToFloat);
    const f0 = medianF0(trackPitch(samples, 8000));
    expect(f0).toBeGreaterThan(140);
    expect(f0).toBeLessThan(260);
  });

  it('reports the engine ready with its voice', async () => {
    const res = await request(app.getHttpServer()).get('/v1/health').expect(200);
    expect(JSON.stringify(res.body)).toMatch(/festival \d+\.\d+.*cmu_us_slt_arctic_hts/);
  });
});

describe('TTS_ENGINE=festival without the program', () => {
  let app: NestExpressApplication;
  let tenant: TestTenant;

  beforeAll(async () => {
    app = await createTestApp({
      TTS_ENGINE: 'festival',
      FESTIVAL_BINARY: '/nonexistent/bin/festival',
    });
    tenant = await createTenant(app);
  });
  afterAll(() => app.close());

  it('boots, is not ready, and answers 503 engine_unavailable with Retry-After', async () => {
    await request(app.getHttpServer()).get('/v1/health/ready').expect(503);
    const res = await request(app.getHttpServer())
      .post('/v1/synthesize/streaming')
      .set(bearer(tenant.key))
      .send({ text: TEXT, format: 'mulaw' })
      .expect(503);
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.body).toMatchObject({ code: 'engine_unavailable' });
  });
});
