import { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import {
  flacSilence,
  mp3Silence,
  oggOpusSilence,
  wavSilence,
} from '../libs/audio/src/decode/__tests__/fixtures';
import { bearer, createTenant, createTestApp, TestTenant } from './helpers/test-app';

/*
 * Decompression bombs at the upload route: small files that decode to an hour of audio are
 * refused with the documented 400s. That decoding stops at the limit (rather than after the
 * hour) is asserted on the decoder's own counts in libs/audio decode-bounds.spec.ts.
 */
describe('voice upload: decompression bombs', () => {
  let app: NestExpressApplication;
  let storageDir: string;
  let tenant: TestTenant;

  beforeAll(async () => {
    storageDir = mkdtempSync(join(tmpdir(), 'cw-bombs-'));
    app = await createTestApp({ VOICE_STORAGE_DIR: storageDir });
    tenant = await createTenant(app);
  });
  afterAll(async () => {
    await app.close();
    rmSync(storageDir, { recursive: true, force: true });
  });

  const upload = (file: Buffer) =>
    request(app.getHttpServer())
      .post('/v1/voices/upload')
      .set(bearer(tenant.key))
      .field('name', 'Bomb')
      .attach('voice_file', file, {
        filename: 'voice.bin',
        contentType: 'application/octet-stream',
      });

  it.each([
    ['an hour of 8-channel 96 kHz FLAC', () => flacSilence(8, 96000, 3600)],
    ['the same FLAC with its length left unknown', () => flacSilence(8, 96000, 3600, 0)],
    ['an hour of Ogg Opus', () => oggOpusSilence(3600)],
    ['two minutes of MP3', () => mp3Silence(120)],
    ['two minutes of 1 kHz WAV', () => wavSilence(1, 1000, 120_000)],
  ])('refuses %s with 400 audio_too_long', async (_name, make) => {
    const res = await upload(make()).expect(400);
    expect(res.body.code).toBe('audio_too_long');
    expect(res.body.message).toContain('3 to 60 seconds');
  });

  it.each([
    ['a WAV header claiming 65,535 channels', () => wavSilence(65535, 8000, 65535 * 10)],
    ['an OpusHead claiming 255 channels', () => oggOpusSilence(5, 312, 255)],
  ])('refuses %s with 400 too_many_channels', async (_name, make) => {
    const res = await upload(make()).expect(400);
    expect(res.body.code).toBe('too_many_channels');
    expect(res.body.message).toMatch(/mono or stereo/);
  });

  it('the process can still take a normal upload afterwards', async () => {
    const res = await upload(wavSilence(1, 8000, 8000 * 5)).expect(400);
    // Five seconds of silence decodes fully and is judged on its content.
    expect(res.body.code).toBe('audio_silent');
  });
});
