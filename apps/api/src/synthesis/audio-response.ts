import { Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

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

async function* prepend(
  first: IteratorResult<Buffer>,
  rest: AsyncIterator<Buffer>,
): AsyncGenerator<Buffer> {
  try {
    if (first.done) return;
    yield first.value;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  } finally {
    // Stops the producer (engine, encoder) when the client leaves or the pipeline fails.
    await rest.return?.();
  }
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
  const first = await chunks.next();
  res.status(200);
  for (const [name, value] of Object.entries(headers())) res.setHeader(name, value);
  res.flushHeaders();
  try {
    await pipeline(Readable.from(prepend(first, chunks), { objectMode: false }), res);
    return { status: 'completed' };
  } catch (err) {
    if (signal.aborted) return { status: 'cancelled' };
    logger.error({ err }, 'audio stream failed after headers were sent');
    res.destroy(err instanceof Error ? err : undefined);
    return { status: 'failed', error: err };
  }
}
