import type { Logger } from '@nestjs/common';
import { durationMs } from '@cw/audio';
import type { WordTiming } from '@cw/engines';
import { SentenceChunker } from '@cw/text';
import type WebSocket from 'ws';
import { mapError } from '../common/errors/map-error';
import type { RequestContext } from '../common/request-context/request-context';
import type { SocketWriter } from '../realtime/audio-sink';
import { SynthesisErrorCode, SynthesisException } from '../synthesis/synthesis.exception';
import type { SynthesisRun } from '../synthesis/synthesis-runner';
import {
  gapAfter,
  type SpeechProfile,
  type SynthesisService,
} from '../synthesis/synthesis.service';
import { alignText, type CharAlignment, shiftAlignment, wsAlignment } from './elevenlabs-alignment';
import { ElevenLabsErrorCode, ElevenLabsException } from './elevenlabs-compat.exception';
import { type ElevenLabsClientMessage, parseClientMessage } from './elevenlabs-ws-messages';
import { closeReason } from '../realtime/realtime-session';

/** WebSocket close code 1012 (service restart): the client should reconnect, to another replica. */
const SERVICE_RESTART = 1012;
/** WebSocket close code 1008: what admitted the socket no longer holds. */
const POLICY_VIOLATION = 1008;
/** ElevenLabs' limit of contexts open at once on one multi-stream-input socket. */
export const MAX_CONTEXTS = 5;
/** Text waiting to be spoken; beyond this new text is refused (the client outruns us). */
const MAX_PENDING_CHARS = 20_000;
/** The context of multi-stream-input messages that name none. */
export const DEFAULT_CONTEXT_ID = 'default';

/** `single`: stream-input (one utterance per socket); `multi`: multi-stream-input (contexts). */
export type StreamInputMode = 'single' | 'multi';

export enum SocketState {
  /** Messages are accepted. */
  Open = 'open',
  /** End of input (`{"text":""}` on stream-input, `close_socket`): what was flushed is spoken. */
  Closing = 'closing',
  /** The usage row is written; nothing more is spoken or sent. */
  Ended = 'ended',
}

export enum ContextState {
  /** Takes text. */
  Open = 'open',
  /** `close_context`: text not yet flushed is dropped, flushed text is spoken, then isFinal. */
  Closed = 'closed',
  /** isFinal sent; nothing more of it is spoken. */
  Final = 'final',
}

/**
 * One utterance: its own text buffer, audio clock (alignment times count from its start) and
 * profile (the session's, with the dictionaries its first message named).
 */
class SpeechContext {
  state = ContextState.Open;
  readonly chunker = new SentenceChunker();
  /** Pieces released for speaking, not yet begun. */
  queued = 0;
  /** The piece being spoken; aborted when the context is cut. */
  speaking?: AbortController;
  clockMs = 0;

  constructor(
    readonly id: string | undefined,
    readonly profile: SpeechProfile,
  ) {}

  get busy(): boolean {
    return this.queued > 0 || this.speaking !== undefined;
  }
}

export interface ElevenLabsSessionDeps {
  mode: StreamInputMode;
  ctx: RequestContext;
  /** Admitted at the upgrade: holds the session's slot until it ends. */
  run: SynthesisRun;
  synthesis: SynthesisService;
  /** Voice, output and the tenant's default dictionaries, resolved before the handshake. */
  profile: SpeechProfile;
  writer: SocketWriter;
  logger: Logger;
  /** With no message for this long and nothing left to speak, the socket is closed. */
  inactivityTimeoutMs: number;
  /** The built-in lexicon for dictionaries a message names; absent: the tenant's setting. */
  nigerianLexicon?: boolean;
}

/**
 * One stream-input or multi-stream-input socket. Pieces of every context are spoken one at a
 * time on the session's one scheduler stream, in the order their text was released (a complete
 * sentence, or a flush). Barge-in: a context closed with close_context yields to newer speech:
 * once another context has text to speak, the closed one's remaining audio is dropped and its
 * isFinal sent at once.
 */
export class ElevenLabsSession {
  private state = SocketState.Open;
  private readonly contexts = new Map<string, SpeechContext>();
  /** Contexts not yet final (a reused id's older context stays here until it finishes). */
  private readonly live = new Set<SpeechContext>();
  private readonly queue: Array<{ context: SpeechContext; text: string }> = [];
  private pumping = false;
  private inbox: Promise<void> = Promise.resolve();
  private lastFailure: string | null = null;
  private draining = false;
  private idleTimer?: NodeJS.Timeout;

  constructor(
    ws: WebSocket,
    private readonly deps: ElevenLabsSessionDeps,
  ) {
    ws.on('message', (data, isBinary) => {
      this.touch();
      // binaryType is the default 'nodebuffer': a message is one Buffer.
      const raw = isBinary ? null : (data as Buffer).toString('utf8');
      this.inbox = this.inbox
        .then(() => this.handle(raw))
        .catch((err: unknown) => this.sendError(err));
    });
    ws.on('close', () => this.end('cancelled'));
    ws.on('error', (err) => deps.logger.warn({ err }, 'websocket error'));
    this.touch();
  }

  get currentState(): SocketState {
    return this.state;
  }

  /** Resolves once every message received so far has been handled. */
  settled(): Promise<void> {
    return this.inbox;
  }

  /** The server drains: what was released is spoken, then the socket closes with 1012. */
  drain(): void {
    this.draining = true;
    this.checkDone();
  }

  /**
   * What admitted the socket no longer holds (key revoked, tenant deactivated, quota used up):
   * an error message with the code, the usage row, then close 1008 (policy violation).
   */
  revoke(err: unknown): void {
    if (this.state === SocketState.Ended) return;
    const { code, message } = mapError(err);
    this.deps.writer.json({ error: code, message });
    this.lastFailure = code;
    this.end('cancelled');
    this.deps.writer.close(POLICY_VIOLATION, closeReason(`${code}: ${message}`));
  }

  /** The drain deadline passed: stop, record the session, tell the client to reconnect. */
  shutdown(): void {
    this.end('cancelled');
    this.deps.writer.close(SERVICE_RESTART, 'server restarting: reconnect');
  }

  private async handle(raw: string | null): Promise<void> {
    if (this.state !== SocketState.Open) return;
    if (raw === null) {
      throw new ElevenLabsException(
        ElevenLabsErrorCode.InvalidMessage,
        'Binary frames are not accepted; send JSON text frames',
      );
    }
    const message = parseClientMessage(raw);
    if (this.deps.mode === 'single') await this.handleSingle(message);
    else await this.handleMulti(message);
  }

  private async handleSingle(message: ElevenLabsClientMessage): Promise<void> {
    let context = this.contexts.get('');
    if (!context) {
      let profile: SpeechProfile;
      try {
        profile = await this.profileFor(message);
      } catch (err) {
        // The socket is this one utterance: it cannot be spoken as the client asked.
        this.sendError(err);
        this.lastFailure = mapError(err).code;
        this.end('completed');
        this.deps.writer.close(POLICY_VIOLATION, closeReason(mapError(err).message));
        return;
      }
      if (this.state !== SocketState.Open) return;
      context = this.open('', undefined, profile);
    }
    const text = message.text ?? '';
    if (message.closeSocket || (message.text === '' && !message.flush)) {
      // End of input: everything buffered is spoken, then isFinal and a normal close.
      this.enqueue(context, context.chunker.flush());
      this.state = SocketState.Closing;
      this.closeContext(context);
      return;
    }
    this.accept(context, text, message.flush);
  }

  private async handleMulti(message: ElevenLabsClientMessage): Promise<void> {
    if (message.closeSocket) {
      this.state = SocketState.Closing;
      for (const context of [...this.live]) this.closeContext(context);
      this.checkDone();
      return;
    }
    const id = message.contextId ?? DEFAULT_CONTEXT_ID;
    const existing = this.contexts.get(id);
    if (message.closeContext) {
      if (existing) this.closeContext(existing);
      return;
    }
    const text = message.text ?? '';
    const current = existing?.state === ContextState.Open ? existing : undefined;
    if (current) return this.accept(current, text, message.flush);
    // Only text opens a context (the init message's " " does): an empty text is a keep-alive,
    // and a flush of a context never opened has nothing to flush. Counting those would use up
    // the five contexts with ghosts.
    if (text === '') return;
    this.checkRoom();
    let profile: SpeechProfile;
    try {
      profile = await this.profileFor(message);
    } catch (err) {
      // That context is not opened; the others go on.
      return this.sendError(err, id);
    }
    // A revocation or shutdown may have ended the socket while the dictionaries loaded.
    if (this.state !== SocketState.Open) return;
    this.accept(this.open(id, id, profile), text, message.flush);
  }

  /**
   * The profile a new context speaks with: the session's (the tenant's default dictionaries), or
   * the same voice and output with the dictionaries the message names (`[]`: none).
   */
  private async profileFor(message: ElevenLabsClientMessage): Promise<SpeechProfile> {
    const { profile, synthesis } = this.deps;
    if (message.dictionaryIds === undefined) return profile;
    const pronunciations = await synthesis.pronunciationsFor(
      profile.tenant,
      message.dictionaryIds,
      this.deps.nigerianLexicon,
    );
    return Object.freeze({ ...profile, pronunciations });
  }

  private checkRoom(): void {
    const open = [...this.live].filter((c) => c.state === ContextState.Open).length;
    if (open >= MAX_CONTEXTS) {
      throw new ElevenLabsException(
        ElevenLabsErrorCode.TooManyContexts,
        `At most ${MAX_CONTEXTS} contexts may be open at once on one socket; close one first`,
      );
    }
  }

  private open(key: string, id: string | undefined, profile: SpeechProfile): SpeechContext {
    this.checkRoom();
    const context = new SpeechContext(id, profile);
    this.contexts.set(key, context);
    this.live.add(context);
    return context;
  }

  private accept(context: SpeechContext, text: string, flush: boolean): void {
    const pending = this.queue.reduce((n, item) => n + item.text.length, 0);
    if (pending + text.length > MAX_PENDING_CHARS) {
      throw new ElevenLabsException(
        ElevenLabsErrorCode.InvalidMessage,
        `More than ${MAX_PENDING_CHARS} characters are waiting to be spoken; this text was dropped`,
      );
    }
    const pieces = context.chunker.push(text);
    if (flush) pieces.push(...context.chunker.flush());
    this.enqueue(context, pieces);
  }

  private enqueue(context: SpeechContext, pieces: string[]): void {
    const speakable = pieces.filter((p) => p.trim().length > 0);
    if (!speakable.length) return;
    // Barge-in: newer speech replaces what closed contexts still had to say.
    for (const other of [...this.live]) {
      if (other !== context && other.state === ContextState.Closed && other.busy) this.cut(other);
    }
    for (const text of speakable) this.queue.push({ context, text });
    context.queued += speakable.length;
    void this.pump();
  }

  /** Close: drop text not yet flushed; isFinal once what was released has been spoken. */
  private closeContext(context: SpeechContext): void {
    if (context.state !== ContextState.Open) return;
    context.state = ContextState.Closed;
    context.chunker.flush();
    if (!context.busy) this.finalize(context);
  }

  /** Stops a context at once: its queued pieces go, the piece being spoken is aborted. */
  private cut(context: SpeechContext): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i].context === context) this.queue.splice(i, 1);
    }
    context.queued = 0;
    context.speaking?.abort();
    this.finalize(context);
  }

  private finalize(context: SpeechContext): void {
    if (context.state === ContextState.Final) return;
    context.state = ContextState.Final;
    this.live.delete(context);
    if (this.contexts.get(context.id ?? '') === context) this.contexts.delete(context.id ?? '');
    this.deps.writer.json({ isFinal: true, is_final: true, ...this.idOf(context) });
    this.checkDone();
  }

  private idOf(context: SpeechContext): { contextId?: string } {
    return context.id === undefined ? {} : { contextId: context.id };
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      let item: { context: SpeechContext; text: string } | undefined;
      while (this.state !== SocketState.Ended && (item = this.queue.shift()) !== undefined) {
        const { context, text } = item;
        context.queued--;
        if (context.state === ContextState.Final) continue;
        await this.speak(context, text);
        if (context.state === ContextState.Closed && !context.busy) this.finalize(context);
      }
    } finally {
      this.pumping = false;
    }
    this.checkDone();
  }

  /** One piece, one job: its audio, each chunk sent once the next exists; the last carries the alignment. */
  private async speak(context: SpeechContext, text: string): Promise<void> {
    const controller = new AbortController();
    context.speaking = controller;
    const { writer, run, synthesis } = this.deps;
    const { profile } = context;
    const live = () =>
      !controller.signal.aborted && writer.open && this.state !== SocketState.Ended;
    const words: WordTiming[] = [];
    let held: Buffer | undefined;
    let bytes = 0;
    try {
      // Pieces are separate jobs, so the pause between sentences is planned in.
      const job = synthesis.plan(profile, text, { pauseAfterMs: gapAfter(text) });
      for await (const event of run.speak(job, controller.signal, profile.format)) {
        if (!live()) return;
        if (event.type === 'words') words.push(...event.words);
        if (event.type !== 'audio') continue;
        if (held) this.sendAudio(context, held, null);
        held = event.data;
        bytes += event.data.length;
        if (writer.backlogged) await writer.drained(controller.signal);
      }
      if (!live() || !held) return;
      const ms = durationMs(bytes, profile.format, profile.sampleRate);
      // The trailing space keeps pieces apart when clients join the characters into text.
      const aligned = alignText(`${text} `, words, ms);
      this.sendAudio(context, held, {
        original: shiftAlignment(aligned.original, context.clockMs),
        normalized: shiftAlignment(aligned.normalized, context.clockMs),
      });
    } catch (err) {
      if (!live()) return;
      if (err instanceof SynthesisException && err.code === String(SynthesisErrorCode.EmptyText)) {
        return;
      }
      this.sendError(err, context.id);
      this.cut(context);
    } finally {
      if (context.speaking === controller) context.speaking = undefined;
      context.clockMs += durationMs(bytes, profile.format, profile.sampleRate);
    }
  }

  private sendAudio(
    context: SpeechContext,
    audio: Buffer,
    alignment: { original: CharAlignment; normalized: CharAlignment } | null,
  ): void {
    this.deps.writer.json({
      audio: audio.toString('base64'),
      normalizedAlignment: alignment ? wsAlignment(alignment.normalized) : null,
      alignment: alignment ? wsAlignment(alignment.original) : null,
      ...this.idOf(context),
    });
    this.deps.run.delivered(audio.length);
  }

  private sendError(err: unknown, contextId?: string): void {
    const { status, code, message, log } = mapError(err);
    // Caller mistakes leave the session's outcome alone.
    if (status >= 500) this.lastFailure = code;
    if (log) {
      this.deps.logger[log](
        { err, tenant_id: this.deps.ctx.tenant.tenantId },
        'elevenlabs ws failure',
      );
    }
    this.deps.writer.json({
      error: code,
      message,
      ...(contextId === undefined ? {} : { contextId }),
    });
  }

  private checkDone(): void {
    if (this.state === SocketState.Ended) return;
    const idle = !this.pumping && this.queue.length === 0;
    if (this.state === SocketState.Closing && idle && this.live.size === 0) {
      this.end('completed');
      this.deps.writer.close(1000, 'done');
    } else if (this.draining && idle) {
      this.end('completed');
      this.deps.writer.close(SERVICE_RESTART, 'server restarting: reconnect');
    }
  }

  /** Re-arms the inactivity timer; it fires only when nothing is left to speak. */
  private touch(): void {
    clearTimeout(this.idleTimer);
    if (this.state === SocketState.Ended) return;
    this.idleTimer = setTimeout(() => {
      if (this.pumping || this.queue.length) return this.touch();
      this.end('completed');
      this.deps.writer.close(1000, 'inactivity timeout');
    }, this.deps.inactivityTimeoutMs);
    this.idleTimer.unref();
  }

  /** Exactly once: stop synthesis, release the slot, write the session's usage row. */
  private end(outcome: 'completed' | 'cancelled'): void {
    if (this.state === SocketState.Ended) return;
    this.state = SocketState.Ended;
    clearTimeout(this.idleTimer);
    this.queue.length = 0;
    for (const context of this.live) context.speaking?.abort();
    const failed = outcome === 'completed' && this.lastFailure !== null;
    this.deps.run.finishWithCode(failed ? 'failed' : outcome, this.lastFailure);
  }
}
