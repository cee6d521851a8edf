import type { AudioErrorCode, DecodeStats } from '../audio.exception';

/** A task for the audio worker: the upload's bytes, moved (not shared) into the thread. */
export interface AudioWorkerTask {
  kind: 'decode' | 'analyze';
  bytes: Uint8Array;
  maxDurationMs: number;
}

/**
 * Errors cross the thread boundary as plain objects: structured cloning keeps an Error's message
 * but not its class or `code`, which is what callers branch on.
 */
export type AudioWorkerReply<T> =
  | { ok: true; value: T }
  | { ok: false; code: AudioErrorCode; message: string; stats?: DecodeStats };
