import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type AudioEncoder,
  type AudioEncoderOptions,
  AudioEncoderPool,
  type AudioEncoderPoolOptions,
  AudioError,
  AudioErrorCode,
  AudioWorkerPool,
  createAudioEncoder,
  floatToInt16,
  resolveEncoderWorkerFile,
} from '@cw/audio';
import { threadNices } from '@cw/util';
import { randomChunks, sine, toneFrequency } from '../__tests__/signal';

/*
 * These run the compiled worker (dist/, built by `npm test`'s pretest) and compare it with the
 * same encoder run inline on this thread. The MP3 is decoded by mpg123 (the upload decoder).
 */
const ESPEAK_RATE = 22050;
const MP3: AudioEncoderOptions = {
  format: 'mp3',
  inputSampleRate: ESPEAK_RATE,
  outputSampleRate: ESPEAK_RATE,
};

const pools: AudioEncoderPool[] = [];
function newPool(
  threads: number,
  options: Omit<AudioEncoderPoolOptions, 'threads'> = {},
): AudioEncoderPool {
  const pool = new AudioEncoderPool({ threads, ...options });
  pools.push(pool);
  return pool;
}
const decoder = new AudioWorkerPool();
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.close()));
  await decoder.close();
});

/** The inline encoder's output for the same input: what the thread must reproduce. */
async function inline(options: AudioEncoderOptions, input: Int16Array): Promise<Buffer> {
  const encoder = await createAudioEncoder(options);
  return Buffer.concat([encoder.encode(input), encoder.flush()]);
}

async function encodeAll(encoder: AudioEncoder, chunks: Int16Array[]): Promise<Buffer> {
  const out: Buffer[] = [];
  for (const chunk of chunks) out.push(await encoder.encode(chunk));
  out.push(await encoder.flush());
  return Buffer.concat(out);
}

/** Chunks copied, as the encoder takes (moves) the ones it is given. */
const copies = (chunks: Int16Array[]) => chunks.map((chunk) => chunk.slice());

describe('AudioEncoderPool', () => {
  it.each([
    ['22050 Hz', MP3],
    ['8000 Hz', { ...MP3, inputSampleRate: 8000, outputSampleRate: 8000 }],
    ['22050 Hz resampled to 16000 Hz', { ...MP3, outputSampleRate: 16000 }],
  ])(
    'writes MP3 at %s bit for bit as the inline encoder does, which decodes to the input',
    async (_, options) => {
      const pool = newPool(1);
      const input = sine(440, options.inputSampleRate, 1.5);
      const expected = await inline(options, input);

      const encoder = await pool.createEncoder(options);
      const mp3 = await encodeAll(encoder, randomChunks(input, 700));
      expect(mp3.equals(expected)).toBe(true);
      expect(encoder.samplesOut).toBe(Math.round(1.5 * options.outputSampleRate));
      expect(encoder.contentType).toBe('audio/mpeg');

      const decoded = await decoder.decode(mp3);
      expect(decoded).toMatchObject({ format: 'mp3', sampleRate: options.outputSampleRate });
      // lame's encoder delay and padding add at most a few 576-sample frames.
      const frameMs = (576 / options.outputSampleRate) * 1000;
      expect(decoded.durationMs).toBeGreaterThanOrEqual(1500);
      expect(decoded.durationMs).toBeLessThan(1500 + 4 * frameMs);
      // The tone is still there (32 kbps at 8 kHz adds enough noise to move zero crossings).
      const hz = toneFrequency(floatToInt16(decoded.mono), decoded.sampleRate);
      expect(Math.abs(hz - 440)).toBeLessThan(44);
    },
  );

  it('runs its threads at the nice increment it was given', async () => {
    const pool = newPool(1, { niceIncrement: 3 });
    const before = new Set(threadNices().map((t) => t.tid));
    await pool.start();
    const threads = threadNices();
    if (threads.length === 0) return; // no /proc: not Linux
    const main = threads.find((t) => t.tid === process.pid)!;
    const started = threads.filter((t) => !before.has(t.tid));
    expect(started.map((t) => t.nice)).toContain(Math.min(19, main.nice + 3));
  });

  it('keeps many streams apart on one thread, each in order with calls in flight', async () => {
    const pool = newPool(1);
    const inputs = [220, 330, 440, 550].map((hz) => sine(hz, ESPEAK_RATE, 2));
    const chunked = inputs.map((input) => randomChunks(input, 300));
    const expected = await Promise.all(inputs.map((input) => inline(MP3, input)));

    const encoders = await Promise.all(inputs.map(() => pool.createEncoder(MP3)));
    const outputs: Buffer[][] = encoders.map(() => []);
    // Streams interleaved, and up to 8 calls of one stream in flight at once.
    for (let at = 0; chunked.some((chunks) => at < chunks.length); at += 8) {
      await Promise.all(
        encoders.map(async (encoder, s) => {
          const batch = copies(chunked[s].slice(at, at + 8));
          outputs[s].push(...(await Promise.all(batch.map((chunk) => encoder.encode(chunk)))));
        }),
      );
    }
    for (const [s, encoder] of encoders.entries()) outputs[s].push(await encoder.flush());
    for (const [s, out] of outputs.entries()) {
      expect(Buffer.concat(out).equals(expected[s])).toBe(true);
    }
    expect(chunked[0].length).toBeGreaterThan(100);
  });

  it('moves whole-buffer samples to the thread and copies views into larger buffers', async () => {
    const pool = newPool(1);
    const encoder = await pool.createEncoder(MP3);
    const owned = sine(440, ESPEAK_RATE, 0.1);
    const backing = sine(440, ESPEAK_RATE, 0.2);
    const view = backing.subarray(100, 1200);
    await encoder.encode(owned);
    await encoder.encode(view);
    expect(owned.length).toBe(0);
    expect(view.length).toBe(1100);
    expect(backing.length).toBe(Math.round(0.2 * ESPEAK_RATE));
    encoder.close();
  });

  it('assigns each new stream to the thread with the fewest', async () => {
    const pool = newPool(2);
    await pool.start();
    const a = await pool.createEncoder(MP3);
    const b = await pool.createEncoder(MP3);
    const c = await pool.createEncoder(MP3);
    expect(pool.load).toEqual([2, 1]);
    a.close();
    expect(pool.load).toEqual([1, 1]);
    const d = await pool.createEncoder(MP3);
    expect(pool.load).toEqual([2, 1]);
    expect(await pool.heldEncoders()).toEqual([2, 1]);
    for (const encoder of [b, c, d]) encoder.close();
  });

  it('frees a stream at once on close(), and on flush()', async () => {
    const pool = newPool(1);
    const encoders = await Promise.all([1, 2, 3].map(() => pool.createEncoder(MP3)));
    for (const encoder of encoders) await encoder.encode(sine(440, ESPEAK_RATE, 0.5));
    expect(await pool.heldEncoders()).toEqual([3]);

    encoders[0].close();
    encoders[1].close();
    encoders[1].close();
    expect(pool.load).toEqual([1]);
    expect(await pool.heldEncoders()).toEqual([1]);
    await expect(encoders[0].encode(new Int16Array(10))).rejects.toThrow('already');

    expect((await encoders[2].flush()).length).toBeGreaterThan(0);
    expect(pool.load).toEqual([0]);
    expect(await pool.heldEncoders()).toEqual([0]);
    await expect(encoders[2].flush()).rejects.toThrow('already');
  });

  it('refuses what the inline encoder refuses, holding nothing', async () => {
    const pool = newPool(1);
    await expect(pool.createEncoder({ ...MP3, outputSampleRate: 22000 })).rejects.toMatchObject({
      code: AudioErrorCode.UnsupportedSampleRate,
    });
    expect(pool.load).toEqual([0]);
    expect(await pool.heldEncoders()).toEqual([0]);
  });

  it('refuses a caller that does not await its calls past the in-flight bound', async () => {
    const pool = new AudioEncoderPool({ threads: 1, maxInFlight: 2 });
    pools.push(pool);
    const encoder = await pool.createEncoder(MP3);
    const first = encoder.encode(sine(440, ESPEAK_RATE, 0.1));
    const second = encoder.encode(sine(440, ESPEAK_RATE, 0.1));
    await expect(encoder.encode(sine(440, ESPEAK_RATE, 0.1))).rejects.toThrow('in flight');
    await Promise.all([first, second]);
    await encoder.encode(sine(440, ESPEAK_RATE, 0.1));
    encoder.close();
  });

  it('encodes PCM and G.711 at the same rate inline, starting no thread', async () => {
    const pool = newPool(1);
    const input = sine(440, 8000, 0.5);
    for (const format of ['pcm', 'wav', 'mulaw', 'alaw'] as const) {
      const options = { format, inputSampleRate: 8000, outputSampleRate: 8000 };
      const encoder = await pool.createEncoder(options);
      expect(await encodeAll(encoder, [input.slice()])).toEqual(await inline(options, input));
    }
    expect(pool.load).toEqual([0]);
    expect(await pool.heldEncoders()).toEqual([0]);
  });

  describe('when a thread dies', () => {
    let dir: string;
    beforeAll(() => {
      // The real worker, which an uncaught exception kills when it is sent exactly 13 samples
      // (thrown in front of its message listener, so that message gets no answer).
      dir = mkdtempSync(path.join(tmpdir(), 'encoder-crash-'));
      writeFileSync(
        path.join(dir, 'crashing.worker.js'),
        `const { parentPort } = require('node:worker_threads');
         const on = parentPort.on.bind(parentPort);
         parentPort.on = (event, listener) =>
           on(event, event !== 'message' ? listener : (m) => {
             if (m.op === 'encode' && m.samples.length === 13) throw new Error('boom');
             listener(m);
           });
         require(${JSON.stringify(resolveEncoderWorkerFile())});`,
      );
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('fails its streams with encoder_failed, and a new thread takes new streams', async () => {
      const pool = newPool(2, { workerFile: path.join(dir, 'crashing.worker.js') });
      await pool.start();
      const [a, b, c] = await Promise.all([1, 2, 3].map(() => pool.createEncoder(MP3)));
      expect(pool.load).toEqual([2, 1]);
      await a.encode(sine(440, ESPEAK_RATE, 0.2));

      const crash = await a.encode(new Int16Array(13)).catch((err: unknown) => err);
      expect(crash).toBeInstanceOf(AudioError);
      expect(crash).toMatchObject({ code: AudioErrorCode.EncoderFailed });
      expect((crash as Error).message).toContain('boom');
      // The other stream on that thread fails too; the one on the other thread goes on.
      await expect(c.encode(sine(440, ESPEAK_RATE, 0.1))).rejects.toMatchObject({
        code: AudioErrorCode.EncoderFailed,
      });
      await expect(a.flush()).rejects.toMatchObject({ code: AudioErrorCode.EncoderFailed });
      a.close();
      c.close();
      const input = sine(440, ESPEAK_RATE, 1);
      expect((await encodeAll(b, [input.slice()])).equals(await inline(MP3, input))).toBe(true);

      // The replacement thread encodes a new stream exactly as before.
      const d = await pool.createEncoder(MP3);
      expect((await encodeAll(d, [input.slice()])).equals(await inline(MP3, input))).toBe(true);
      expect(await pool.heldEncoders()).toEqual([0, 0]);
    });
  });
});
