import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const REQUEST_ID_HEADER = 'X-Request-ID';
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The client's own X-Request-ID when it is a sane token, otherwise a new one. */
export function requestIdFrom(req: IncomingMessage): string {
  const sent = req.headers['x-request-id'];
  return typeof sent === 'string' && SAFE_ID.test(sent) ? sent : randomUUID();
}

/** The id assigned to this request (see assignRequestId). */
export function requestIdOf(req: IncomingMessage): string {
  const existing = (req as { id?: unknown }).id;
  return typeof existing === 'string' ? existing : '';
}

/**
 * Gives the request its id and echoes it on the response. Called by the request log first, so logs
 * and responses share the id.
 */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const existing = requestIdOf(req);
  if (existing) return existing;
  const id = requestIdFrom(req);
  (req as { id?: string }).id = id;
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}
