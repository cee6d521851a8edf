import type { AudioErrorCode, DecodeStats } from '../audio.exception';

/** A task for the audio worker: the upload's bytes, moved (not shared) into the thread. */
export interface AudioWorkerTask {
  kind: 'decode' | 'analyze';
  bytes: Uint8Array;
  maxDurationMs: number;
  /**
   * Shared with the caller; its slot 0 is set to 1 when the caller stops waiting (abort, pool
   * closing). The thread checks it between stages and stops, rather than being terminated:
   * terminating a thread inside a native call (libsoxr, libspeexdsp through koffi) aborts the
   * whole process.
   */
  cancel: Int32Array;
}

/** Whether the task's caller has stopped waiting for it. */
export const isCancelled = (task: Pick<AudioWorkerTask, 'cancel'>): boolean =>
  Atomics.load(task.cancel, 0) !== 0;

/**
 * Errors cross the thread boundary as plain objects: structured cloning keeps an Error's message
 * but not its class or `code`, which is what callers branch on.
 */
export type AudioWorkerReply<T> =
  | { ok: true; value: T }
  | { ok: false; code: AudioErrorCode; message: string; stats?: DecodeStats }
  /** The thread saw `cancel` set and stopped. */
  | { ok: false; cancelled: true };
