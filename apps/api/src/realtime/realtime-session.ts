import type { Logger } from '@nestjs/common';
import { durationMs } from '@cw/audio';
import { SentenceChunker } from '@cw/text';
import type WebSocket from 'ws';
import { mapError } from '../common/errors/map-error';
import type { RequestContext } from '../common/request-context/request-context';
import { SynthesisErrorCode, SynthesisException } from '../synthesis/synthesis.exception';
import type { SynthesisRun } from '../synthesis/synthesis-runner';
import {
  gapAfter,
  type SpeechOptions,
  type SpeechProfile,
  type SynthesisService,
} from '../synthesis/synthesis.service';
import type { AudioSink, SocketWriter } from './audio-sink';
import {
  type ClientMessage,
  parseClientMessage,
  type SessionConfigInput,
  validateConfig,
} from './realtime-messages';
import { RealtimeErrorCode, RealtimeException } from './realtime.exception';

/** WebSocket close code 1012 (service restart): the client should reconnect, to another replica. */
const SERVICE_RESTART = 1012;

/** Text waiting to be synthesized; beyond this new text is refused (the client outruns us). */
const MAX_PENDING_CHARS = 20_000;

export enum SessionState {
  /** No text yet: config may still change the voice and output. */
  Configuring = 'configuring',
  /** Text has been accepted: config is fixed. */
  Streaming = 'streaming',
  /** `close` received: buffered text is spoken, then `done`; no more messages are accepted. */
  Closing = 'closing',
  /** The usage row is written; nothing more is spoken or sent. */
  Ended = 'ended',
}

/** Every move a session may make; anything else is a bug. */
const TRANSITIONS: Readonly<Record<SessionState, readonly SessionState[]>> = {
  [SessionState.Configuring]: [SessionState.Streaming, SessionState.Closing, SessionState.Ended],
  [SessionState.Streaming]: [SessionState.Closing, SessionState.Ended],
  [SessionState.Closing]: [SessionState.Ended],
  [SessionState.Ended]: [],
};

/** Word timings on the session's clock, in ms from its first audio. */
export interface SessionWord {
  word: string;
  start_ms: number;
  end_ms: number;
}

/**
 * How a session's messages look on the wire: ours (`NATIVE_PROTOCOL`) or a vendor's. The session
 * logic (queue, barge-in, pacing, drain, metering) is the same for all of them.
 */
export interface SessionProtocol {
  /** One text frame as a session message; throws a DomainException when it is bad. */
  parse(raw: string): ClientMessage;
  /** Confirms a barge-in. */
  cleared(): object;
  /**
   * Sent once everything received before a `flush` has been spoken (Deepgram's Flushed); a
   * protocol without it flushes silently.
   */
  flushed?(): object;
  /** After `close`, once everything is spoken; with none, `close` stops at once instead. */
  done?(): object;
  alignment?(words: SessionWord[]): object;
  error(code: string, message: string): object;
}

/** Our own protocol (`/v1/synthesize/ws`). */
export const NATIVE_PROTOCOL: SessionProtocol = {
  parse: parseClientMessage,
  cleared: () => ({ type: 'cleared' }),
  done: () => ({ type: 'done' }),
  alignment: (words) => ({ type: 'alignment', words }),
  error: (code, message) => ({ type: 'error', code, message }),
};

/** A place in the queue where a flush must be confirmed, once what came before is spoken. */
const FLUSH_POINT = Symbol('flush point');
type Queued = string | typeof FLUSH_POINT;

export interface SessionDeps {
  ctx: RequestContext;
  /** Admitted at the upgrade: holds the session's slot until it ends. */
  run: SynthesisRun;
  synthesis: SynthesisService;
  /** Frames to the client; audio goes through `sink`, which writes to the same socket. */
  writer: SocketWriter;
  sink: AudioSink;
  logger: Logger;
  /** Default: ours. */
  protocol?: SessionProtocol;
  /** The output and voice, when the upgrade already settled them (no `config` message). */
  profile?: SpeechProfile;
}

/**
 * One WebSocket synthesis session: text arrives in pieces, complete sentences and clauses are
 * synthesized one at a time, in order, and their audio streams back on the session's clock.
 * Every inbound message is handled in order through one promise chain; `clear` aborts the piece
 * in progress synchronously at its turn, and every send re-checks that its piece is still live,
 * so no audio of cleared text can follow `cleared` on the wire.
 */
export class RealtimeSession {
  private state = SessionState.Configuring;
  private options: SpeechOptions;
  /** Resolved from `options` once (voice loaded), then reused by every piece. */
  private profile?: SpeechProfile;
  private readonly chunker = new SentenceChunker();
  private readonly queue: Queued[] = [];
  /** The piece being spoken; `clear` and `end` abort it. */
  private current?: AbortController;
  private pumping = false;
  /** Audio sent so far, in ms: alignment times are on this clock. */
  private clockMs = 0;
  /** Code of the last server-side failure, recorded with the session's usage row. */
  private lastFailure: string | null = null;
  private inbox: Promise<void> = Promise.resolve();
  /** The server drains: once what was received is spoken, the session closes with 1012. */
  private draining = false;

  constructor(
    ws: WebSocket,
    private readonly deps: SessionDeps,
  ) {
    const { sink, run, profile } = deps;
    this.options = {
      voice_id: profile?.voice.voiceId ?? 'default',
      language: profile?.language ?? 'en',
      format: profile?.format ?? sink.defaults.format,
      sample_rate: profile?.sampleRate ?? sink.defaults.sampleRate,
      speed: profile?.speed ?? 1,
    };
    if (profile) {
      this.profile = profile;
      run.use(profile);
    } else {
      run.describe('default', sink.defaults);
    }
    ws.on('message', (data, isBinary) => {
      // binaryType is the default 'nodebuffer': a message is one Buffer.
      const raw = isBinary ? null : (data as Buffer).toString('utf8');
      this.inbox = this.inbox
        .then(() => this.handle(raw))
        .catch((err: unknown) => this.sendError(err))
        .then(() => this.closeIfDrained());
    });
    ws.on('close', () => this.end('cancelled'));
    ws.on('error', (err) => deps.logger.warn({ err }, 'websocket error'));
  }

  get currentState(): SessionState {
    return this.state;
  }

  /** Resolves once every message received so far has been handled (tests, shutdown). */
  settled(): Promise<void> {
    return this.inbox;
  }

  /**
   * What admitted the session no longer holds (key revoked, tenant deactivated, quota used up):
   * an error frame with the code, the usage row, then close 1008 (policy violation) with the
   * reason.
   */
  revoke(err: unknown): void {
    if (this.state === SessionState.Ended) return;
    const { code, message } = mapError(err);
    this.writer.json({ type: 'error', code, message });
    this.lastFailure = code;
    this.end('cancelled');
    this.writer.close(1008, closeReason(`${code}: ${message}`));
  }

  /**
   * The server drains: text already received is still spoken (a sentence being written is
   * awaited), then the session closes with 1012 so the client reconnects to another replica.
   */
  drain(): void {
    this.draining = true;
    this.closeIfDrained();
  }

  /** The drain deadline passed: stop synthesis, record the session, tell the client to reconnect. */
  shutdown(): void {
    this.end('cancelled');
    this.writer.close(SERVICE_RESTART, 'server restarting: reconnect');
  }

  private get writer(): SocketWriter {
    return this.deps.writer;
  }

  private get protocol(): SessionProtocol {
    return this.deps.protocol ?? NATIVE_PROTOCOL;
  }

  private moveTo(next: SessionState): void {
    if (this.state === next) return;
    if (!TRANSITIONS[this.state].includes(next)) {
      throw new Error(`realtime session cannot go from ${this.state} to ${next}`);
    }
    this.state = next;
  }

  private async handle(raw: string | null): Promise<void> {
    if (this.state === SessionState.Ended) return;
    try {
      if (raw === null) {
        throw new RealtimeException(
          RealtimeErrorCode.InvalidMessage,
          'Binary frames are not accepted; send JSON text frames',
        );
      }
      const message = this.protocol.parse(raw);
      switch (message.type) {
        case 'config':
          return await this.configure(message.config);
        case 'text':
          return this.acceptText(message.text);
        case 'flush':
          this.assertOpen();
          this.enqueue(this.chunker.flush());
          if (this.protocol.flushed) this.enqueue([FLUSH_POINT]);
          return;
        case 'clear':
          return this.clear();
        case 'close':
          this.assertOpen();
          if (!this.protocol.done) return this.closeNow();
          this.moveTo(SessionState.Closing);
          this.enqueue(this.chunker.flush());
          return this.finishIfDone();
      }
    } catch (err) {
      this.sendError(err);
    }
  }

  private assertOpen(): void {
    if (this.state === SessionState.Closing) {
      throw new RealtimeException(
        RealtimeErrorCode.SessionClosing,
        'The session is closing; no more messages are accepted',
      );
    }
  }

  private async configure(input: SessionConfigInput): Promise<void> {
    this.assertOpen();
    if (this.state !== SessionState.Configuring) {
      throw new RealtimeException(
        RealtimeErrorCode.ConfigAfterText,
        'config must come before the first text message',
      );
    }
    await validateConfig(input);
    const { sink } = this.deps;
    const format = sink.fixedOutput ? sink.defaults.format : (input.format ?? this.options.format);
    const telephony = format === 'mulaw' || format === 'alaw';
    const next: SpeechOptions = {
      voice_id: input.voice_id ?? this.options.voice_id,
      language: input.language ?? this.options.language,
      format,
      sample_rate: sink.fixedOutput
        ? sink.defaults.sampleRate
        : (input.sample_rate ?? (telephony ? 8000 : sink.defaults.sampleRate)),
      speed: input.speed ?? this.options.speed,
      pronunciation_dictionary_ids:
        input.pronunciation_dictionary_ids ?? this.options.pronunciation_dictionary_ids,
      nigerian_lexicon: input.nigerian_lexicon ?? this.options.nigerian_lexicon,
    };
    // Unknown voice, a rate the format cannot carry: found now, with the HTTP API's codes.
    const profile = await this.deps.synthesis.resolveProfile(this.deps.ctx.tenant, next);
    if (this.state !== SessionState.Configuring) return;
    this.options = next;
    this.profile = profile;
    this.deps.run.use(profile);
  }

  private acceptText(text: string): void {
    this.assertOpen();
    const pending = this.queue.reduce(
      (n, piece) => n + (piece === FLUSH_POINT ? 0 : piece.length),
      0,
    );
    if (pending + text.length > MAX_PENDING_CHARS) {
      throw new RealtimeException(
        RealtimeErrorCode.TextBufferFull,
        `More than ${MAX_PENDING_CHARS} characters are waiting to be spoken; this text was dropped`,
      );
    }
    if (text.length) this.moveTo(SessionState.Streaming);
    this.enqueue(this.chunker.push(text));
  }

  private enqueue(pieces: Queued[]): void {
    this.queue.push(...pieces);
    if (pieces.length) void this.pump();
  }

  /** Barge-in: forget buffered text, stop the piece being spoken, then confirm. */
  private clear(): void {
    this.queue.length = 0;
    this.chunker.flush();
    this.current?.abort();
    this.deps.sink.clear();
    this.writer.json(this.protocol.cleared());
    this.finishIfDone();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      let piece: Queued | undefined;
      while (this.state !== SessionState.Ended && (piece = this.queue.shift()) !== undefined) {
        if (piece === FLUSH_POINT) this.writer.json(this.protocol.flushed!());
        else await this.speak(piece);
      }
    } finally {
      this.pumping = false;
    }
    this.finishIfDone();
  }

  /** The session's profile, resolved on first use when no config came. */
  private async currentProfile(): Promise<SpeechProfile> {
    if (!this.profile) {
      this.profile = await this.deps.synthesis.resolveProfile(this.deps.ctx.tenant, this.options);
      this.deps.run.use(this.profile);
    }
    return this.profile;
  }

  /** One piece, one job: its audio, its word timings, and the sink's end of utterance. */
  private async speak(text: string): Promise<void> {
    const controller = new AbortController();
    this.current = controller;
    const live = () => !controller.signal.aborted && this.writer.open;
    const { sink, synthesis, run } = this.deps;
    const startClock = this.clockMs;
    let payloadBytes = 0;
    let profile: SpeechProfile | undefined;
    try {
      profile = await this.currentProfile();
      // Pieces are separate jobs, so the pause between sentences is planned in.
      const job = synthesis.plan(profile, text, { pauseAfterMs: gapAfter(text) });
      if (!live()) return;
      const format = sink.begin(profile.format);
      for await (const event of run.speak(job, controller.signal, format)) {
        if (!live()) return;
        switch (event.type) {
          case 'audio':
            payloadBytes += sink.send(event.data);
            if (this.writer.backlogged) await this.writer.drained(controller.signal);
            break;
          case 'words':
            if (!this.protocol.alignment) break;
            this.writer.json(
              this.protocol.alignment(
                event.words.map((w) => ({
                  word: w.word,
                  start_ms: Math.round(startClock + w.startMs),
                  end_ms: Math.round(startClock + w.endMs),
                })),
              ),
            );
            break;
          case 'mark':
          case 'engine':
          case 'end':
            break;
        }
      }
      if (!live()) return;
      payloadBytes += sink.end();
    } catch (err) {
      if (!live()) return;
      if (err instanceof SynthesisException && err.code === String(SynthesisErrorCode.EmptyText)) {
        return;
      }
      this.sendError(err);
    } finally {
      if (this.current === controller) this.current = undefined;
      if (profile) {
        this.clockMs = startClock + durationMs(payloadBytes, profile.format, profile.sampleRate);
      }
    }
  }

  private sendError(err: unknown): void {
    const { status, code, message, log } = mapError(err);
    // Caller mistakes (a bad message, an unknown voice) leave the session's outcome alone.
    if (status >= 500) this.lastFailure = code;
    if (log) {
      this.deps.logger[log]({ err, tenant_id: this.deps.ctx.tenant.tenantId }, 'realtime failure');
    }
    this.writer.json(this.protocol.error(code, message));
  }

  /** Draining and nothing left to speak: the session completed; the client reconnects. */
  private closeIfDrained(): void {
    if (!this.draining || this.state === SessionState.Closing) return;
    if (this.state === SessionState.Ended) return;
    if (this.pumping || this.queue.length || this.chunker.pending) return;
    this.end('completed');
    this.writer.close(SERVICE_RESTART, 'server restarting: reconnect');
  }

  /** After `close`: once nothing is queued or being spoken, say done and close normally. */
  private finishIfDone(): void {
    this.closeIfDrained();
    if (this.state !== SessionState.Closing || this.pumping || this.queue.length) return;
    const done = this.protocol.done?.();
    if (done) this.writer.json(done);
    this.end('completed');
    this.writer.close(1000, 'done');
  }

  /** A protocol whose `close` means now (Deepgram's): stop, record, close normally. */
  private closeNow(): void {
    this.end('completed');
    this.writer.close(1000, 'closed');
  }

  /** Exactly once: stop synthesis, release the slot, write the session's usage row. */
  private end(outcome: 'completed' | 'cancelled'): void {
    if (this.state === SessionState.Ended) return;
    this.moveTo(SessionState.Ended);
    this.queue.length = 0;
    this.current?.abort();
    const failed = outcome === 'completed' && this.lastFailure !== null;
    this.deps.run.finishWithCode(failed ? 'failed' : outcome, this.lastFailure);
  }
}

/** A close frame's reason holds at most 123 bytes. */
export function closeReason(text: string): string {
  let reason = text;
  while (Buffer.byteLength(reason) > 123) reason = reason.slice(0, -1);
  return reason;
}
