import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';
import type { TrustProxy } from './trust-proxy';

/**
 * The caller's address, as failed authentications are counted and requests logged: the socket's
 * peer, or behind trusted proxies (TRUST_PROXY) the nearest untrusted X-Forwarded-For hop.
 * Express routes have it as `req.ip` (the app's `trust proxy` is the same setting); a WebSocket
 * upgrade is a bare request, resolved here with the same rule.
 */
export function clientAddress(req: IncomingMessage, trust: TrustProxy): string {
  const ip = (req as { ip?: string }).ip;
  if (ip) return ip;
  if (!req.socket.remoteAddress) return 'unknown';
  return proxyaddr(req, trust);
}
