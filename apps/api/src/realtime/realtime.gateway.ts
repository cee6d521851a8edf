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
import { WebSocketSessions } from './websocket-sessions';

export { HEARTBEAT_INTERVAL_MS } from './websocket-sessions';
export const REALTIME_PATH = '/v1/synthesize/ws';

/**
 * `/v1/synthesize/ws` on the app's own HTTP server: `ws` in noServer mode behind the upgrade
 * router, so auth, rate limits, quota and concurrency are settled before the handshake and a
 * refusal is a real HTTP response with our error body.
 */
@Injectable()
export class RealtimeGateway
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger('Realtime');
  /** Open sessions, their heartbeats, drain, cut and recheck (shared with the Deepgram socket). */
  private readonly sessions: WebSocketSessions<RealtimeSession>;

  constructor(
    private readonly router: UpgradeRouter,
    private readonly admission: RealtimeAdmissionService,
    private readonly synthesis: SynthesisService,
    shutdown: ShutdownService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.sessions = new WebSocketSessions(
      { admission, shutdown, config, logger: this.logger },
      {
        // A browser that sent its key as a subprotocol gets `callwaiting.v1` back, never the key.
        handleProtocols: (offered) =>
          offered.has(REALTIME_SUBPROTOCOL) ? REALTIME_SUBPROTOCOL : false,
      },
    );
  }

  onModuleInit(): void {
    this.router.register(REALTIME_PATH, (req, socket, head, url, requestId) => {
      void this.accept(req, socket, head, url, requestId);
    });
  }

  onApplicationBootstrap(): void {
    this.sessions.start();
  }

  /** Closes (1008) every session whose key, tenant or quota no longer passes. */
  recheckSessions(): Promise<void> {
    return this.sessions.recheck();
  }

  /** Terminates sockets that did not answer the last ping, and pings the rest. */
  checkHeartbeats(): void {
    this.sessions.checkHeartbeats();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.router.stop();
    await this.sessions.close();
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
    this.sessions.accept(req, socket, head, admitted, (ws) => {
      const writer = new SocketWriter(ws);
      opened(writer);
      return new RealtimeSession(ws, {
        ctx: admitted.ctx,
        run: admitted.run,
        synthesis: this.synthesis,
        writer,
        logger: this.logger,
        ...deps(writer),
      });
    });
  }
}
