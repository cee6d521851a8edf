import type { Logger } from '@nestjs/common';
import { type AudioFormat, durationMs, WAV_HEADER_BYTES } from '@cw/audio';
import { SentenceChunker } from '@cw/text';
import WebSocket from 'ws';
import { mapError } from '../common/errors/map-error';
import { gapAfter, SynthesisService } from '../synthesis/synthesis.service';
import { SynthesisErrorCode, SynthesisException } from '../synthesis/synthesis.exception';
import type { Tenant } from '../tenants/tenant.entity';
import type { MeteredSynthesis, MeterStart } from '../usage/synthesis-meter.service';
import { parseClientMessage, type SessionConfigInput, validateConfig } from './realtime-messages';
import { RealtimeErrorCode, RealtimeException } from './realtime.exception';
import { TwilioFramer, twilioClear, twilioMark, twilioMedia } from './twilio-framer';

/** Defaults of a session that sends no config: raw 16-bit PCM at 16 kHz, the usual rate of
 * speech pipelines (WebRTC, SIP wideband, speech recognizers). */
export const DEFAULT_FORMAT: AudioFormat = 'pcm';
export const DEFAULT_SAMPLE_RATE = 16000;
/** Past this much unsent audio in the socket, synthesis waits for the client to read. */
const HIGH_WATER_BYTES = 256 * 1024;
/** Text waiting to be synthesized; beyond this new text is refused (the client outruns us). */
const MAX_PENDING_CHARS = 20_000;
/** A probe that passes prepare(): config is checked with the same code as real pieces. */
const PROBE_TEXT = 'Hello.';

interface ResolvedConfig {
  voice_id: string;
  language: string;
  format: AudioFormat;
  sample_rate: number;
  speed: number;
}

export interface SessionOptions {
  tenant: Tenant;
  meter: MeteredSynthesis;
  /** The object handed to the meter; its `characters` grows as text is synthesized. */
  meterStart: MeterStart;
  /** Twilio output mode: audio goes out as Media Streams messages for this stream. */
  twilioStreamSid?: string;
}

/**
 * One WebSocket synthesis session: text arrives in pieces, complete sentences and clauses are
 * synthesized one at a time, in order, and their audio streams back on the session's clock.
 * Every inbound message is handled in order through one promise chain; `clear` aborts the
 * piece in progress synchronously at its turn, and every send re-checks that its piece is still
 * current, so no audio of cleared text can follow `cleared` on the wire.
 */
export class RealtimeSession {
  private config: ResolvedConfig;
  private readonly chunker = new SentenceChunker();
  private readonly queue: string[] = [];
  private readonly framer = new TwilioFramer();
  /** Bumped by `clear`: pieces of an older generation send nothing more. */
  private generation = 0;
  private current?: AbortController;
  private pumping = false;
  private closing = false;
  private ended = false;
  private doneSent = false;
  private textAccepted = false;
  private wavHeaderSent = false;
  /** Audio sent so far, in ms: alignment times are on this clock. */
  private clockMs = 0;
  private utterances = 0;
  private lastFailure: string | null = null;
  private inbox: Promise<void> = Promise.resolve();
  private lastWrite: Promise<void> = Promise.resolve();

  constructor(
    private readonly ws: WebSocket,
    private readonly synthesis: SynthesisService,
    private readonly options: SessionOptions,
    private readonly logger: Logger,
  ) {
    const twilio = options.twilioStreamSid !== undefined;
    this.config = {
      voice_id: 'default',
      language: 'en',
      format: twilio ? 'mulaw' : DEFAULT_FORMAT,
      sample_rate: twilio ? 8000 : DEFAULT_SAMPLE_RATE,
      speed: 1,
    };
    this.applyToMeter();
    ws.on('message', (data, isBinary) => {
      // binaryType is the default 'nodebuffer': a message is one Buffer.
      const raw = isBinary ? null : (data as Buffer).toString('utf8');
      this.inbox = this.inbox.then(() => this.handle(raw)).catch((err: unknown) => this.fail(err));
    });
    ws.on('close', () => this.end(this.doneSent ? 'completed' : 'cancelled'));
    ws.on('error', (err) => this.logger.warn({ err }, 'websocket error'));
  }

  /** Server shutdown: stop synthesis, record the session, tell the client why. */
  shutdown(): void {
    this.end('cancelled');
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1001, 'server shutting down');
  }

  private get twilio(): boolean {
    return this.options.twilioStreamSid !== undefined;
  }

  private async handle(raw: string | null): Promise<void> {
    if (this.ended) return;
    try {
      if (raw === null) {
        throw new RealtimeException(
          RealtimeErrorCode.InvalidMessage,
          'Binary frames are not accepted; send JSON text frames',
        );
      }
      const message = parseClientMessage(raw);
      switch (message.type) {
        case 'config':
          return await this.configure(message.config);
        case 'text':
          return this.acceptText(message.text);
        case 'flush':
          this.assertOpen();
          return this.enqueue(this.chunker.flush());
        case 'clear':
          return this.clear();
        case 'close':
          this.assertOpen();
          this.closing = true;
          this.enqueue(this.chunker.flush());
          return this.finishIfDone();
      }
    } catch (err) {
      this.sendError(err);
    }
  }

  private assertOpen(): void {
    if (this.closing) {
      throw new RealtimeException(
        RealtimeErrorCode.SessionClosing,
        'The session is closing; no more messages are accepted',
      );
    }
  }

  private async configure(input: SessionConfigInput): Promise<void> {
    this.assertOpen();
    if (this.textAccepted) {
      throw new RealtimeException(
        RealtimeErrorCode.ConfigAfterText,
        'config must come before the first text message',
      );
    }
    await validateConfig(input);
    const format = this.twilio ? 'mulaw' : (input.format ?? this.config.format);
    const telephony = format === 'mulaw' || format === 'alaw';
    const next: ResolvedConfig = {
      voice_id: input.voice_id ?? this.config.voice_id,
      language: input.language ?? this.config.language,
      format,
      sample_rate: this.twilio
        ? 8000
        : (input.sample_rate ?? (telephony ? 8000 : DEFAULT_SAMPLE_RATE)),
      speed: input.speed ?? this.config.speed,
    };
    // Unknown voice, a rate the format cannot carry: found now, with the HTTP API's codes.
    await this.synthesis.prepare(this.options.tenant, { ...next, text: PROBE_TEXT });
    this.config = next;
    this.applyToMeter();
  }

  private applyToMeter(): void {
    const { meter } = this.options;
    meter.voiceId = this.config.voice_id;
    meter.format = this.config.format;
    meter.sampleRate = this.config.sample_rate;
    meter.engine = this.synthesis.engineId;
  }

  private acceptText(text: string): void {
    this.assertOpen();
    const pending = this.queue.reduce((n, piece) => n + piece.length, 0);
    if (pending + text.length > MAX_PENDING_CHARS) {
      throw new RealtimeException(
        RealtimeErrorCode.TextBufferFull,
        `More than ${MAX_PENDING_CHARS} characters are waiting to be spoken; this text was dropped`,
      );
    }
    if (text.length) this.textAccepted = true;
    this.enqueue(this.chunker.push(text));
  }

  private enqueue(pieces: string[]): void {
    this.queue.push(...pieces);
    if (pieces.length) void this.pump();
  }

  /** Barge-in: forget buffered text, stop the piece being spoken, then confirm. */
  private clear(): void {
    this.generation++;
    this.queue.length = 0;
    this.chunker.flush();
    this.framer.reset();
    this.current?.abort();
    if (this.twilio) this.sendJson(twilioClear(this.options.twilioStreamSid!));
    this.sendJson({ type: 'cleared' });
    this.finishIfDone();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      let piece: string | undefined;
      while (!this.ended && (piece = this.queue.shift()) !== undefined) {
        await this.speak(piece);
      }
    } finally {
      this.pumping = false;
    }
    this.finishIfDone();
  }

  /** One piece, one job: its audio, its word timings, and in Twilio mode its closing mark. */
  private async speak(text: string): Promise<void> {
    const generation = this.generation;
    const controller = new AbortController();
    this.current = controller;
    const live = () =>
      generation === this.generation &&
      !controller.signal.aborted &&
      this.ws.readyState === WebSocket.OPEN;
    const { format, sample_rate: sampleRate } = this.config;
    // A WAV stream has one header, at its start: later pieces are bare PCM.
    const renderFormat: AudioFormat = format === 'wav' && this.wavHeaderSent ? 'pcm' : format;
    const startClock = this.clockMs;
    let payloadBytes = 0;
    try {
      const job = await this.synthesis.prepare(this.options.tenant, { ...this.config, text });
      if (!live()) return;
      this.options.meterStart.characters += text.length;
      const gap = gapAfter(text);
      // Pieces are separate jobs, so the pause between sentences is ours to add.
      if (gap > 0) job.plan.push({ type: 'break', ms: gap });
      const utterance = this.twilio ? `u${++this.utterances}` : undefined;
      for await (const event of this.synthesis.renderEvents(job, controller.signal, renderFormat)) {
        if (!live()) return;
        if (event.type === 'audio') {
          const header = renderFormat === 'wav' && !this.wavHeaderSent ? WAV_HEADER_BYTES : 0;
          if (header) this.wavHeaderSent = true;
          payloadBytes += event.data.length - header;
          this.sendAudio(event.data);
          if (this.ws.bufferedAmount > HIGH_WATER_BYTES) await this.drained(controller.signal);
        } else if (event.type === 'words') {
          this.sendJson({
            type: 'alignment',
            words: event.words.map((w) => ({
              word: w.word,
              start_ms: Math.round(startClock + w.startMs),
              end_ms: Math.round(startClock + w.endMs),
            })),
          });
        }
      }
      if (!live()) return;
      if (utterance) {
        const { frame, padding } = this.framer.end();
        if (frame) this.sendTwilioFrame(frame);
        payloadBytes += padding;
        this.sendJson(twilioMark(this.options.twilioStreamSid!, utterance));
      }
    } catch (err) {
      if (!live()) return;
      if (err instanceof SynthesisException && err.code === String(SynthesisErrorCode.EmptyText)) {
        return;
      }
      this.sendError(err);
    } finally {
      if (this.current === controller) this.current = undefined;
      this.clockMs = startClock + durationMs(payloadBytes, format, sampleRate);
    }
  }

  private sendAudio(data: Buffer): void {
    if (!this.twilio) {
      this.options.meter.sent(data.length);
      this.write(data, true);
      return;
    }
    for (const frame of this.framer.push(data)) this.sendTwilioFrame(frame);
  }

  private sendTwilioFrame(frame: Buffer): void {
    this.options.meter.sent(frame.length);
    this.write(JSON.stringify(twilioMedia(this.options.twilioStreamSid!, frame)), false);
  }

  private sendJson(message: object): void {
    this.write(JSON.stringify(message), false);
  }

  private write(data: Buffer | string, binary: boolean): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.lastWrite = new Promise((resolve) => this.ws.send(data, { binary }, () => resolve()));
  }

  /** Resolves when everything sent so far has reached the socket, or the piece is aborted. */
  private drained(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done, { once: true });
      void this.lastWrite.then(done);
    });
  }

  private sendError(err: unknown): void {
    const { status, code, message, log } = mapError(err);
    // Caller mistakes (a bad message, an unknown voice) leave the session's outcome alone.
    if (status >= 500) this.lastFailure = code;
    if (log) this.logger[log]({ err, tenant_id: this.options.tenant.tenantId }, 'realtime failure');
    this.sendJson({ type: 'error', code, message });
  }

  private fail(err: unknown): void {
    this.sendError(err);
  }

  /** After `close`: once nothing is queued or being spoken, say done and close normally. */
  private finishIfDone(): void {
    if (!this.closing || this.pumping || this.queue.length || this.ended || this.doneSent) return;
    this.doneSent = true;
    this.sendJson({ type: 'done' });
    this.end('completed');
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000, 'done');
  }

  /** Exactly once: stop synthesis, release the slot, write the session's usage row. */
  private end(outcome: 'completed' | 'cancelled'): void {
    if (this.ended) return;
    this.ended = true;
    this.generation++;
    this.queue.length = 0;
    this.current?.abort();
    const failed = outcome === 'completed' && this.lastFailure !== null;
    this.options.meter.finish(failed ? 'failed' : outcome, this.lastFailure);
  }
}
