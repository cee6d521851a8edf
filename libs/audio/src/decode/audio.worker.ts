/** piscina thread for AudioWorkerPool: decoding and analysis stay off the server's event loop. */
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { AudioError } from '../audio.exception';
import { type AudioWorkerReply, type AudioWorkerTask, isCancelled } from './audio-worker.protocol';
import type { DecodedAudio, ReferenceAnalysis } from './decoded-audio';
import { decodeInThread } from './decoders';
import { analyzeDecoded } from './reference';

/** The answer to a task whose caller stopped waiting. */
const CANCELLED: AudioWorkerReply<never> = { ok: false, cancelled: true };

export default async function run(
  task: AudioWorkerTask,
): Promise<AudioWorkerReply<DecodedAudio | ReferenceAnalysis>> {
  try {
    if (isCancelled(task)) return CANCELLED;
    const decoded = await decodeInThread(task.bytes, task.maxDurationMs);
    if (task.kind === 'decode') {
      const samples = ownBuffer(decoded.mono);
      return moved({ ...decoded, mono: new Float32Array(samples) }, samples);
    }
    const analysis = await analyzeDecoded(decoded, () => isCancelled(task));
    if (!analysis) return CANCELLED;
    const wav = ownBuffer(analysis.wav24k);
    return moved({ ...analysis, wav24k: Buffer.from(wav) }, wav);
  } catch (error) {
    if (error instanceof AudioError) {
      return { ok: false, code: error.code, message: error.message, stats: error.stats };
    }
    throw error;
  }
}

/** The view's memory as an ArrayBuffer of its own: the same one if it owns it, else a copy. */
function ownBuffer(view: ArrayBufferView): ArrayBuffer {
  const { buffer, byteOffset, byteLength } = view;
  if (buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength) {
    return buffer;
  }
  // Small Buffers share Node's allocation pool, which must not be moved out of this thread.
  return new Uint8Array(buffer, byteOffset, byteLength).slice().buffer;
}

/** Hands the buffer to the main thread instead of copying it. */
function moved<T>(value: T, buffer: ArrayBuffer): AudioWorkerReply<T> {
  const reply: AudioWorkerReply<T> = { ok: true, value };
  // piscina unwraps this on its way out and transfers the listed buffers.
  return move({
    [transferableSymbol]: [buffer],
    [valueSymbol]: reply,
  }) as unknown as AudioWorkerReply<T>;
}
