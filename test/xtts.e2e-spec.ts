import { NestExpressApplication } from '@nestjs/platform-express';
import http, { type IncomingHttpHeaders } from 'node:http';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { medianF0 as speechF0, parseWav, trackPitch } from '@cw/audio';
import { UsageRecorder } from '../apps/api/src/usage/usage.recorder';
import { listen } from './helpers/audio-client';
import { voiceLike, wavFile } from './helpers/audio-fixtures';
import { bearer, binaryParser, createTenant, createTestApp, TestTenant } from './helpers/test-app';
import {
  embeddingF0,
  FakeXttsServer,
  LATENT_ROWS,
  LATENT_WIDTH,
  SPEAKER_EMBEDDING_SIZE,
} from './support/fake-xtts-server';
import { medianF0 } from './support/synthetic-speech';

/** One piece for the planner, about 2.9 s of stand-in audio: several 20-token model chunks. */
const ONE_PIECE = 'Your delivery arrives by four this afternoon';
/** Two sentences: two `/tts_stream` calls with the API's sentence pause between them. */
const TWO_SENTENCES = 'Good afternoon, thank you for calling. Your delivery arrives by four.';
const SENTENCE_GAP_SAMPLES_24K = 0.35 * 24_000;
/** The engine's default `stream_chunk_size`: the app has no setting for it. */
const STREAM_CHUNK_SIZE = '20';

interface XttsConditioningRow {
  speaker_embedding: number[];
  gpt_cond_latent: number[][];
}
interface VoiceRow {
  engine: string;
  cloning: string;
  reference_storage_key: string;
  conditioning: { espeak?: Record<string, unknown>; xtts?: XttsConditioningRow };
}
interface UsageRow {
  status: string;
  error_code: string | null;
  engine: string | null;
  endpoint: string;
  bytes: string;
  audio_ms: number;
  voice_id: string;
}
interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The whole message arrived (a clean end), not a connection broken mid-body. */
  complete: boolean;
}

/** A POST over a real socket that reports whether the body ended cleanly or broke off. */
function post(base: string, path: string, key: string, body: object): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, {
      method: 'POST',
      headers: { ...bearer(key), 'Content-Type': 'application/json' },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      // A broken transfer shows up as 'aborted'/'error' then 'close' with complete = false.
      res.on('error', () => undefined);
      res.on('close', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(parts),
          complete: res.complete,
        }),
      );
    });
    req.end(JSON.stringify(body));
  });
}

/** A URL where nothing listens: a port that was just free and closed again. */
async function closedPortUrl(): Promise<string> {
  const server = await FakeXttsServer.start();
  await server.stop();
  return server.url;
}

const pcmBytes = (samples: Int16Array) =>
  Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);

const int16Of = (bytes: Buffer) => {
  const copy = Buffer.from(bytes);
  return new Int16Array(copy.buffer, copy.byteOffset, copy.length >> 1);
};

/** A reference recording with the given pitch, as a 24 kHz WAV written by the test. */
const referenceClip = (f0: number) => wavFile(voiceLike(f0, 4, 24_000), 24_000);

describe('XTTS engine (TTS_ENGINE=xtts against a stand-in xtts-streaming-server)', () => {
  let xtts: FakeXttsServer;
  let app: NestExpressApplication;
  let base: string;
  let storageDir: string;

  beforeAll(async () => {
    xtts = await FakeXttsServer.start();
    storageDir = mkdtempSync(join(tmpdir(), 'cw-xtts-'));
    app = await createTestApp({
      TTS_ENGINE: 'xtts',
      XTTS_URL: xtts.url,
      XTTS_FALLBACK: 'none',
      ENGINE_POOL_SIZE: '1',
      VOICE_STORAGE_DIR: storageDir,
    });
    base = await listen(app);
    // Forget the boot probe (GET /languages): each test looks at its own requests.
    xtts.reset();
  });
  afterEach(() => xtts.reset());
  afterAll(async () => {
    await app.close();
    await xtts.stop();
    rmSync(storageDir, { recursive: true, force: true });
  });

  const db = () => app.get(DataSource);
  const voiceRow = async (t: TestTenant, voiceId: string): Promise<VoiceRow> => {
    const rows: VoiceRow[] = await db().query(
      'SELECT engine, cloning, reference_storage_key, conditioning FROM voices WHERE tenant_id = $1 AND voice_id = $2',
      [t.uuid, voiceId],
    );
    expect(rows).toHaveLength(1);
    return rows[0];
  };
  const usageRows = async (target: NestExpressApplication, t: TestTenant): Promise<UsageRow[]> => {
    await target.get(UsageRecorder).flush();
    return target
      .get(DataSource)
      .query('SELECT * FROM usage_events WHERE tenant_id = $1 ORDER BY id', [t.uuid]);
  };
  const upload = (target: NestExpressApplication, t: TestTenant, clip: Buffer) =>
    request(target.getHttpServer())
      .post('/v1/voices/upload')
      .set(bearer(t.key))
      .field('name', 'Front desk')
      .attach('voice_file', clip, { filename: 'front-desk.wav', contentType: 'audio/wav' });
  /** A tenant with one voice cloned through the live stand-in. */
  const clonedVoice = async (f0 = 180): Promise<{ tenant: TestTenant; voiceId: string }> => {
    const tenant = await createTenant(app);
    const res = await upload(app, tenant, referenceClip(f0)).expect(200);
    xtts.reset();
    return { tenant, voiceId: res.body.voice_id as string };
  };

  describe('with the server up', () => {
    it('clones at upload: the server gets the reference WAV, the row keeps both conditionings', async () => {
      const tenant = await createTenant(app);
      const res = await upload(app, tenant, referenceClip(180)).expect(200);
      expect(res.body).toMatchObject({
        name: 'Front desk',
        cloning: 'native',
        has_reference_audio: true,
        source: 'uploaded',
        message: 'Voice uploaded and cloned (native)',
      });

      // Exactly one call, carrying the normalised reference the API also stores.
      expect(xtts.requests).toEqual([{ method: 'POST', path: '/clone_speaker' }]);
      expect(xtts.cloneUploads).toHaveLength(1);
      const sent = xtts.cloneUploads[0];
      expect(parseWav(sent)).toMatchObject({ sampleRate: 24_000, channels: 1, bitsPerSample: 16 });
      const reference = await request(app.getHttpServer())
        .get(`/v1/voices/${res.body.voice_id}/reference`)
        .set(bearer(tenant.key))
        .buffer(true)
        .parse(binaryParser)
        .expect(200);
      expect(reference.body.equals(sent)).toBe(true);
      expect(readdirSync(join(storageDir, tenant.uuid))).toHaveLength(1);

      const row = await voiceRow(tenant, res.body.voice_id);
      expect(row).toMatchObject({ engine: 'xtts', cloning: 'native' });
      expect(Object.keys(row.conditioning).sort()).toEqual(['espeak', 'xtts']);
      const cloned = row.conditioning.xtts!;
      expect(cloned.speaker_embedding).toHaveLength(SPEAKER_EMBEDDING_SIZE);
      expect(cloned.gpt_cond_latent).toHaveLength(LATENT_ROWS);
      expect(cloned.gpt_cond_latent.every((r) => r.length === LATENT_WIDTH)).toBe(true);
      // The stand-in writes the reference's F0 into the embedding: the row holds its answer.
      expect(embeddingF0(cloned.speaker_embedding)).toBeGreaterThan(165);
      expect(embeddingF0(cloned.speaker_embedding)).toBeLessThan(195);
      expect(row.conditioning.espeak).toMatchObject({
        espeakVoice: expect.any(String),
        variant: expect.any(String),
        pitch: expect.any(Number),
        rate: expect.any(Number),
      });
    });

    it('streams pcm at 24 kHz: exactly the bytes the server sent, X-TTS-Method xtts', async () => {
      const { tenant, voiceId } = await clonedVoice(180);
      const res = await post(base, '/v1/synthesize/streaming', tenant.key, {
        text: ONE_PIECE,
        voice_id: voiceId,
        format: 'pcm',
        sample_rate: 24_000,
      });
      expect(res.status).toBe(200);
      expect(res.complete).toBe(true);
      expect(res.headers).toMatchObject({
        'content-type': 'audio/L16;rate=24000',
        'x-tts-method': 'xtts',
        'x-voice-id': voiceId,
        'x-audio-sample-rate': '24000',
        'x-streaming': 'true',
      });

      expect(xtts.streams).toHaveLength(1);
      const [stream] = xtts.streams;
      expect(stream.outcome).toBe('complete');
      expect(stream.chunksSent).toBeGreaterThanOrEqual(3);
      // Same rate, no header asked for: the API passes the samples through untouched, and the
      // odd-sized writes of the server are reassembled on sample boundaries.
      expect(stream.writes.some((size) => size % 2 === 1)).toBe(true);
      expect(res.body.length).toBe(stream.bytesSent);
      expect(res.body.equals(pcmBytes(stream.pcm))).toBe(true);

      // The request the server saw: the documented fields, and the stored clone.
      const body = xtts.requests.find((r) => r.path === '/tts_stream')!.json as Record<
        string,
        unknown
      >;
      const stored = (await voiceRow(tenant, voiceId)).conditioning.xtts!;
      expect(Object.keys(body).sort()).toEqual([
        'add_wav_header',
        'gpt_cond_latent',
        'language',
        'speaker_embedding',
        'stream_chunk_size',
        'text',
      ]);
      expect(body).toEqual({
        text: ONE_PIECE,
        language: 'en',
        speaker_embedding: stored.speaker_embedding,
        gpt_cond_latent: stored.gpt_cond_latent,
        add_wav_header: false,
        stream_chunk_size: STREAM_CHUNK_SIZE,
      });
      // The cloned pitch made it from the reference, through the embedding, into the audio.
      const f0 = medianF0(int16Of(res.body), 24_000);
      expect(f0).toBeGreaterThan(165);
      expect(f0).toBeLessThan(195);

      const [usage] = await usageRows(app, tenant);
      expect(usage).toMatchObject({ status: 'completed', engine: 'xtts', voice_id: voiceId });
      expect(Number(usage.bytes)).toBe(res.body.length);
    });

    it('two sentences: one /tts_stream each, joined by the sentence pause', async () => {
      const { tenant, voiceId } = await clonedVoice(180);
      const res = await post(base, '/v1/synthesize/streaming', tenant.key, {
        text: TWO_SENTENCES,
        voice_id: voiceId,
        format: 'pcm',
        sample_rate: 24_000,
      });
      expect(res.status).toBe(200);
      expect(res.complete).toBe(true);
      expect(xtts.streams.map((s) => s.text)).toEqual([
        'Good afternoon, thank you for calling.',
        'Your delivery arrives by four.',
      ]);
      expect(xtts.streams.every((s) => s.outcome === 'complete')).toBe(true);
      const [first, second] = xtts.streams;
      const expected = Buffer.concat([
        pcmBytes(first.pcm),
        Buffer.alloc(SENTENCE_GAP_SAMPLES_24K * 2),
        pcmBytes(second.pcm),
      ]);
      expect(res.body.length).toBe(expected.length);
      expect(res.body.equals(expected)).toBe(true);
    });

    it('streams mu-law: 8 kHz, one byte per sample of the server audio resampled', async () => {
      const { tenant, voiceId } = await clonedVoice(180);
      const res = await post(base, '/v1/synthesize/streaming', tenant.key, {
        text: ONE_PIECE,
        voice_id: voiceId,
        format: 'mulaw',
      });
      expect(res.status).toBe(200);
      expect(res.complete).toBe(true);
      expect(res.headers).toMatchObject({
        'content-type': 'audio/basic',
        'x-tts-method': 'xtts',
        'x-audio-sample-rate': '8000',
      });
      const [stream] = xtts.streams;
      expect(stream.outcome).toBe('complete');
      // The resampler's total output is round(input × 8000 / 24000).
      expect(res.body.length).toBe(Math.round(stream.pcm.length / 3));
      expect((xtts.requests[0].json as { text: string }).text).toBe(ONE_PIECE);
    });

    it('whole-file WAV from XTTS: 24 kHz by default, the server audio with real sizes', async () => {
      const { tenant, voiceId } = await clonedVoice(180);
      const res = await request(app.getHttpServer())
        .post('/v1/synthesize')
        .set(bearer(tenant.key))
        .send({ text: ONE_PIECE, voice_id: voiceId })
        .buffer(true)
        .parse(binaryParser)
        .expect(200);
      expect(res.headers['x-tts-method']).toBe('xtts');
      const wav = parseWav(res.body);
      expect(wav).toMatchObject({ sampleRate: 24_000, channels: 1, bitsPerSample: 16 });
      expect(res.body.subarray(44).equals(pcmBytes(xtts.streams[0].pcm))).toBe(true);
    });

    it('a built-in voice (eSpeak conditioning only) is refused with 422 before any call', async () => {
      const tenant = await createTenant(app);
      const res = await request(app.getHttpServer())
        .post('/v1/synthesize')
        .set(bearer(tenant.key))
        .send({ text: ONE_PIECE, voice_id: 'default' })
        .expect(422);
      expect(res.body.code).toBe('voice_unavailable');
      expect(xtts.requestCount).toBe(0);
    });

    it('a stream that breaks mid-way reaches the client as a broken transfer, recorded failed', async () => {
      const { tenant, voiceId } = await clonedVoice(180);
      xtts.failMidStreamAfterChunks(1);
      const res = await post(base, '/v1/synthesize/streaming', tenant.key, {
        text: ONE_PIECE,
        voice_id: voiceId,
        format: 'pcm',
        sample_rate: 24_000,
      });
      // Headers went out with the first audio; then the transfer was cut, not ended cleanly.
      expect(res.status).toBe(200);
      expect(res.headers['x-tts-method']).toBe('xtts');
      expect(res.complete).toBe(false);
      const [stream] = xtts.streams;
      expect(stream.outcome).toBe('failed');
      expect(stream.chunksSent).toBe(1);
      // What arrived is a true prefix of the server's audio, no more than it sent.
      expect(res.body.length).toBeGreaterThan(0);
      expect(res.body.length).toBeLessThanOrEqual(stream.bytesSent);
      expect(res.body.length).toBeLessThan(stream.pcm.length * 2);
      expect(res.body.equals(pcmBytes(stream.pcm).subarray(0, res.body.length))).toBe(true);

      const rows = await usageRows(app, tenant);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        status: 'failed',
        error_code: 'synthesis_failed',
        endpoint: 'synthesize/streaming',
        engine: 'xtts',
      });
      expect(Number(rows[0].bytes)).toBeGreaterThan(0);
    });

    it('a server that drops the stream before any audio → 503 engine_unavailable JSON', async () => {
      const { tenant, voiceId } = await clonedVoice(180);
      xtts.failMidStreamAfterChunks(0);
      const res = await post(base, '/v1/synthesize/streaming', tenant.key, {
        text: ONE_PIECE,
        voice_id: voiceId,
        format: 'pcm',
      });
      expect(res.status).toBe(503);
      expect(res.complete).toBe(true);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(res.body.toString()).code).toBe('engine_unavailable');
      expect(xtts.streams[0].outcome).toBe('failed');
    });
  });

  describe('with the server down and XTTS_FALLBACK=none', () => {
    let down: NestExpressApplication;
    let downBase: string;
    let downStorage: string;
    let downUrl: string;

    beforeAll(async () => {
      downStorage = mkdtempSync(join(tmpdir(), 'cw-xtts-down-'));
      downUrl = await closedPortUrl();
      down = await createTestApp({
        TTS_ENGINE: 'xtts',
        XTTS_URL: downUrl,
        XTTS_FALLBACK: 'none',
        ENGINE_POOL_SIZE: '1',
        VOICE_STORAGE_DIR: downStorage,
      });
      downBase = await listen(down);
    });
    afterAll(async () => {
      await down.close();
      rmSync(downStorage, { recursive: true, force: true });
    });

    const expectUnavailable = (status: number, contentType: string | undefined, body: unknown) => {
      expect(status).toBe(503);
      expect(contentType).toMatch(/^application\/json/);
      expect(body).toMatchObject({ statusCode: 503, code: 'engine_unavailable' });
    };

    it('synthesis of a cloned voice → 503 engine_unavailable before any audio, both routes', async () => {
      const { tenant, voiceId } = await clonedVoice(180);
      const whole = await request(down.getHttpServer())
        .post('/v1/synthesize')
        .set(bearer(tenant.key))
        .send({ text: ONE_PIECE, voice_id: voiceId, format: 'pcm' });
      expectUnavailable(whole.status, whole.headers['content-type'], whole.body);

      const streamed = await post(downBase, '/v1/synthesize/streaming', tenant.key, {
        text: ONE_PIECE,
        voice_id: voiceId,
        format: 'pcm',
      });
      expect(streamed.complete).toBe(true);
      expectUnavailable(
        streamed.status,
        streamed.headers['content-type'],
        JSON.parse(streamed.body.toString()),
      );
      expect(streamed.headers['x-tts-method']).toBeUndefined();

      const rows = await usageRows(down, tenant);
      expect(rows.map((r) => [r.endpoint, r.status, r.error_code, Number(r.bytes)])).toEqual([
        ['synthesize', 'failed', 'engine_unavailable', 0],
        ['synthesize/streaming', 'failed', 'engine_unavailable', 0],
      ]);
    });

    // The filter replaces an outage's internal message (server address, socket error).
    it('the 503 does not reveal the XTTS server’s address', async () => {
      const { tenant, voiceId } = await clonedVoice(180);
      const res = await request(down.getHttpServer())
        .post('/v1/synthesize')
        .set(bearer(tenant.key))
        .send({ text: ONE_PIECE, voice_id: voiceId })
        .expect(503);
      const { host } = new URL(downUrl);
      expect(res.body.code).toBe('engine_unavailable');
      expect(res.body.message).not.toContain(host);
      expect(res.body.detail).not.toContain(host);
    });

    it('upload → 503 engine_unavailable, and neither a row nor a file is left', async () => {
      const tenant = await createTenant(down);
      const res = await upload(down, tenant, referenceClip(180));
      expectUnavailable(res.status, res.headers['content-type'], res.body);
      const rows = await down
        .get(DataSource)
        .query('SELECT count(*)::int AS n FROM voices WHERE tenant_id = $1', [tenant.uuid]);
      expect(rows[0].n).toBe(0);
      expect(readdirSync(downStorage)).not.toContain(tenant.uuid);
    });
  });

  describe('with the server down and XTTS_FALLBACK=embedded', () => {
    let down: NestExpressApplication;
    let downBase: string;
    let downStorage: string;

    beforeAll(async () => {
      downStorage = mkdtempSync(join(tmpdir(), 'cw-xtts-fallback-'));
      down = await createTestApp({
        TTS_ENGINE: 'xtts',
        XTTS_URL: await closedPortUrl(),
        XTTS_FALLBACK: 'embedded',
        ENGINE_POOL_SIZE: '1',
        VOICE_STORAGE_DIR: downStorage,
      });
      downBase = await listen(down);
    });
    afterAll(async () => {
      await down.close();
      rmSync(downStorage, { recursive: true, force: true });
    });

    it('a cloned voice speaks through eSpeak’s approximation, at the requested rate', async () => {
      // A high reference, so the approximation is audibly not the default male voice.
      const { tenant, voiceId } = await clonedVoice(220);
      const whole = await request(down.getHttpServer())
        .post('/v1/synthesize')
        .set(bearer(tenant.key))
        .send({ text: TWO_SENTENCES, voice_id: voiceId, format: 'wav', sample_rate: 16_000 })
        .buffer(true)
        .parse(binaryParser)
        .expect(200);
      expect(whole.headers).toMatchObject({
        'x-tts-method': 'espeak',
        'x-audio-sample-rate': '16000',
        'content-type': 'audio/wav',
      });
      const wav = parseWav(whole.body);
      expect(wav).toMatchObject({ sampleRate: 16_000, channels: 1, bitsPerSample: 16 });
      const seconds = wav.samples[0].length / 16_000;
      expect(Number(whole.headers['x-audio-duration-ms'])).toBe(Math.round(seconds * 1000));
      expect(seconds).toBeGreaterThan(2);
      const f0 = speechF0(trackPitch(wav.samples[0], 16_000));
      expect(f0).toBeGreaterThan(180);
      expect(f0).toBeLessThan(260);

      const streamed = await post(downBase, '/v1/synthesize/streaming', tenant.key, {
        text: TWO_SENTENCES,
        voice_id: voiceId,
        format: 'pcm',
        sample_rate: 16_000,
      });
      expect(streamed.status).toBe(200);
      expect(streamed.complete).toBe(true);
      expect(streamed.headers).toMatchObject({
        'x-tts-method': 'espeak',
        'content-type': 'audio/L16;rate=16000',
      });
      // eSpeak's variants add random flutter, so two renderings differ in detail, not in length.
      expect(Math.abs(streamed.body.length - (whole.body.length - 44))).toBeLessThan(
        0.02 * streamed.body.length,
      );
      const streamedF0 = speechF0(
        trackPitch(
          Float32Array.from(int16Of(streamed.body), (v) => v / 32768),
          16_000,
        ),
      );
      expect(streamedF0).toBeGreaterThan(180);
      expect(streamedF0).toBeLessThan(260);

      const rows = await usageRows(down, tenant);
      expect(rows.map((r) => [r.status, r.engine])).toEqual([
        ['completed', 'espeak'],
        ['completed', 'espeak'],
      ]);
    });

    it('a built-in voice speaks through eSpeak, mu-law at 8 kHz', async () => {
      const tenant = await createTenant(down);
      const res = await post(downBase, '/v1/synthesize/streaming', tenant.key, {
        text: ONE_PIECE,
        voice_id: 'professional_female',
        format: 'mulaw',
      });
      expect(res.status).toBe(200);
      expect(res.complete).toBe(true);
      expect(res.headers).toMatchObject({
        'x-tts-method': 'espeak',
        'x-voice-id': 'professional_female',
        'content-type': 'audio/basic',
        'x-audio-sample-rate': '8000',
      });
      // eSpeak says this in well over a second: thousands of 8 kHz bytes.
      expect(res.body.length).toBeGreaterThan(8000);
      const [row] = await usageRows(down, tenant);
      expect(row).toMatchObject({ status: 'completed', engine: 'espeak' });
      expect(row.audio_ms).toBe(Math.round(res.body.length / 8));
    });

    it('upload still needs the server: 503, nothing stored', async () => {
      const tenant = await createTenant(down);
      const res = await upload(down, tenant, referenceClip(180));
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('engine_unavailable');
      expect(readdirSync(downStorage)).not.toContain(tenant.uuid);
    });
  });
});
