import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { ShutdownService } from '../lifecycle/shutdown.service';
import { SocketWriter } from '../realtime/audio-sink';
import { RealtimeAdmissionService } from '../realtime/realtime-admission.service';
import { refuseUpgrade, UpgradeRouter } from '../realtime/upgrade-router';
import { SynthesisService } from '../synthesis/synthesis.service';
import { cartesiaApiKey } from './cartesia-api-key';
import { cartesiaErrorBody } from './cartesia-error-body';
import { CartesiaSession } from './cartesia-session';
import { CARTESIA_ENDPOINTS } from './cartesia-tts.controller';

export const CARTESIA_WS_PATH = '/tts/websocket';
/** A client message is one generation request; a megabyte is far more than any carries. */
const MAX_MESSAGE_BYTES = 1024 * 1024;
/** Every interval each socket is pinged; one that missed the previous ping is terminated. */
const HEARTBEAT_INTERVAL_MS = 30_000;

/**
 * Cartesia's `/tts/websocket` on the app's own HTTP server, through the one upgrade listener:
 * key (`X-API-Key`, `Authorization: Bearer` or `?api_key=`), rate limit, quota, concurrency slot
 * and scheduler stream are settled before the handshake, and a refusal is an HTTP response with
 * Cartesia's error body. One socket is one session and one usage row.
 */
@Injectable()
export class CartesiaGateway
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger('CartesiaWebSocket');
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  private readonly sessions = new Set<CartesiaSession>();
  private readonly alive = new WeakSet<object>();
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly router: UpgradeRouter,
    private readonly admission: RealtimeAdmissionService,
    private readonly synthesis: SynthesisService,
    private readonly shutdown: ShutdownService,
  ) {}

  onModuleInit(): void {
    this.router.register(CARTESIA_WS_PATH, (req, socket, head, url, requestId) => {
      void this.accept(req, socket, head, url, requestId);
    });
  }

  onApplicationBootstrap(): void {
    this.shutdown.onDrain(() => this.sessions.forEach((s) => s.drain()));
    this.shutdown.onCut(() => this.sessions.forEach((s) => s.shutdown()));
    this.heartbeat = setInterval(() => {
      for (const ws of this.wss.clients) {
        if (!this.alive.delete(ws)) ws.terminate();
        else ws.ping();
      }
    }, HEARTBEAT_INTERVAL_MS);
    this.heartbeat.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    this.sessions.forEach((s) => s.shutdown());
    this.wss.clients.forEach((ws) => ws.terminate());
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
      admitted = await this.admission.admitSession(
        req,
        cartesiaApiKey(req.headers, url.searchParams),
        CARTESIA_ENDPOINTS.websocket,
        requestId,
      );
    } catch (err) {
      refuseUpgrade(socket, err, requestId, this.logger, (mapped) =>
        cartesiaErrorBody(mapped, requestId),
      );
      return;
    }
    const { ctx, run } = admitted;
    const abandoned = () => run.finishWithCode('cancelled', null);
    if (socket.destroyed) return abandoned();
    socket.once('close', abandoned);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('close', abandoned);
      socket.off('error', ignore);
      this.alive.add(ws);
      ws.on('pong', () => this.alive.add(ws));
      const session = new CartesiaSession(ws, {
        ctx,
        run,
        synthesis: this.synthesis,
        writer: new SocketWriter(ws),
        logger: this.logger,
      });
      this.sessions.add(session);
      if (this.shutdown.draining) session.drain();
      ws.once('close', () => this.sessions.delete(session));
    });
  }
}
