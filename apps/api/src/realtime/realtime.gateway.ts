import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@cw/config';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { mapError } from '../common/errors/map-error';
import { ShutdownService } from '../lifecycle/shutdown.service';
import { SynthesisService } from '../synthesis/synthesis.service';
import { createAudioSink, SocketWriter } from './audio-sink';
import {
  type AdmittedSession,
  RealtimeAdmissionService,
  REALTIME_SUBPROTOCOL,
} from './realtime-admission.service';
import { RealtimeSession, type SessionDeps } from './realtime-session';
import { refuseUpgrade, UpgradeRouter } from './upgrade-router';

export const REALTIME_PATH = '/v1/synthesize/ws';
/** A client message is JSON text; a megabyte is far more than any LLM emits at once. */
const MAX_MESSAGE_BYTES = 1024 * 1024;
/** Sockets still open this long after a shutdown close frame are cut. */
const SHUTDOWN_GRACE_MS = 1000;
/**
 * Every interval each socket is pinged; one that has not answered the previous ping is dead
 * (a phone call that vanished without a FIN) and is terminated, releasing its stream slot.
 */
export const HEARTBEAT_INTERVAL_MS = 30_000;
/** How often open sessions are rechecked when the auth cache is off (AUTH_CACHE_TTL_MS=0). */
const UNCACHED_RECHECK_MS = 1000;
/** Refusals that close a session; anything else (our database down) leaves it open. */
const POLICY_STATUSES = new Set([401, 403, 429]);

/**
 * `/v1/synthesize/ws` on the app's own HTTP server: `ws` in noServer mode behind our upgrade
 * handler, so auth, rate limits, quota and concurrency are settled before the handshake and a
 * refusal is a real HTTP response with our error body.
 */
@Injectable()
export class RealtimeGateway
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger('Realtime');
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    // A browser that sent its key as a subprotocol gets `callwaiting.v1` back, never the key.
    handleProtocols: (offered) =>
      offered.has(REALTIME_SUBPROTOCOL) ? REALTIME_SUBPROTOCOL : false,
  });
  /** Open sessions and what admitted them, rechecked every auth-cache period. */
  private readonly sessions = new Map<RealtimeSession, AdmittedSession>();
  private readonly alive = new WeakSet<WebSocket>();
  private heartbeat?: NodeJS.Timeout;
  private recheckTimer?: NodeJS.Timeout;
  private rechecking = false;

  constructor(
    private readonly router: UpgradeRouter,
    private readonly admission: RealtimeAdmissionService,
    private readonly synthesis: SynthesisService,
    private readonly shutdown: ShutdownService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.router.register(REALTIME_PATH, (req, socket, head, url, requestId) => {
      void this.accept(req, socket, head, url, requestId);
    });
  }

  onApplicationBootstrap(): void {
    this.shutdown.onDrain(() => {
      for (const session of this.sessions.keys()) session.drain();
    });
    this.shutdown.onCut(() => {
      for (const session of this.sessions.keys()) session.shutdown();
    });
    this.heartbeat = setInterval(() => this.checkHeartbeats(), HEARTBEAT_INTERVAL_MS);
    this.heartbeat.unref();
    const ttl = this.config.auth.cacheTtlMs;
    this.recheckTimer = setInterval(
      () =>
        void this.recheckSessions().catch((err: unknown) =>
          this.logger.warn({ err }, 'realtime session recheck failed'),
        ),
      ttl > 0 ? ttl : UNCACHED_RECHECK_MS,
    );
    this.recheckTimer.unref();
  }

  /**
   * A session outlives the check made at its upgrade: at least once per auth-cache period its
   * key, tenant and quota are checked again, and a session that no longer passes is closed.
   */
  async recheckSessions(): Promise<void> {
    if (this.rechecking || this.sessions.size === 0) return;
    this.rechecking = true;
    try {
      const refused = await this.admission.recheck([...this.sessions.values()]);
      for (const [session, admitted] of this.sessions) {
        const err = refused.get(admitted);
        if (err === undefined) continue;
        if (POLICY_STATUSES.has(mapError(err).status)) session.revoke(err);
        else this.logger.warn({ err }, 'could not recheck a realtime session; it stays open');
      }
    } finally {
      this.rechecking = false;
    }
  }

  /** Terminates sockets that did not answer the last ping, and pings the rest. */
  checkHeartbeats(): void {
    for (const ws of this.wss.clients) {
      if (!this.alive.has(ws)) {
        ws.terminate();
        continue;
      }
      this.alive.delete(ws);
      ws.ping();
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    clearInterval(this.recheckTimer);
    this.router.stop();
    for (const session of this.sessions.keys()) session.shutdown();
    const clients = [...this.wss.clients];
    await Promise.all(
      clients.map(
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

  private async accept(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    url: URL,
    requestId: string,
  ): Promise<void> {
    const ignore = () => undefined;
    socket.on('error', ignore);
    let admitted;
    try {
      admitted = await this.admission.admit(req, url, requestId);
    } catch (err) {
      refuseUpgrade(socket, err, requestId, this.logger);
      return;
    }
    socket.off('error', ignore);
    this.open(req, socket, head, admitted, (writer) => ({
      sink: createAudioSink(admitted.output, writer, (bytes) => admitted.run.delivered(bytes)),
    }));
  }

  /**
   * Completes the handshake of an admitted upgrade and runs a session on it, for our surface and
   * the vendor-compatible ones: heartbeat, drain and shutdown apply to every session alike.
   * `deps` gives what differs (sink, protocol, profile); `opened` runs once the socket is open.
   * The session's key and tenant are rechecked while it is open, whatever its surface.
   */
  open(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    admitted: AdmittedSession,
    deps: (
      writer: SocketWriter,
    ) => Omit<SessionDeps, 'ctx' | 'run' | 'synthesis' | 'writer' | 'logger'>,
    opened: (writer: SocketWriter) => void = () => undefined,
  ): void {
    const { run } = admitted;
    const ignore = () => undefined;
    socket.on('error', ignore);
    // The client may leave, or ws may reject the handshake, before a session exists.
    const abandoned = () => run.finishWithCode('cancelled', null);
    if (socket.destroyed) return abandoned();
    socket.once('close', abandoned);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('close', abandoned);
      socket.off('error', ignore);
      this.alive.add(ws);
      ws.on('pong', () => this.alive.add(ws));
      const writer = new SocketWriter(ws);
      opened(writer);
      const session = new RealtimeSession(ws, {
        ctx: admitted.ctx,
        run,
        synthesis: this.synthesis,
        writer,
        logger: this.logger,
        ...deps(writer),
      });
      this.sessions.set(session, admitted);
      if (this.shutdown.draining) session.drain();
      ws.once('close', () => this.sessions.delete(session));
    });
  }
}
