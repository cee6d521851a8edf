import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const REQUEST_ID_HEADER = 'X-Request-ID';
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Keeps the client's own X-Request-ID when it is a sane token, otherwise makes one, and echoes it
 * on the response. Used as pino-http's genReqId so logs and responses share the id.
 */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const existing = (req as { id?: unknown }).id;
  if (typeof existing === 'string') return existing;
  const sent = req.headers['x-request-id'];
  const id = typeof sent === 'string' && SAFE_ID.test(sent) ? sent : randomUUID();
  (req as { id?: string }).id = id;
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}
