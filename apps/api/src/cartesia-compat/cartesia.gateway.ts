import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { APP_CONFIG, type AppConfig } from '@cw/config';
import { ShutdownService } from '../lifecycle/shutdown.service';
import { SocketWriter } from '../realtime/audio-sink';
import { RealtimeAdmissionService } from '../realtime/realtime-admission.service';
import {
  NIGERIAN_LEXICON_PARAM,
  parseNigerianLexicon,
} from '../pronunciation/nigerian-lexicon-query';
import { refuseUpgrade, UpgradeRouter } from '../realtime/upgrade-router';
import { WebSocketSessions } from '../realtime/websocket-sessions';
import { SynthesisService } from '../synthesis/synthesis.service';
import { cartesiaApiKey } from './cartesia-api-key';
import { cartesiaErrorBody } from './cartesia-error-body';
import { CartesiaSession } from './cartesia-session';
import { CARTESIA_ENDPOINTS } from './cartesia-tts.controller';

export const CARTESIA_WS_PATH = '/tts/websocket';

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
  /** Open sessions: heartbeats, drain, cut and recheck, as on our own WebSocket. */
  private readonly sessions: WebSocketSessions<CartesiaSession>;

  constructor(
    private readonly router: UpgradeRouter,
    private readonly admission: RealtimeAdmissionService,
    private readonly synthesis: SynthesisService,
    shutdown: ShutdownService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.sessions = new WebSocketSessions({ admission, shutdown, config, logger: this.logger });
  }

  onModuleInit(): void {
    this.router.register(CARTESIA_WS_PATH, (req, socket, head, url, requestId) => {
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

  async beforeApplicationShutdown(): Promise<void> {
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
    let nigerianLexicon: boolean | undefined;
    try {
      admitted = await this.admission.admitSession(
        req,
        cartesiaApiKey(req.headers, url.searchParams),
        CARTESIA_ENDPOINTS.websocket,
        requestId,
        () => {
          nigerianLexicon = parseNigerianLexicon(url.searchParams.get(NIGERIAN_LEXICON_PARAM));
        },
      );
    } catch (err) {
      refuseUpgrade(socket, err, requestId, this.logger, (mapped) =>
        cartesiaErrorBody(mapped, requestId),
      );
      return;
    }
    const { ctx, run } = admitted;
    socket.off('error', ignore);
    this.sessions.accept(
      req,
      socket,
      head,
      admitted,
      (ws) =>
        new CartesiaSession(ws, {
          ctx,
          run,
          synthesis: this.synthesis,
          writer: new SocketWriter(ws),
          logger: this.logger,
          nigerianLexicon,
        }),
    );
  }
}
