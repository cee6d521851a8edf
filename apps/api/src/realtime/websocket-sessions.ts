import type { Logger } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ServerOptions, type WebSocket, WebSocketServer } from 'ws';
import type { AppConfig } from '@cw/config';
import { mapError } from '../common/errors/map-error';
import type { ShutdownService } from '../lifecycle/shutdown.service';
import type { AdmittedSession, RealtimeAdmissionService } from './realtime-admission.service';

/** A client message is JSON text; a megabyte is far more than any LLM emits at once. */
const MAX_MESSAGE_BYTES = 1024 * 1024;
/**
 * Every interval each socket is pinged; one that has not answered the previous ping is dead
 * (a phone call that vanished without a FIN) and is terminated, releasing its stream slot.
 */
export const HEARTBEAT_INTERVAL_MS = 30_000;
/** How often open sessions are rechecked when the auth cache is off (AUTH_CACHE_TTL_MS=0). */
const UNCACHED_RECHECK_MS = 1000;
/** Refusals that close a session; anything else (our database down) leaves it open. */
const POLICY_STATUSES = new Set([401, 403, 429]);
/** Sockets still open this long after their shutdown close frame are cut. */
const SHUTDOWN_GRACE_MS = 1000;

/** What every WebSocket surface's session offers its supervisor. */
export interface SupervisedSession {
  /** The server drains: finish what was received, then close 1012. */
  drain(): void;
  /** The drain deadline passed (or the app closes): stop, record, close 1012. */
  shutdown(): void;
  /** What admitted the session no longer holds (key, tenant, quota): error, row, close 1008. */
  revoke(err: unknown): void;
}

export interface WebSocketSessionsDeps {
  admission: RealtimeAdmissionService;
  shutdown: ShutdownService;
  config: AppConfig;
  logger: Logger;
}

/**
 * The open sessions of one WebSocket surface (ours, or a vendor-compatible one) and everything
 * that watches them, the same for every surface: the handshake of an upgrade admitted before it
 * (a client that leaves first gets a cancelled row), heartbeats, drain and cut on SIGTERM, and a
 * recheck of key, tenant and quota at least once per auth-cache period.
 */
export class WebSocketSessions<S extends SupervisedSession> {
  private readonly wss: WebSocketServer;
  private readonly sessions = new Map<S, AdmittedSession>();
  private readonly alive = new WeakSet<WebSocket>();
  private heartbeat?: NodeJS.Timeout;
  private recheckTimer?: NodeJS.Timeout;
  private rechecking = false;

  constructor(
    private readonly deps: WebSocketSessionsDeps,
    options: Pick<ServerOptions, 'handleProtocols'> = {},
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, ...options });
  }

  /** Heartbeats, rechecks and the shutdown listeners; call once the app is up. */
  start(): void {
    const { shutdown, config, logger } = this.deps;
    shutdown.onDrain(() => {
      for (const session of this.sessions.keys()) session.drain();
    });
    shutdown.onCut(() => {
      for (const session of this.sessions.keys()) session.shutdown();
    });
    this.heartbeat = setInterval(() => this.checkHeartbeats(), HEARTBEAT_INTERVAL_MS);
    this.heartbeat.unref();
    const ttl = config.auth.cacheTtlMs;
    this.recheckTimer = setInterval(
      () =>
        void this.recheck().catch((err: unknown) =>
          logger.warn({ err }, 'websocket session recheck failed'),
        ),
      ttl > 0 ? ttl : UNCACHED_RECHECK_MS,
    );
    this.recheckTimer.unref();
  }

  /**
   * Completes the handshake of an admitted upgrade and registers the session `create` makes on
   * the open socket. A client gone before that finishes its run as cancelled.
   */
  accept(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    admitted: AdmittedSession,
    create: (ws: WebSocket) => S,
  ): void {
    const ignore = () => undefined;
    socket.on('error', ignore);
    const abandoned = () => admitted.run.finishWithCode('cancelled', null);
    if (socket.destroyed) return abandoned();
    socket.once('close', abandoned);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('close', abandoned);
      socket.off('error', ignore);
      this.alive.add(ws);
      ws.on('pong', () => this.alive.add(ws));
      const session = create(ws);
      this.sessions.set(session, admitted);
      if (this.deps.shutdown.draining) session.drain();
      ws.once('close', () => this.sessions.delete(session));
    });
  }

  /** Terminates sockets that did not answer the last ping, and pings the rest. */
  checkHeartbeats(): void {
    for (const ws of this.wss.clients) {
      if (!this.alive.delete(ws)) ws.terminate();
      else ws.ping();
    }
  }

  /** Closes (1008) every session whose key, tenant or quota no longer passes. */
  async recheck(): Promise<void> {
    if (this.rechecking || this.sessions.size === 0) return;
    this.rechecking = true;
    try {
      const refused = await this.deps.admission.recheck([...this.sessions.values()]);
      for (const [session, admitted] of this.sessions) {
        const err = refused.get(admitted);
        if (err === undefined) continue;
        if (POLICY_STATUSES.has(mapError(err).status)) session.revoke(err);
        else this.deps.logger.warn({ err }, 'could not recheck a websocket session; it stays open');
      }
    } finally {
      this.rechecking = false;
    }
  }

  /** App shutdown: every session closed (each writes its row), stragglers cut after a grace. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    clearInterval(this.recheckTimer);
    for (const session of this.sessions.keys()) session.shutdown();
    await Promise.all(
      [...this.wss.clients].map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === ws.CLOSED) return resolve();
            const timer = setTimeout(() => {
              ws.terminate();
              resolve();
            }, SHUTDOWN_GRACE_MS);
            ws.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
          }),
      ),
    );
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
