import type { WordTiming } from '@cw/engines';

/**
 * Server messages of Cartesia's SSE stream and WebSocket, every field present: LiveKit's plugin
 * validates each message against its schema and silently drops one that lacks a field.
 */
export function chunkMessage(contextId: string, audio: Buffer, stepTimeMs: number) {
  return {
    type: 'chunk' as const,
    data: audio.toString('base64'),
    done: false,
    status_code: 206,
    step_time: Math.round(stepTimeMs * 1000) / 1000,
    context_id: contextId,
  };
}

/** Word timings in seconds from the start of the context's audio. */
export function timestampsMessage(contextId: string, words: WordTiming[], offsetMs: number) {
  const seconds = (ms: number) => Math.round(offsetMs + ms) / 1000;
  return {
    type: 'timestamps' as const,
    done: false,
    status_code: 206,
    context_id: contextId,
    word_timestamps: {
      words: words.map((w) => w.word),
      start: words.map((w) => seconds(w.startMs)),
      end: words.map((w) => seconds(w.endMs)),
    },
  };
}

export function doneMessage(contextId: string) {
  return { type: 'done' as const, done: true, status_code: 200, context_id: contextId };
}

export function flushDoneMessage(contextId: string, flushId: number) {
  return {
    type: 'flush_done' as const,
    done: false,
    flush_done: true,
    flush_id: flushId,
    status_code: 206,
    context_id: contextId,
  };
}
