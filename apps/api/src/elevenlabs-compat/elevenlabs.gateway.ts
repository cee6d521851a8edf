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
import { WebSocketServer } from 'ws';
import { APP_CONFIG, type AppConfig } from '@cw/config';
import { mapError } from '../common/errors/map-error';
import { ShutdownService } from '../lifecycle/shutdown.service';
import { SocketWriter } from '../realtime/audio-sink';
import {
  type AdmittedSession,
  RealtimeAdmissionService,
} from '../realtime/realtime-admission.service';
import { refuseUpgrade, UpgradeRouter } from '../realtime/upgrade-router';
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

/** A client message is JSON text; a megabyte is far more than any LLM emits at once. */
const MAX_MESSAGE_BYTES = 1024 * 1024;
/** How often open sockets are rechecked when the auth cache is off (AUTH_CACHE_TTL_MS=0). */
const UNCACHED_RECHECK_MS = 1000;
/** Refusals that close a socket; anything else (our database down) leaves it open. */
const POLICY_STATUSES = new Set([401, 403, 429]);
/** Every interval each socket is pinged; one that missed the previous ping is terminated. */
const HEARTBEAT_INTERVAL_MS = 30_000;
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
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  /** Open sessions and what admitted them, rechecked every auth-cache period. */
  private readonly sessions = new Map<ElevenLabsSession, AdmittedSession>();
  private readonly alive = new WeakSet<object>();
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
    this.router.register(
      (pathname) => PATH.test(pathname),
      (req, socket, head, url, requestId) => void this.accept(req, socket, head, url, requestId),
    );
  }

  onApplicationBootstrap(): void {
    this.shutdown.onDrain(() => {
      for (const session of this.sessions.keys()) session.drain();
    });
    this.shutdown.onCut(() => {
      for (const session of this.sessions.keys()) session.shutdown();
    });
    // A socket that vanished without closing (a dropped call) releases its slot within a minute.
    this.heartbeat = setInterval(() => {
      for (const ws of this.wss.clients) {
        if (!this.alive.delete(ws)) ws.terminate();
        else ws.ping();
      }
    }, HEARTBEAT_INTERVAL_MS);
    this.heartbeat.unref();
    const ttl = this.config.auth.cacheTtlMs;
    this.recheckTimer = setInterval(
      () =>
        void this.recheckSessions().catch((err: unknown) =>
          this.logger.warn({ err }, 'elevenlabs session recheck failed'),
        ),
      ttl > 0 ? ttl : UNCACHED_RECHECK_MS,
    );
    this.recheckTimer.unref();
  }

  /**
   * A socket outlives the check made at its upgrade: at least once per auth-cache period its
   * key, tenant and quota are checked again (as on our own WebSocket), and one that no longer
   * passes is closed.
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
        else this.logger.warn({ err }, 'could not recheck an elevenlabs session; it stays open');
      }
    } finally {
      this.rechecking = false;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    clearInterval(this.recheckTimer);
    for (const session of this.sessions.keys()) session.shutdown();
    for (const ws of this.wss.clients) ws.terminate();
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
    const [, voiceId, kind] = PATH.exec(url.pathname) ?? [];
    const mode: StreamInputMode = kind === 'multi-stream-input' ? 'multi' : 'single';
    let admitted;
    let profile: SpeechProfile | undefined;
    try {
      admitted = await this.admission.admitSession(
        req,
        elevenLabsApiKey(req.headers, url.searchParams),
        ELEVENLABS_WS_ENDPOINTS[mode],
        requestId,
        async (tenant) => {
          const output = parseOutputFormat(url.searchParams.get('output_format'));
          profile = await this.synthesis.resolveProfile(tenant, {
            voice_id: resolveVoiceId(pathSegment(voiceId)),
            language: url.searchParams.get('language_code') || 'en',
            format: output.format,
            sample_rate: output.sampleRate,
            speed: 1,
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
    // The client may leave, or ws may reject the handshake, before a session exists.
    const abandoned = () => run.finishWithCode('cancelled', null);
    if (socket.destroyed) return abandoned();
    socket.once('close', abandoned);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('close', abandoned);
      socket.off('error', ignore);
      this.alive.add(ws);
      ws.on('pong', () => this.alive.add(ws));
      const session = new ElevenLabsSession(ws, {
        mode,
        ctx,
        run,
        synthesis: this.synthesis,
        profile: spoken,
        writer: new SocketWriter(ws),
        logger: this.logger,
        inactivityTimeoutMs: inactivityMs(url.searchParams.get('inactivity_timeout')),
      });
      this.sessions.set(session, admitted);
      if (this.shutdown.draining) session.drain();
      ws.once('close', () => this.sessions.delete(session));
    });
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
