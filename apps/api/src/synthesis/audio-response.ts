import { Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { requestIdOf } from '../common/http/request-id';

const logger = new Logger('AudioResponse');

/** An AbortController that fires when the client goes away before the response is complete. */
export function abortOnDisconnect(req: Request, res: Response): AbortController {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort(new Error('client disconnected'));
  });
  req.on('aborted', () => controller.abort(new Error('client disconnected')));
  return controller;
}

/**
 * Streams audio as it is produced. The first chunk is awaited before the status line goes out,
 * so failures before any audio (engine busy, bad voice) still get a proper error response; a
 * failure after that destroys the connection, so the client sees a truncated transfer rather than
 * a complete-looking file.
 */
export type StreamOutcome =
  { status: 'completed' | 'cancelled' } | { status: 'failed'; error: unknown };

export async function streamAudio(
  res: Response,
  chunks: AsyncIterator<Buffer>,
  /** Called once the first audio exists, so headers can say which engine produced it. */
  headers: () => Record<string, string>,
  signal: AbortSignal,
): Promise<StreamOutcome> {
  let next = await chunks.next();
  res.status(200);
  for (const [name, value] of Object.entries(headers())) res.setHeader(name, value);
  // Each piece is written as it arrives, straight to the response (no stream pipeline between:
  // its bookkeeping cost more than a cache hit's whole answer). Node sends what is written in one
  // tick together, so the headers leave with the first audio, and pieces already made (a cache
  // hit's) leave with the end of the body, in one write.
  try {
    for (; !next.done; next = await chunks.next()) {
      if (!res.write(next.value)) await once(res, 'drain', { signal });
    }
    if (signal.aborted) return { status: 'cancelled' };
    res.end();
    await finished(res);
    return { status: 'completed' };
  } catch (err) {
    if (signal.aborted) return { status: 'cancelled' };
    logger.error(
      { err, requestId: requestIdOf(res.req) },
      'audio stream failed after headers were sent',
    );
    res.destroy(err instanceof Error ? err : undefined);
    return { status: 'failed', error: err };
  } finally {
    // Stops the producer (engine, encoder) when the client leaves or writing fails.
    if (!next.done) await chunks.return?.();
  }
}

/** Slices of the audio a multiple of 3 bytes long, so their base64 joins into one string. */
const BASE64_SLICE = 3 * 64 * 1024;

/**
 * Answers `{"audio_base64": "...", ...rest}` (200, JSON, exact Content-Length), writing the
 * base64 a slice at a time: a long file is never held again as one base64 string and again as
 * one JSON string. Resolves when the body is complete.
 */
export async function sendAudioJson(res: Response, audio: Buffer, rest: object): Promise<void> {
  const head = Buffer.from('{"audio_base64":"');
  const fields = JSON.stringify(rest).slice(1);
  const tail = Buffer.from(fields === '}' ? '"}' : `",${fields}`);
  const base64Bytes = Math.ceil(audio.length / 3) * 4;
  res.status(200).set({ 'Content-Type': 'application/json; charset=utf-8' });
  res.setHeader('Content-Length', String(head.length + base64Bytes + tail.length));
  await pipeline(Readable.from(jsonPieces(head, audio, tail)), res);
}

function* jsonPieces(head: Buffer, audio: Buffer, tail: Buffer): Generator<Buffer> {
  yield head;
  for (let at = 0; at < audio.length; at += BASE64_SLICE) {
    yield Buffer.from(audio.subarray(at, at + BASE64_SLICE).toString('base64'));
  }
  yield tail;
}
