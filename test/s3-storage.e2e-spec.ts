import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { NestExpressApplication } from '@nestjs/platform-express';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { parseWav } from '@cw/audio';
import { VoicesTransaction } from '../apps/api/src/voices/voices.repository';
import { voiceLike, wavFile } from './helpers/audio-fixtures';
import { type LocalS3, S3RVER_CREDENTIALS, startS3rver } from './helpers/s3';
import { bearer, binaryParser, createTenant, createTestApp, TestTenant } from './helpers/test-app';

const BUCKET = 'cw-voices-e2e';

describe('voice reference audio in S3 (s3rver)', () => {
  let local: LocalS3;
  let s3: S3Client;
  let app: NestExpressApplication;
  let localDir: string;

  beforeAll(async () => {
    // The local directory the app would use without S3_BUCKET: it must stay empty.
    localDir = mkdtempSync(join(tmpdir(), 'cw-s3-local-'));
    local = await startS3rver(BUCKET);
    const { endpoint } = local;
    s3 = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: S3RVER_CREDENTIALS,
    });
    app = await createTestApp({
      ENGINE_POOL_SIZE: '1',
      VOICE_STORAGE_DIR: localDir,
      ...local.env,
    });
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    await app.close();
    s3.destroy();
    await local.stop();
    rmSync(localDir, { recursive: true, force: true });
  });

  const clip = (f0 = 140) => wavFile(voiceLike(f0, 4, 16_000), 16_000, { channels: 2 });
  const upload = (t: TestTenant, file: Buffer) =>
    request(app.getHttpServer())
      .post('/v1/voices/upload')
      .set(bearer(t.key))
      .field('name', 'Reception')
      .attach('voice_file', file, { filename: 'reception.wav', contentType: 'audio/wav' });
  const keysOf = async (t: TestTenant): Promise<string[]> => {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${t.uuid}/` }));
    return (out.Contents ?? []).map((o) => o.Key!).sort();
  };
  const objectBytes = async (key: string): Promise<Buffer> => {
    const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return Buffer.from(await out.Body!.transformToByteArray());
  };
  const voiceRow = async (t: TestTenant, voiceId: string) => {
    const rows: { id: string; reference_storage_key: string; reference_sha256: string }[] =
      await app
        .get(DataSource)
        .query(
          'SELECT id, reference_storage_key, reference_sha256 FROM voices WHERE tenant_id = $1 AND voice_id = $2',
          [t.uuid, voiceId],
        );
    expect(rows).toHaveLength(1);
    return rows[0];
  };

  it('upload stores <tenant uuid>/<voice uuid>.wav, a 24 kHz mono WAV, served back unchanged', async () => {
    const tenant = await createTenant(app);
    const res = await upload(tenant, clip()).expect(200);
    const row = await voiceRow(tenant, res.body.voice_id);
    const key = `${tenant.uuid}/${row.id}.wav`;
    expect(row.reference_storage_key).toBe(key);
    expect(await keysOf(tenant)).toEqual([key]);

    const stored = await objectBytes(key);
    expect(parseWav(stored)).toMatchObject({ sampleRate: 24_000, channels: 1, bitsPerSample: 16 });
    expect(parseWav(stored).samples[0].length).toBe(4 * 24_000);
    expect(createHash('sha256').update(stored).digest('hex')).toBe(row.reference_sha256);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.ContentType).toBe('audio/wav');

    const served = await request(app.getHttpServer())
      .get(`/v1/voices/${res.body.voice_id}/reference`)
      .set(bearer(tenant.key))
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    expect(served.headers['content-type']).toBe('audio/wav');
    expect(served.body.equals(stored)).toBe(true);
    // S3 was used instead of the local directory, not as well as it.
    expect(readdirSync(localDir)).toEqual([]);
  });

  it('another tenant cannot read the reference; the object stays put', async () => {
    const owner = await createTenant(app);
    const stranger = await createTenant(app);
    const res = await upload(owner, clip()).expect(200);
    await request(app.getHttpServer())
      .get(`/v1/voices/${res.body.voice_id}/reference`)
      .set(bearer(stranger.key))
      .expect(404);
    await request(app.getHttpServer())
      .delete(`/v1/voices/${res.body.voice_id}`)
      .set(bearer(stranger.key))
      .expect(404);
    expect(await keysOf(owner)).toHaveLength(1);
  });

  it('DELETE removes the object, and only that voice’s object', async () => {
    const tenant = await createTenant(app);
    const kept = await upload(tenant, clip(120)).expect(200);
    const gone = await upload(tenant, clip(200)).expect(200);
    const keptKey = (await voiceRow(tenant, kept.body.voice_id)).reference_storage_key;
    const goneKey = (await voiceRow(tenant, gone.body.voice_id)).reference_storage_key;
    expect(await keysOf(tenant)).toEqual([keptKey, goneKey].sort());

    await request(app.getHttpServer())
      .delete(`/v1/voices/${gone.body.voice_id}`)
      .set(bearer(tenant.key))
      .expect(200, { voice_id: gone.body.voice_id, deleted: true });
    expect(await keysOf(tenant)).toEqual([keptKey]);
    await expect(objectBytes(goneKey)).rejects.toMatchObject({ name: 'NoSuchKey' });
    await request(app.getHttpServer())
      .get(`/v1/voices/${gone.body.voice_id}/reference`)
      .set(bearer(tenant.key))
      .expect(404);
  });

  it('an upload over the voice limit leaves no object', async () => {
    const tenant = await createTenant(app, { max_voices: 1 });
    await upload(tenant, clip()).expect(200);
    const before = await keysOf(tenant);
    expect(before).toHaveLength(1);
    const refused = await upload(tenant, clip(180)).expect(409);
    expect(refused.body).toMatchObject({ code: 'voice_limit_reached', max_voices: 1 });
    expect(await keysOf(tenant)).toEqual(before);
  });

  it('an invalid upload leaves no object', async () => {
    const tenant = await createTenant(app);
    const res = await upload(tenant, wavFile(voiceLike(140, 1.5, 16_000), 16_000)).expect(400);
    expect(res.body.code).toBe('audio_too_short');
    expect(await keysOf(tenant)).toEqual([]);
  });

  it('a database failure after the object was written removes the object again', async () => {
    const tenant = await createTenant(app);
    let keysWhenInsertFailed: string[] = [];
    jest.spyOn(VoicesTransaction.prototype, 'insertVoice').mockImplementationOnce(async () => {
      keysWhenInsertFailed = await keysOf(tenant);
      throw new Error('connection terminated');
    });
    const res = await upload(tenant, clip()).expect(500);
    expect(res.body.code).toBe('internal_error');
    // The object had been written before the row failed; the upload then took it away.
    expect(keysWhenInsertFailed).toHaveLength(1);
    expect(await keysOf(tenant)).toEqual([]);
    const rows = await app
      .get(DataSource)
      .query('SELECT count(*)::int AS n FROM voices WHERE tenant_id = $1', [tenant.uuid]);
    expect(rows[0].n).toBe(0);
  });
});
