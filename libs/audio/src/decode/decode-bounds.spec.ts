import { AudioError, AudioErrorCode, AudioWorkerPool, type DecodeStats } from '@cw/audio';
import {
  flacSilence,
  mp3Silence,
  oggFlacSilence,
  oggOpusSilence,
  wavSilence,
} from './__tests__/fixtures';

/*
 * Decompression bombs: small files of silence that decode to an hour of audio. Each is refused
 * with audio_too_long (or too_many_channels) having decoded no more than the limit, in steps of
 * bounded size, as the worker's DecodeStats report. Runs the compiled worker (dist/).
 */
const pool = new AudioWorkerPool({ maxThreads: 1 });
afterAll(() => pool.close());

const LIMIT_MS = 61_000;
// One decoding step: 2^18 samples gathered, plus at most one unit (a FLAC frame, an Ogg page).
const STEP_BOUND = (1 << 18) + 4096 * 8;

async function refusal(bytes: Buffer): Promise<AudioError & { stats: DecodeStats }> {
  const error: unknown = await pool.decode(bytes, { maxDurationMs: LIMIT_MS }).then(
    () => new Error('expected the file to be refused'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AudioError);
  expect((error as AudioError).stats).toBeDefined();
  return error as AudioError & { stats: DecodeStats };
}

describe('decoding bounds', () => {
  it('refuses an hour of 8-channel 96 kHz FLAC from STREAMINFO, decoding nothing', async () => {
    const bomb = flacSilence(8, 96000, 3600);
    expect(bomb.length).toBeLessThan(4_000_000);
    const error = await refusal(bomb);
    expect(error.code).toBe(AudioErrorCode.AudioTooLong);
    expect(error.stats.framesDecoded).toBe(0);
  });

  it('stops the same FLAC at the limit when STREAMINFO does not give its length', async () => {
    const error = await refusal(flacSilence(8, 96000, 3600, 0));
    expect(error.code).toBe(AudioErrorCode.AudioTooLong);
    expect(error.stats.framesDecoded).toBeGreaterThan(0);
    expect(error.stats.framesDecoded).toBeLessThanOrEqual((96000 * LIMIT_MS) / 1000);
    expect(error.stats.largestStepSamples).toBeLessThanOrEqual(STEP_BOUND);
  });

  it('refuses Ogg FLAC from its STREAMINFO, and stops it at the limit without one', async () => {
    const declared = await refusal(oggFlacSilence(2, 48000, 3600));
    expect(declared.code).toBe(AudioErrorCode.AudioTooLong);
    expect(declared.stats.framesDecoded).toBe(0);

    const unknown = await refusal(oggFlacSilence(2, 48000, 3600, 0));
    expect(unknown.code).toBe(AudioErrorCode.AudioTooLong);
    expect(unknown.stats.framesDecoded).toBeGreaterThan(0);
    expect(unknown.stats.framesDecoded).toBeLessThanOrEqual((48000 * LIMIT_MS) / 1000);
    expect(unknown.stats.largestStepSamples).toBeLessThanOrEqual(STEP_BOUND);
  });

  it('stops an hour of Ogg Opus at the limit', async () => {
    const bomb = oggOpusSilence(3600);
    expect(bomb.length).toBeLessThan(600_000);
    const error = await refusal(bomb);
    expect(error.code).toBe(AudioErrorCode.AudioTooLong);
    expect(error.stats.framesDecoded).toBeGreaterThan(0);
    expect(error.stats.framesDecoded).toBeLessThanOrEqual((48000 * LIMIT_MS) / 1000);
    expect(error.stats.largestStepSamples).toBeLessThanOrEqual(STEP_BOUND);
  });

  it('refuses Ogg Opus claiming 255 channels before decoding', async () => {
    const error = await refusal(oggOpusSilence(5, 312, 255));
    expect(error.code).toBe(AudioErrorCode.TooManyChannels);
    expect(error.message).toMatch(/255 channels/);
    expect(error.stats.framesDecoded).toBe(0);
  });

  it('stops two minutes of MP3 at the limit', async () => {
    const error = await refusal(mp3Silence(120));
    expect(error.code).toBe(AudioErrorCode.AudioTooLong);
    expect(error.stats.framesDecoded).toBeGreaterThan(0);
    expect(error.stats.framesDecoded).toBeLessThanOrEqual((48000 * LIMIT_MS) / 1000);
    expect(error.stats.largestStepSamples).toBeLessThanOrEqual(STEP_BOUND);
  });

  it('refuses a WAV from its header: too long, or 65,535 channels, decoding nothing', async () => {
    const long = await refusal(wavSilence(1, 1000, 120_000));
    expect(long.code).toBe(AudioErrorCode.AudioTooLong);
    expect(long.stats.framesDecoded).toBe(0);

    const wide = await refusal(wavSilence(65535, 8000, 65535 * 10));
    expect(wide.code).toBe(AudioErrorCode.TooManyChannels);
    expect(wide.stats.framesDecoded).toBe(0);
  });

  it('still decodes files within the limit', async () => {
    const flac = await pool.decode(flacSilence(8, 96000, 5, 0), { maxDurationMs: LIMIT_MS });
    expect(flac).toMatchObject({ format: 'flac', sampleRate: 96000, channels: 8 });
    expect(flac.durationMs).toBe(5000);
    const mp3 = await pool.decode(mp3Silence(5), { maxDurationMs: LIMIT_MS });
    expect(mp3).toMatchObject({ format: 'mp3', sampleRate: 48000, channels: 1 });
    expect(Math.abs(mp3.durationMs - 5000)).toBeLessThanOrEqual(60);
  });
});
