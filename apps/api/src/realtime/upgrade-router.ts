import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBody } from '../common/errors/error-body';
import { mapError } from '../common/errors/map-error';
import { REQUEST_ID_HEADER, requestIdFrom } from '../common/http/request-id';
import { RealtimeErrorCode, RealtimeException } from './realtime.exception';

/** Takes over one upgrade request: admit it and hand it to `ws`, or refuse it. */
export type UpgradeHandler = (
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  url: URL,
  requestId: string,
) => void;

/**
 * The one `upgrade` listener on the app's HTTP server. Every WebSocket surface (ours, and the
 * vendor-compatible ones) registers the paths it serves; an upgrade to any other path is refused
 * with 404 and our error body instead of hanging.
 */
@Injectable()
export class UpgradeRouter implements OnApplicationBootstrap {
  private readonly logger = new Logger('Upgrade');
  private readonly routes: Array<{ matches: (path: string) => boolean; handle: UpgradeHandler }> =
    [];
  private server?: Server;

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** `path`: an exact pathname, or a test on the pathname. Register in `onModuleInit`. */
  register(path: string | ((pathname: string) => boolean), handle: UpgradeHandler): void {
    const matches = typeof path === 'string' ? (p: string) => p === path : path;
    this.routes.push({ matches, handle });
  }

  onApplicationBootstrap(): void {
    this.server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.server.on('upgrade', this.onUpgrade);
  }

  /** No new upgrades once shutdown has begun closing sessions. */
  stop(): void {
    this.server?.off('upgrade', this.onUpgrade);
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const requestId = requestIdFrom(req);
    const route = this.routes.find((r) => r.matches(url.pathname));
    if (!route) {
      refuseUpgrade(
        socket,
        new RealtimeException(RealtimeErrorCode.NotFound, `Cannot upgrade ${url.pathname}`),
        requestId,
        this.logger,
      );
      return;
    }
    route.handle(req, socket, head, url, requestId);
  };
}

/**
 * Answers an upgrade with a real HTTP response and hangs up: the connection never upgrades.
 * `body` shapes the error for surfaces with their own error format (default: ours).
 */
export function refuseUpgrade(
  socket: Duplex,
  err: unknown,
  requestId: string,
  logger: Logger,
  body: (mapped: ReturnType<typeof mapError>) => unknown = ({ status, code, message, extra }) =>
    errorBody(status, code, message, requestId, extra),
): void {
  const mapped = mapError(err);
  const { status, headers = {}, log } = mapped;
  if (log === 'error') logger.error({ err, requestId }, 'websocket upgrade failed');
  else if (log === 'warn') logger.warn({ err, requestId }, 'websocket upgrade failed');
  if (socket.destroyed) return;
  const text = JSON.stringify(body(mapped));
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(text)}`,
    `${REQUEST_ID_HEADER}: ${requestId}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.once('finish', () => socket.destroy());
  socket.end(`${lines.join('\r\n')}\r\n\r\n${text}`);
}
