import {
  AudioError,
  AudioErrorCode,
  AudioWorkerPool,
  parseWav,
  type ReferenceAnalysis,
} from '@cw/audio';
import { scale, syntheticVoice } from '../analysis/__tests__/synthetic-voice';
import {
  flacFile,
  mp3File,
  oggOpusSilence,
  randomBytes,
  toInt16,
  wavFile,
} from './__tests__/fixtures';

const pool = new AudioWorkerPool({ maxThreads: 2 });
afterAll(() => pool.close());

function expectVoice(analysis: ReferenceAnalysis, f0: number, rate: number): void {
  expect(analysis.silent).toBe(false);
  expect(Math.abs((analysis.f0MedianHz as number) / f0 - 1)).toBeLessThan(0.05);
  expect(Math.abs((analysis.speakingRate as number) / rate - 1)).toBeLessThan(0.1);
}

describe('analyzeReference', () => {
  it('measures a 100 Hz voice in a stereo 44.1 kHz WAV and renders it as 24 kHz mono WAV', async () => {
    const voice = syntheticVoice({ f0: 100, sampleRate: 44100, seconds: 4, pad: 0.25 });
    const analysis = await pool.analyzeReference(wavFile([voice, voice], 44100, 'pcm16'));
    expect(analysis).toMatchObject({
      format: 'wav',
      originalSampleRate: 44100,
      channels: 2,
      durationMs: (voice.length / 44100) * 1000,
    });
    expectVoice(analysis, 100, 4);
    expect(analysis.peakDbfs).toBeLessThan(0);
    expect(analysis.rmsDbfs).toBeGreaterThan(-30);

    expect(Buffer.isBuffer(analysis.wav24k)).toBe(true);
    const wav = parseWav(analysis.wav24k);
    expect(wav).toMatchObject({ sampleRate: 24000, channels: 1, bitsPerSample: 16, format: 1 });
    expect(wav.samples[0].length).toBe(Math.round((voice.length * 24000) / 44100));
  });

  it('measures a 220 Hz voice in a lamejs MP3', async () => {
    const voice = syntheticVoice({ f0: 220, sampleRate: 44100, seconds: 4, pad: 0.25 });
    const analysis = await pool.analyzeReference(await mp3File([toInt16(voice)], 44100, 64));
    expect(analysis).toMatchObject({ format: 'mp3', originalSampleRate: 44100, channels: 1 });
    expect(Math.abs(analysis.durationMs - 4500)).toBeLessThanOrEqual(60);
    expectVoice(analysis, 220, 4);
  });

  it('measures a voice in FLAC at 48 kHz and in an 8 kHz telephone WAV', async () => {
    const voice48 = syntheticVoice({
      f0: 140,
      sampleRate: 48000,
      seconds: 3,
      syllablesPerSecond: 5,
    });
    expectVoice(await pool.analyzeReference(flacFile([toInt16(voice48)], 48000)), 140, 5);
    const voice8 = syntheticVoice({ f0: 180, sampleRate: 8000, seconds: 3, syllablesPerSecond: 3 });
    expectVoice(await pool.analyzeReference(wavFile([voice8], 8000, 'pcm8')), 180, 3);
  });

  it.each([
    ['digital silence', () => wavFile([new Float32Array(48000)], 16000, 'pcm16')],
    [
      'a voice at -60 dBFS',
      () =>
        wavFile(
          [scale(syntheticVoice({ f0: 120, sampleRate: 16000, seconds: 3 }), 0.001)],
          16000,
          'float32',
        ),
    ],
    ['silent Ogg Opus', () => oggOpusSilence(3)],
  ])('reports %s as silent', async (_, file) => {
    const analysis = await pool.analyzeReference(file());
    expect(analysis).toMatchObject({ silent: true, f0MedianHz: null, speakingRate: null });
    expect(analysis.rmsDbfs).toBeLessThan(-50);
  });

  it('rejects what is not audio with an AudioError', async () => {
    const error: unknown = await pool.analyzeReference(randomBytes(50_000, 9)).catch((e) => e);
    expect(error).toBeInstanceOf(AudioError);
    expect((error as AudioError).code).toBe(AudioErrorCode.InvalidAudio);
  });
});
