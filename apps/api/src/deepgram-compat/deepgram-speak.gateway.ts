import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { RawAudioSink } from '../realtime/audio-sink';
import { RealtimeAdmissionService } from '../realtime/realtime-admission.service';
import { RealtimeGateway } from '../realtime/realtime.gateway';
import { refuseUpgrade, UpgradeRouter } from '../realtime/upgrade-router';
import type { SpeechProfile } from '../synthesis/synthesis.service';
import { SynthesisService } from '../synthesis/synthesis.service';
import { DEEPGRAM_CREDENTIALS } from './deepgram-speak.controller';
import { deepgramErrorBody } from './deepgram-error';
import { DeepgramSocketProtocol } from './deepgram-socket-protocol';
import { type DeepgramSpeak, parseSpeakQuery } from './deepgram-speak.mapper';
import { SERVICE_VERSION } from '../common/version';

export const DEEPGRAM_SPEAK_PATH = '/v1/speak';
export const DEEPGRAM_SOCKET_ENDPOINT = 'deepgram/speak/ws';

/**
 * Deepgram's streaming TTS WebSocket on `/v1/speak`: admitted like our own (key, rate limit, the
 * query and voice, quota, slot, scheduler stream) before the handshake, then run as a realtime
 * session speaking Deepgram's messages, raw audio in binary frames.
 */
@Injectable()
export class DeepgramSpeakGateway implements OnModuleInit {
  private readonly logger = new Logger('DeepgramSpeak');

  constructor(
    private readonly router: UpgradeRouter,
    private readonly admission: RealtimeAdmissionService,
    private readonly realtime: RealtimeGateway,
    private readonly synthesis: SynthesisService,
  ) {}

  onModuleInit(): void {
    this.router.register(DEEPGRAM_SPEAK_PATH, (req, socket, head, url, requestId) => {
      void this.accept(req, socket, head, url, requestId);
    });
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
    let speak: DeepgramSpeak | undefined;
    let profile: SpeechProfile | undefined;
    let admitted;
    try {
      const token = DEEPGRAM_CREDENTIALS(req.headers);
      admitted = await this.admission.admitSession(
        req,
        token,
        DEEPGRAM_SOCKET_ENDPOINT,
        requestId,
        async (tenant) => {
          // A bad query or an unknown voice is refused before quota and slot are taken.
          speak = parseSpeakQuery(Object.fromEntries(url.searchParams), true);
          profile = await this.synthesis.resolveProfile(tenant, speak.options);
        },
      );
    } catch (err) {
      refuseUpgrade(socket, err, requestId, this.logger, (mapped) =>
        deepgramErrorBody(mapped, requestId),
      );
      return;
    }
    socket.off('error', ignore);
    const { run } = admitted;
    this.realtime.open(
      req,
      socket,
      head,
      admitted,
      (writer) => ({
        profile,
        protocol: new DeepgramSocketProtocol(),
        sink: new RawAudioSink(writer, (bytes) => run.delivered(bytes)),
      }),
      (writer) =>
        writer.json({
          type: 'Metadata',
          request_id: requestId,
          model_name: speak!.model,
          model_version: SERVICE_VERSION,
          model_uuid: profile!.voice.voiceId,
        }),
    );
  }
}
