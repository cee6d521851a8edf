import { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { medianF0, parseWav, trackPitch } from '@cw/audio';
import { BUILTIN_VOICE_PRESETS } from '@cw/engines';
import { mp3File, randomNoiseBytes, voiceLike, wavFile } from './helpers/audio-fixtures';
import { bearer, binaryParser, createTenant, createTestApp, TestTenant } from './helpers/test-app';

describe('voice profiles', () => {
  let app: NestExpressApplication;
  let storageDir: string;
  let tenant: TestTenant;

  beforeAll(async () => {
    storageDir = mkdtempSync(join(tmpdir(), 'cw-voices-'));
    app = await createTestApp({ VOICE_STORAGE_DIR: storageDir });
    tenant = await createTenant(app, { max_voices: 20 });
  });
  afterAll(async () => {
    await app.close();
    rmSync(storageDir, { recursive: true, force: true });
  });

  const upload = (
    key: string,
    file: Buffer | null,
    opts: { field?: string; filename?: string; name?: string } = {},
  ) => {
    const req = request(app.getHttpServer()).post('/v1/voices/upload').set(bearer(key));
    if (opts.name !== '') req.field('name', opts.name ?? 'Test voice');
    if (file)
      req.attach(opts.field ?? 'voice_file', file, {
        filename: opts.filename ?? 'voice.wav',
        contentType: 'audio/wav',
      });
    return req;
  };
  const filesFor = (t: TestTenant) => {
    try {
      return readdirSync(join(storageDir, t.uuid));
    } catch {
      return [];
    }
  };

  describe('upload matrix', () => {
    it.each([
      ['16-bit mono WAV at 24 kHz', () => wavFile(voiceLike(120, 4, 24000), 24000), 'wav'],
      ['8-bit WAV at 16 kHz', () => wavFile(voiceLike(120, 4, 16000), 16000, { bits: 8 }), 'wav'],
      [
        'stereo 16-bit WAV at 44.1 kHz',
        () => wavFile(voiceLike(180, 5, 44100), 44100, { channels: 2 }),
        'wav',
      ],
      ['MP3', () => mp3File(voiceLike(150, 5, 22050), 22050), 'mp3'],
    ])('accepts %s', async (_name, make, format) => {
      const res = await upload(tenant.key, await make(), { filename: 'clip.bin' }).expect(200);
      expect(res.body).toMatchObject({
        name: 'Test voice',
        language: 'en',
        has_reference_audio: true,
        cloning: 'approximate',
        source: 'uploaded',
      });
      expect(res.body.voice_id).toMatch(/^v_[0-9A-Za-z]{20}$/);
      expect(res.body.message).toContain('approximate');
      expect(res.body.duration_s).toBeGreaterThanOrEqual(3.9);
      const ref = await request(app.getHttpServer())
        .get(`/v1/voices/${res.body.voice_id}/reference`)
        .set(bearer(tenant.key))
        .buffer(true)
        .parse(binaryParser)
        .expect(200);
      expect(ref.headers['content-type']).toBe('audio/wav');
      const wav = parseWav(ref.body);
      expect(wav).toMatchObject({ sampleRate: 24000, channels: 1, bitsPerSample: 16 });
      const rows = await app
        .get(DataSource)
        .query('SELECT reference_format FROM voices WHERE voice_id = $1', [res.body.voice_id]);
      expect(rows[0].reference_format).toBe(format);
    });

    it.each([
      [
        'too short',
        () => wavFile(voiceLike(120, 2, 16000), 16000),
        400,
        'audio_too_short',
        '3 to 60 seconds',
      ],
      [
        'too long',
        () => wavFile(voiceLike(120, 61, 8000), 8000),
        400,
        'audio_too_long',
        '3 to 60 seconds',
      ],
      ['silent', () => wavFile(new Float32Array(16000 * 5), 16000), 400, 'audio_silent', 'silent'],
      [
        'random bytes',
        () => randomNoiseBytes(50_000),
        400,
        'invalid_audio',
        'File must be an audio file',
      ],
      [
        'a text file renamed .wav',
        () => Buffer.from('hello world\n'.repeat(1000)),
        400,
        'invalid_audio',
        'File must be an audio file',
      ],
    ])('rejects %s', async (_name, make, status, code, message) => {
      const before = filesFor(tenant).length;
      const res = await upload(tenant.key, make()).expect(status);
      expect(res.body.code).toBe(code);
      expect(res.body.message).toContain(message);
      expect(filesFor(tenant)).toHaveLength(before);
    });

    it('rejects over 10 MB with 413', async () => {
      const res = await upload(tenant.key, Buffer.alloc(10 * 1024 * 1024 + 1)).expect(413);
      expect(res.body.code).toBe('payload_too_large');
    });

    it('a wrong field name → 422 naming voice_file', async () => {
      const res = await upload(tenant.key, wavFile(voiceLike(120, 4, 16000), 16000), {
        field: 'audio',
      }).expect(422);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.message).toContain('voice_file is required');
      expect(res.body.message).toContain("'audio'");
    });

    it('a missing file → 422; a missing name → 422', async () => {
      expect((await upload(tenant.key, null).expect(422)).body.code).toBe('validation_failed');
      const res = await upload(tenant.key, wavFile(voiceLike(120, 4, 16000), 16000), {
        name: '',
      }).expect(422);
      expect(res.body.fields).toHaveProperty('name');
    });
  });

  it('documents 200 for an upload, as the predecessor answered (its clients check for 200)', async () => {
    const doc = await request(app.getHttpServer()).get('/openapi.json').expect(200);
    const responses = doc.body.paths['/v1/voices/upload'].post.responses as Record<string, unknown>;
    expect(Object.keys(responses)).toContain('200');
    expect(Object.keys(responses)).not.toContain('201');
  });

  it('holds max_voices under 20 simultaneous uploads', async () => {
    const limited = await createTenant(app, { max_voices: 5 });
    const clip = wavFile(voiceLike(130, 3.5, 16000), 16000);
    const results = await Promise.all(Array.from({ length: 20 }, () => upload(limited.key, clip)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 409)).toHaveLength(15);
    const refused = results.find((r) => r.status === 409)!;
    expect(refused.body).toMatchObject({ code: 'voice_limit_reached', max_voices: 5 });
    expect(refused.body.message).toContain('at most 5 voices');
    const rows = await app
      .get(DataSource)
      .query('SELECT count(*)::int AS n FROM voices WHERE tenant_id = $1', [limited.uuid]);
    expect(rows[0].n).toBe(5);
    expect(filesFor(limited)).toHaveLength(5);
    const stats = await request(app.getHttpServer())
      .get('/v1/tenant/stats')
      .set(bearer(limited.key))
      .expect(200);
    // The cap counts uploads only; the five built-ins are reported apart from them.
    expect(stats.body).toMatchObject({
      total_voices: 5 + 5,
      builtin_voices: 5,
      uploaded_voices: 5,
      max_voices: 5,
    });
  });

  it('lists built-in voices plus the tenant’s own, with every field', async () => {
    const own = await createTenant(app);
    const created = await upload(own.key, wavFile(voiceLike(120, 4, 16000), 16000), {
      name: 'Mine',
    }).expect(200);
    const res = await request(app.getHttpServer())
      .get('/v1/voices')
      .set(bearer(own.key))
      .expect(200);
    const ids = res.body.map((v: { voice_id: string }) => v.voice_id);
    expect(new Set(ids)).toEqual(
      new Set([
        'default',
        'naija_female',
        'naija_male',
        'professional_female',
        'professional_male',
        created.body.voice_id,
      ]),
    );
    for (const v of res.body) {
      for (const field of [
        'voice_id',
        'name',
        'created_at',
        'language',
        'has_reference_audio',
        'gender',
        'accent',
        'source',
        'cloning',
      ]) {
        expect(v).toHaveProperty(field);
      }
    }
  });

  it('built-in rows carry the documented eSpeak presets', async () => {
    const rows: { voice_id: string; conditioning: { espeak: unknown } }[] = await app
      .get(DataSource)
      .query(`SELECT voice_id, conditioning FROM voices WHERE source = 'builtin'`);
    expect(rows).toHaveLength(5);
    for (const row of rows)
      expect(row.conditioning.espeak).toEqual(BUILTIN_VOICE_PRESETS[row.voice_id]);
  });

  it('PATCH renames; DELETE removes row and file; built-ins are protected', async () => {
    const own = await createTenant(app);
    const created = await upload(own.key, wavFile(voiceLike(120, 4, 16000), 16000)).expect(200);
    const id = created.body.voice_id;
    const patched = await request(app.getHttpServer())
      .patch(`/v1/voices/${id}`)
      .set(bearer(own.key))
      .send({ name: 'Renamed', description: 'front desk' })
      .expect(200);
    expect(patched.body).toMatchObject({ name: 'Renamed', description: 'front desk' });
    expect(filesFor(own)).toHaveLength(1);
    await request(app.getHttpServer())
      .delete(`/v1/voices/${id}`)
      .set(bearer(own.key))
      .expect(200, { voice_id: id, deleted: true });
    expect(filesFor(own)).toHaveLength(0);
    await request(app.getHttpServer()).get(`/v1/voices/${id}`).set(bearer(own.key)).expect(404);
    const builtin = await request(app.getHttpServer())
      .delete('/v1/voices/default')
      .set(bearer(own.key))
      .expect(403);
    expect(builtin.body.code).toBe('builtin_voice');
    await request(app.getHttpServer())
      .patch('/v1/voices/default')
      .set(bearer(own.key))
      .send({ name: 'x' })
      .expect(403);
  });

  it('another tenant’s voice is a 404 everywhere, in the same words as an unknown one', async () => {
    const owner = await createTenant(app);
    const stranger = await createTenant(app);
    const id = (await upload(owner.key, wavFile(voiceLike(120, 4, 16000), 16000)).expect(200)).body
      .voice_id;
    const http = () => request(app.getHttpServer());
    const attempts = [
      http().get(`/v1/voices/${id}`),
      http().patch(`/v1/voices/${id}`).send({ name: 'mine now' }),
      http().delete(`/v1/voices/${id}`),
      http().get(`/v1/voices/${id}/reference`),
      http().post('/v1/synthesize').send({ text: 'Hello', voice_id: id }),
      http().post('/v1/synthesize/streaming').send({ text: 'Hello', voice_id: id }),
    ];
    for (const attempt of attempts) {
      const res = await attempt.set(bearer(stranger.key)).expect(404);
      expect(res.body).toMatchObject({
        code: 'voice_not_found',
        message: `Voice profile '${id}' not found`,
      });
    }
    const list = await http().get('/v1/voices').set(bearer(stranger.key)).expect(200);
    expect(list.body.map((v: { voice_id: string }) => v.voice_id)).not.toContain(id);
    // Still intact for its owner.
    await http().get(`/v1/voices/${id}`).set(bearer(owner.key)).expect(200);
    expect(filesFor(owner)).toHaveLength(1);
  });

  it('approximate cloning: a 100 Hz reference speaks clearly lower than a 220 Hz one', async () => {
    const own = await createTenant(app);
    const low = (await upload(own.key, wavFile(voiceLike(100, 6, 24000), 24000)).expect(200)).body
      .voice_id;
    const high = (await upload(own.key, wavFile(voiceLike(220, 6, 24000), 24000)).expect(200)).body
      .voice_id;
    const text = 'Good morning, thank you for calling. How may I help you today?';
    const f0Of = async (voiceId: string) => {
      const res = await request(app.getHttpServer())
        .post('/v1/synthesize')
        .set(bearer(own.key))
        .send({ text, voice_id: voiceId, format: 'wav' })
        .buffer(true)
        .parse(binaryParser)
        .expect(200);
      const wav = parseWav(res.body);
      return medianF0(trackPitch(wav.samples[0], wav.sampleRate));
    };
    const lowHz = await f0Of(low);
    const highHz = await f0Of(high);
    process.stdout.write(
      `[measure] cloned F0: 100 Hz reference → ${lowHz} Hz, 220 Hz reference → ${highHz} Hz\n`,
    );
    expect(lowHz).not.toBeNull();
    expect(highHz).not.toBeNull();
    expect(highHz! / lowHz!).toBeGreaterThan(1.6);
    expect(lowHz!).toBeGreaterThan(80);
    expect(lowHz!).toBeLessThan(125);
    expect(highHz!).toBeGreaterThan(180);
    expect(highHz!).toBeLessThan(260);
  });
});
