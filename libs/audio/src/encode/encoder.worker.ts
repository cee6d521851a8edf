/**
 * An AudioEncoderPool thread: holds the encoders of the streams assigned to it (one lame state
 * per stream, for the stream's whole life) so MP3 encoding and resampling stay off the server's
 * event loop. Runs as a plain worker_threads script.
 */
import { types } from 'node:util';
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThreadPriority } from '@cw/util';
import { AudioError } from '../audio.exception';
import { createAudioEncoder, type InlineAudioEncoder } from '../encoder';
import { loadLame } from '../esm-loader';
import type { EncoderReply, EncoderRequest, EncoderWorkerData } from './encoder-worker.protocol';

const port = parentPort;
if (!port) throw new Error('encoder.worker must run in a worker thread');
lowerThreadPriority((workerData as EncoderWorkerData | undefined)?.niceIncrement ?? 0);

const encoders = new Map<number, InlineAudioEncoder>();

function post(reply: EncoderReply, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(reply, transfer);
}

function fail(req: number, error: unknown): void {
  if (error instanceof AudioError) {
    post({ type: 'failed', req, code: error.code, message: error.message });
  } else {
    post({ type: 'failed', req, message: error instanceof Error ? error.message : String(error) });
  }
}

/** The bytes as memory of their own, which can then be moved to the main thread. */
function owned(bytes: Buffer): Uint8Array {
  const { buffer, byteOffset, byteLength } = bytes;
  if (types.isArrayBuffer(buffer) && byteOffset === 0 && byteLength === buffer.byteLength) {
    return new Uint8Array(buffer);
  }
  // Small Buffers share Node's allocation pool, which must not be moved out of this thread.
  return new Uint8Array(buffer, byteOffset, byteLength).slice();
}

function done(req: number, bytes: Buffer, encoder: InlineAudioEncoder): void {
  const out = owned(bytes);
  post(
    { type: 'done', req, bytes: out, samplesOut: encoder.samplesOut },
    out.byteLength ? [out.buffer as ArrayBuffer] : [],
  );
}

async function open(req: number, stream: number, options: EncoderRequest & { op: 'open' }) {
  try {
    encoders.set(stream, await createAudioEncoder(options.options));
    post({ type: 'done', req, bytes: new Uint8Array(0), samplesOut: 0 });
  } catch (error) {
    fail(req, error);
  }
}

function withEncoder(
  req: number,
  stream: number,
  run: (encoder: InlineAudioEncoder) => Buffer,
): void {
  const encoder = encoders.get(stream);
  if (!encoder) return fail(req, new Error(`no open encoder for stream ${stream}`));
  try {
    done(req, run(encoder), encoder);
  } catch (error) {
    fail(req, error);
  }
}

port.on('message', (message: EncoderRequest) => {
  switch (message.op) {
    case 'open':
      void open(message.req, message.stream, message);
      break;
    case 'encode':
      withEncoder(message.req, message.stream, (encoder) => encoder.encode(message.samples));
      break;
    case 'flush':
      withEncoder(message.req, message.stream, (encoder) => {
        encoders.delete(message.stream);
        return encoder.flush();
      });
      break;
    case 'close':
      encoders.get(message.stream)?.close();
      encoders.delete(message.stream);
      break;
    case 'count':
      post({ type: 'count', req: message.req, count: encoders.size });
      break;
    case 'exit':
      // In a worker thread this ends the thread, not the process.
      process.exit(0);
      break;
    default:
      // A message this script does not know is a bug on the other side: fail loudly (the
      // pool then fails this thread's streams and starts a new thread).
      throw new Error(`encoder worker: unknown message ${JSON.stringify(message)}`);
  }
});

// lame is loaded before the thread says it is ready, so the first stream does not wait for it.
void loadLame().then(
  () => post({ type: 'ready' }),
  (error: unknown) => {
    throw error;
  },
);
