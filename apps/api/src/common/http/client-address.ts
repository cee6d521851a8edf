import type { IncomingMessage } from 'node:http';

/**
 * The caller's address, as failed authentications are counted: Express's `req.ip` on routes
 * (the socket's peer, since `trust proxy` is not set), the socket's peer on a WebSocket upgrade.
 */
export function clientAddress(req: IncomingMessage): string {
  return (req as { ip?: string }).ip ?? req.socket.remoteAddress ?? 'unknown';
}
