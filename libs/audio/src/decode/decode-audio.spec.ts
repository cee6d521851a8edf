import { AudioError, AudioErrorCode, AudioWorkerPool } from '@cw/audio';
import { toneFrequency } from '../__tests__/signal';
import { syntheticVoice } from '../analysis/__tests__/synthetic-voice';
import {
  flacFile,
  id3v2Tag,
  mp3File,
  oggFlacFile,
  oggOpusSilence,
  oggVorbisStart,
  randomBytes,
  toInt16,
  type WavEncoding,
  wavFile,
} from './__tests__/fixtures';

/*
 * These run the compiled worker (dist/, built by `npm test`'s pretest). mpg123-decoder,
 * @wasm-audio-decoders/flac and ogg-opus-decoder are ESM-only: that they decode here, from inside
 * Jest's VM, shows the worker thread loads them with a real import().
 */
const pool = new AudioWorkerPool({ maxThreads: 2 });
afterAll(() => pool.close());

function tone(hz: number, sampleRate: number, seconds: number, amplitude = 0.5): Float32Array {
  return Float32Array.from(
    { length: Math.round(sampleRate * seconds) },
    (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRate),
  );
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

async function audioError(promise: Promise<unknown>): Promise<AudioError> {
  const error: unknown = await promise.then(
    () => new Error('expected an AudioError'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AudioError);
  return error as AudioError;
}

describe('decodeAudio: WAV', () => {
  const voice = syntheticVoice({ f0: 180, sampleRate: 16000, seconds: 1.25 });
  const steps: Record<WavEncoding, number> = {
    pcm8: 1 / 128,
    pcm16: 1 / 32768,
    pcm24: 1 / 8388608,
    pcm32: 1 / 2147483648,
    float32: 1e-7,
  };

  it.each(Object.keys(steps) as WavEncoding[])('decodes %s mono exactly', async (encoding) => {
    const decoded = await pool.decode(wavFile([voice], 16000, encoding));
    expect(decoded).toMatchObject({ format: 'wav', sampleRate: 16000, channels: 1 });
    expect(decoded.durationMs).toBe(1250);
    expect(maxDifference(decoded.mono, voice)).toBeLessThanOrEqual(steps[encoding]);
  });

  it('mixes stereo 44.1 kHz to mono, with the exact duration', async () => {
    const left = syntheticVoice({ f0: 120, sampleRate: 44100, seconds: 2.5 });
    const right = tone(440, 44100, 2.5, 0.2);
    const decoded = await pool.decode(wavFile([left, right], 44100, 'pcm16'));
    expect(decoded).toMatchObject({ format: 'wav', sampleRate: 44100, channels: 2 });
    expect(decoded.durationMs).toBe(2500);
    const mix = left.map((v, i) => (v + right[i]) / 2);
    expect(maxDifference(decoded.mono, mix)).toBeLessThan(1e-4);
  });

  it('decodes WAVE_FORMAT_EXTENSIBLE 24-bit stereo at 48 kHz', async () => {
    const left = tone(300, 48000, 0.5);
    const decoded = await pool.decode(wavFile([left, left], 48000, 'pcm24', true));
    expect(decoded).toMatchObject({ sampleRate: 48000, channels: 2, durationMs: 500 });
    expect(maxDifference(decoded.mono, left)).toBeLessThan(1e-6);
  });

  it('reports unsupported and broken WAV files with the generic codes', async () => {
    const twelveBit = wavFile([voice], 16000, 'pcm16');
    twelveBit.writeUInt16LE(12, 20 + 14);
    expect((await audioError(pool.decode(twelveBit))).code).toBe(AudioErrorCode.UnsupportedAudio);

    const rf64 = wavFile([voice], 16000, 'pcm16');
    rf64.write('RF64', 0, 'ascii');
    expect((await audioError(pool.decode(rf64))).code).toBe(AudioErrorCode.UnsupportedAudio);

    const empty = wavFile([new Float32Array(0)], 16000, 'pcm16');
    const error = await audioError(pool.decode(empty));
    expect(error.code).toBe(AudioErrorCode.InvalidAudio);
    expect(error.message).toMatch(/no audio/);
  });
});

describe('decodeAudio: MP3', () => {
  it('decodes a lamejs stereo 44.1 kHz MP3 to within 60 ms of its length', async () => {
    const left = toInt16(tone(220, 44100, 3, 0.4));
    const right = toInt16(tone(220, 44100, 3, 0.2));
    const decoded = await pool.decode(await mp3File([left, right], 44100, 128));
    expect(decoded).toMatchObject({ format: 'mp3', sampleRate: 44100, channels: 2 });
    expect(Math.abs(decoded.durationMs - 3000)).toBeLessThanOrEqual(60);
    expect(toneFrequency(toInt16(decoded.mono), 44100)).toBeCloseTo(220, 0);
  });

  it('decodes a mono 16 kHz MP3 behind an ID3v2 tag', async () => {
    const voice = syntheticVoice({ f0: 120, sampleRate: 16000, seconds: 2 });
    const mp3 = await mp3File([toInt16(voice)], 16000, 32);
    const decoded = await pool.decode(Buffer.concat([id3v2Tag('My voice'), mp3]));
    expect(decoded).toMatchObject({ format: 'mp3', sampleRate: 16000, channels: 1 });
    // Without a LAME tag the encoder's 1105-sample delay and the last frame's padding stay in:
    // 69 ms plus up to a 576-sample frame at 16 kHz (25 ms plus up to 1152 at 44.1 kHz).
    expect(decoded.durationMs - 2000).toBeGreaterThanOrEqual(0);
    expect(decoded.durationMs - 2000).toBeLessThanOrEqual(((1105 + 576) / 16000) * 1000);
  });
});

describe('decodeAudio: FLAC and Ogg', () => {
  const left = toInt16(syntheticVoice({ f0: 200, sampleRate: 44100, seconds: 1.3 }));
  const right = toInt16(tone(500, 44100, 1.3, 0.1));
  const mix = Float32Array.from(left, (v, i) => (v + right[i]) / 2 / 32768);

  it('decodes FLAC losslessly, with the exact duration', async () => {
    const decoded = await pool.decode(flacFile([left, right], 44100));
    expect(decoded).toMatchObject({ format: 'flac', sampleRate: 44100, channels: 2 });
    expect(decoded.durationMs).toBeCloseTo((left.length / 44100) * 1000, 9);
    expect(maxDifference(decoded.mono, mix)).toBeLessThan(1e-4);
  });

  it('decodes FLAC in Ogg', async () => {
    const decoded = await pool.decode(oggFlacFile([left, right], 44100));
    expect(decoded).toMatchObject({ format: 'ogg', sampleRate: 44100, channels: 2 });
    expect(maxDifference(decoded.mono, mix)).toBeLessThan(1e-4);
  });

  it('decodes Ogg Opus at 48 kHz, trimming the pre-skip and the end to the granule position', async () => {
    const decoded = await pool.decode(oggOpusSilence(2, 312));
    expect(decoded).toMatchObject({ format: 'ogg', sampleRate: 48000, channels: 1 });
    expect(decoded.durationMs).toBe(((2 * 48000 - 312) / 48000) * 1000);
    expect(decoded.mono.every((v) => Math.abs(v) < 1e-3)).toBe(true);
  });

  it('refuses Ogg Vorbis as unsupported', async () => {
    const error = await audioError(pool.decode(oggVorbisStart()));
    expect(error.code).toBe(AudioErrorCode.UnsupportedAudio);
    expect(error.message).toMatch(/vorbis/i);
  });
});

describe('decodeAudio: what is not audio', () => {
  it.each([
    ['random bytes', randomBytes(100_000, 42)],
    ['a text file renamed .wav', Buffer.from('Hello, this is definitely a voice recording.\n')],
    ['an empty upload', Buffer.alloc(0)],
  ])('refuses %s as invalid_audio', async (_, bytes) => {
    expect((await audioError(pool.decode(bytes))).code).toBe(AudioErrorCode.InvalidAudio);
  });

  it('refuses a FLAC signature followed by garbage', async () => {
    const flac = flacFile([new Int16Array(10)], 16000);
    const garbage = Buffer.concat([flac.subarray(0, 42), randomBytes(20_000, 5)]);
    expect((await audioError(pool.decode(garbage))).code).toBe(AudioErrorCode.InvalidAudio);
  });
});

describe('AudioWorkerPool', () => {
  // Analysing 30 s takes the worker about a second: long enough to watch it run.
  const voice = syntheticVoice({ f0: 110, sampleRate: 44100, seconds: 30 });
  const longWav = wavFile([voice, voice], 44100, 'pcm16');

  it('refuses audio over maxDurationMs, MP3 without decoding it all', async () => {
    const wav = wavFile([new Float32Array(32000)], 16000, 'pcm16');
    const error = await audioError(pool.decode(wav, { maxDurationMs: 1500 }));
    expect(error.code).toBe(AudioErrorCode.AudioTooLong);
    const mp3 = await mp3File([toInt16(voice.subarray(0, 44100 * 12))], 44100, 64);
    const tooLong = await audioError(pool.decode(mp3, { maxDurationMs: 5000 }));
    expect(tooLong.code).toBe(AudioErrorCode.AudioTooLong);
  });

  it('works on another thread: the event loop keeps turning while it runs', async () => {
    // A structural check, not a timing one (the machine is shared): work done on this thread,
    // even split into steps, would finish or block before the loop could turn a hundred times.
    let settled = false;
    const running = pool.analyzeReference(longWav).finally(() => (settled = true));
    let turns = 0;
    while (!settled && turns < 100) {
      await new Promise((resolve) => setImmediate(resolve));
      turns++;
    }
    expect(settled).toBe(false);
    expect((await running).durationMs).toBe(30_000);
  });

  it('stops on abort without terminating its thread, and keeps working afterwards', async () => {
    // Terminating a thread inside a koffi call (libsoxr, libspeexdsp) aborts the whole process:
    // CI died of it once (2026-12-01), when this abort landed in the resampler.
    const one = new AudioWorkerPool({ maxThreads: 1 });
    try {
      const short = wavFile([tone(100, 8000, 0.1)], 8000, 'pcm16');
      await one.decode(short);
      const threads = one.threadIds();
      expect(threads).toHaveLength(1);
      const controller = new AbortController();
      const running = one.analyzeReference(longWav, { signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      await expect(running).rejects.toThrow(/abort/i);
      await expect(one.decode(longWav, { signal: AbortSignal.abort() })).rejects.toThrow(/abort/i);
      expect((await one.decode(short)).durationMs).toBe(100);
      expect(one.threadIds()).toEqual(threads);
    } finally {
      await one.close();
    }
  });

  it('closes while a task runs: the thread stops the task itself, it is not killed', async () => {
    const one = new AudioWorkerPool({ maxThreads: 1 });
    await one.decode(wavFile([tone(100, 8000, 0.1)], 8000, 'pcm16'));
    const running = one.analyzeReference(longWav).catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await one.close();
    const error = await running;
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/closed/i);
    // The thread's own "cancelled" answer; a terminated thread's task fails with a cause.
    expect((error as Error).cause).toBeUndefined();
  });

  it('refuses work beyond its queue with audio_busy', async () => {
    const small = new AudioWorkerPool({ maxThreads: 1, maxQueue: 1 });
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 4 }, () => small.analyzeReference(longWav)),
      );
      const busy = results.filter(
        (r) =>
          r.status === 'rejected' && (r.reason as AudioError).code === AudioErrorCode.AudioBusy,
      );
      expect(results[0].status).toBe('fulfilled');
      expect(busy.length).toBeGreaterThanOrEqual(2);
    } finally {
      await small.close();
    }
  });

  it('says how to fix a missing worker build', () => {
    expect(() => new AudioWorkerPool({ workerFile: '/nonexistent/audio.worker.js' })).toThrow(
      /npm run build/,
    );
  });
});
