import type { AudioErrorCode } from '../audio.exception';
import type { AudioEncoderOptions } from '../encoder';

/** Given to each encoder thread when it starts. */
export interface EncoderWorkerData {
  /** Added to the thread's nice value (see lowerThreadPriority). */
  niceIncrement: number;
}

/**
 * Main thread → encoder thread. `stream` names one encoder inside the thread; `req` pairs a
 * request with its reply. A thread handles its messages in the order they were posted.
 */
export type EncoderRequest =
  | { op: 'open'; req: number; stream: number; options: AudioEncoderOptions }
  /** `samples` is moved, not copied, into the thread. */
  | { op: 'encode'; req: number; stream: number; samples: Int16Array }
  | { op: 'flush'; req: number; stream: number }
  /** Frees the stream's encoder; no reply. */
  | { op: 'close'; stream: number }
  /** How many encoders the thread holds. */
  | { op: 'count'; req: number }
  /**
   * Ends the thread between two messages. The pool closes threads this way rather than by
   * terminating them: a thread terminated inside a koffi call (the resampler) aborts the process.
   */
  | { op: 'exit' };

/**
 * Encoder thread → main thread. Errors cross as plain fields: structured cloning keeps an Error's
 * message but not its class or `code`.
 */
export type EncoderReply =
  | { type: 'ready' }
  | { type: 'done'; req: number; bytes: Uint8Array; samplesOut: number }
  | { type: 'count'; req: number; count: number }
  | { type: 'failed'; req: number; message: string; code?: AudioErrorCode };
