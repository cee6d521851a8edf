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
import type { SpeechProfile } from '../synthesis/synthesis.service';
import { SynthesisService } from '../synthesis/synthesis.service';
import { elevenLabsErrorBody } from './elevenlabs-error-body';
import { parseOutputFormat } from './elevenlabs-output-format';
import { ElevenLabsSession, type StreamInputMode } from './elevenlabs-session';
import { resolveVoiceId } from './elevenlabs-voices';
import { elevenLabsApiKey } from './elevenlabs-api-key';

/** `/elevenlabs/v1/text-to-speech/{voice_id}/stream-input` and `/multi-stream-input`. */
const PATH = /^\/elevenlabs\/v1\/text-to-speech\/([^/]{1,64})\/(stream-input|multi-stream-input)$/;

export const ELEVENLABS_WS_ENDPOINTS: Record<StreamInputMode, string> = {
  single: 'elevenlabs/stream-input',
  multi: 'elevenlabs/multi-stream-input',
};

/** ElevenLabs' default and maximum `inactivity_timeout`, in seconds. */
const DEFAULT_INACTIVITY_S = 20;
const MAX_INACTIVITY_S = 180;

/**
 * ElevenLabs' text-to-speech WebSockets on the app's HTTP server, behind the one upgrade router:
 * key (`xi-api-key` header, `?xi_api_key=`, or Bearer), rate limit, output format and voice,
 * then quota, slot and scheduler stream, all before the handshake; refusals in ElevenLabs' shape.
 */
@Injectable()
export class ElevenLabsGateway
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger('ElevenLabsWs');
  /** Open sessions: heartbeats, drain, cut and recheck, as on our own WebSocket. */
  private readonly sessions: WebSocketSessions<ElevenLabsSession>;

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
    this.router.register(
      (pathname) => PATH.test(pathname),
      (req, socket, head, url, requestId) => void this.accept(req, socket, head, url, requestId),
    );
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
    const [, voiceId, kind] = PATH.exec(url.pathname) ?? [];
    const mode: StreamInputMode = kind === 'multi-stream-input' ? 'multi' : 'single';
    let admitted;
    let profile: SpeechProfile | undefined;
    let nigerianLexicon: boolean | undefined;
    try {
      admitted = await this.admission.admitSession(
        req,
        elevenLabsApiKey(req.headers, url.searchParams),
        ELEVENLABS_WS_ENDPOINTS[mode],
        requestId,
        async (tenant) => {
          const output = parseOutputFormat(url.searchParams.get('output_format'));
          nigerianLexicon = parseNigerianLexicon(url.searchParams.get(NIGERIAN_LEXICON_PARAM));
          profile = await this.synthesis.resolveProfile(tenant, {
            voice_id: resolveVoiceId(pathSegment(voiceId)),
            language: url.searchParams.get('language_code') || 'en',
            format: output.format,
            sample_rate: output.sampleRate,
            speed: 1,
            nigerian_lexicon: nigerianLexicon,
          });
        },
      );
    } catch (err) {
      refuseUpgrade(socket, err, requestId, this.logger, (mapped) =>
        elevenLabsErrorBody(mapped, requestId),
      );
      return;
    }
    const { ctx, run } = admitted;
    const spoken = profile!;
    run.use(spoken);
    socket.off('error', ignore);
    this.sessions.accept(
      req,
      socket,
      head,
      admitted,
      (ws) =>
        new ElevenLabsSession(ws, {
          mode,
          ctx,
          run,
          synthesis: this.synthesis,
          profile: spoken,
          writer: new SocketWriter(ws),
          logger: this.logger,
          inactivityTimeoutMs: inactivityMs(url.searchParams.get('inactivity_timeout')),
          nigerianLexicon,
        }),
    );
  }
}

/** `inactivity_timeout` in seconds, as ElevenLabs takes it (default 20, at most 180). */
function inactivityMs(value: string | null): number {
  const seconds = Number(value);
  if (!value || !Number.isFinite(seconds) || seconds <= 0) return DEFAULT_INACTIVITY_S * 1000;
  return Math.min(seconds, MAX_INACTIVITY_S) * 1000;
}

/** A decoded path segment; one that is not valid percent-encoding stays as sent (no such voice). */
function pathSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
