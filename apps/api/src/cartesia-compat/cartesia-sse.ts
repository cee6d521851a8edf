import { Logger } from '@nestjs/common';
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { mapError } from '../common/errors/map-error';
import type { RenderEvent } from '../synthesis/synthesis.service';
import type { DeliveryOutcome } from '../synthesis/synthesis-runner';
import { cartesiaErrorEvent } from './cartesia-error-body';
import type { AudioShaper } from './cartesia-output';
import { chunkMessage, doneMessage, timestampsMessage } from './cartesia-messages';
import { requestIdOf } from '../common/http/request-id';

const logger = new Logger('CartesiaSse');

export interface SseStream {
  contextId: string;
  requestId: string;
  shaper: AudioShaper;
  timestamps: boolean;
}

const frame = (message: { type: string }) =>
  Buffer.from(`event: ${message.type}\ndata: ${JSON.stringify(message)}\n\n`);

/**
 * Cartesia's server-sent events for one generation: `chunk` events with base64 audio,
 * `timestamps` when asked for, then `done`. Events are held until the first audio exists, so a
 * failure before any audio is still a plain HTTP error; a failure after that is an `error` event.
 */
export async function sendSse(
  res: Response,
  events: AsyncIterator<RenderEvent>,
  stream: SseStream,
  signal: AbortSignal,
): Promise<DeliveryOutcome> {
  const held: RenderEvent[] = [];
  for (let next = await events.next(); !next.done; next = await events.next()) {
    held.push(next.value);
    if (next.value.type === 'audio') break;
  }
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.flushHeaders();
  let failure: unknown;
  try {
    await pipeline(Readable.from(frames(held, events, stream, (err) => (failure = err))), res);
  } catch (err) {
    if (signal.aborted) return { status: 'cancelled' };
    logger.error(
      { err, requestId: requestIdOf(res.req) },
      'event stream failed after headers were sent',
    );
    res.destroy(err instanceof Error ? err : undefined);
    return { status: 'failed', error: err };
  }
  if (signal.aborted) return { status: 'cancelled' };
  return failure === undefined ? { status: 'completed' } : { status: 'failed', error: failure };
}

async function* frames(
  held: RenderEvent[],
  rest: AsyncIterator<RenderEvent>,
  { contextId, requestId, shaper, timestamps }: SseStream,
  failed: (err: unknown) => void,
): AsyncGenerator<Buffer> {
  let last = performance.now();
  const toFrame = (event: RenderEvent): Buffer | undefined => {
    if (event.type === 'audio') {
      const now = performance.now();
      const message = chunkMessage(contextId, shaper.shape(event.data), now - last);
      last = now;
      return frame(message);
    }
    if (event.type === 'words' && timestamps) {
      return frame(timestampsMessage(contextId, event.words, 0));
    }
    return undefined;
  };
  try {
    for (const event of held) {
      const out = toFrame(event);
      if (out) yield out;
    }
    for (let next = await rest.next(); !next.done; next = await rest.next()) {
      const out = toFrame(next.value);
      if (out) yield out;
    }
  } catch (err) {
    failed(err);
    yield frame(cartesiaErrorEvent(mapError(err), requestId, contextId));
    return;
  } finally {
    await rest.return?.();
  }
  yield frame(doneMessage(contextId));
}
