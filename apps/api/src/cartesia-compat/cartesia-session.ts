import type { Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { durationMs } from '@cw/audio';
import { SentenceChunker } from '@cw/text';
import type WebSocket from 'ws';
import { mapError } from '../common/errors/map-error';
import type { RequestContext } from '../common/request-context/request-context';
import type { SocketWriter } from '../realtime/audio-sink';
import { RealtimeErrorCode, RealtimeException } from '../realtime/realtime.exception';
import { SynthesisErrorCode, SynthesisException } from '../synthesis/synthesis.exception';
import type { SynthesisRun } from '../synthesis/synthesis-runner';
import {
  gapAfter,
  type SpeechProfile,
  type SynthesisService,
} from '../synthesis/synthesis.service';
import { cartesiaErrorEvent } from './cartesia-error-body';
import {
  chunkMessage,
  doneMessage,
  flushDoneMessage,
  timestampsMessage,
} from './cartesia-messages';
import {
  type AudioShaper,
  CartesiaOutput,
  cartesiaSpeed,
  cartesiaVoiceId,
} from './cartesia-output';
import { CartesiaTtsRequestDto } from './dto/cartesia-tts-request.dto';
import { closeReason } from '../realtime/realtime-session';

/** WebSocket close code 1012 (service restart): the client should reconnect, to another replica. */
const SERVICE_RESTART = 1012;
/** Text waiting to be spoken across contexts; beyond this new text is refused. */
const MAX_PENDING_CHARS = 20_000;

/**
 * One context: its output and voice come from its first message; its transcript arrives in
 * pieces (`continue: true`) and is chunked as one text, so a sentence split across messages is
 * spoken as one, and its timestamps run on one clock from the context's first audio.
 */
interface Context {
  readonly id: string;
  readonly request: CartesiaTtsRequestDto;
  readonly output: CartesiaOutput;
  readonly shaper: AudioShaper;
  readonly chunker: SentenceChunker;
  profile?: SpeechProfile;
  /** `continue: false` came: the rest is spoken, then `done`. */
  closing: boolean;
  flushes: number;
  /** Audio of this context sent so far, in ms: its timestamps are on this clock. */
  clockMs: number;
}

/** The session's work, in order: pieces to speak and acknowledgements that follow them. */
type Step =
  | { kind: 'speak'; context: Context; text: string }
  | { kind: 'flush_done'; context: Context; flushId: number }
  | { kind: 'done'; context: Context };

export interface CartesiaSessionDeps {
  ctx: RequestContext;
  /** Admitted at the upgrade: holds the socket's slot until the session ends. */
  run: SynthesisRun;
  synthesis: SynthesisService;
  writer: SocketWriter;
  logger: Logger;
  /** `?nigerian_lexicon=` of the upgrade; absent: the tenant's setting. */
  nigerianLexicon?: boolean;
}

/**
 * Cartesia's `/tts/websocket` protocol on one socket: generation requests open contexts and
 * add transcript to them, `flush` speaks what is buffered then answers `flush_done`,
 * `continue: false` ends a context with `done`, and `{"context_id", "cancel": true}` is
 * barge-in. Messages are handled in order through one promise chain; a cancel removes the
 * context's queued work and aborts its piece at its turn, and every send re-checks that its piece
 * is still live, so no audio of a cancelled context follows the cancel.
 */
export class CartesiaSession {
  private readonly contexts = new Map<string, Context>();
  private readonly steps: Step[] = [];
  private current?: { context: Context; abort: AbortController };
  private pumping = false;
  private ended = false;
  private draining = false;
  private lastFailure: string | null = null;
  private inbox: Promise<void> = Promise.resolve();

  constructor(
    ws: WebSocket,
    private readonly deps: CartesiaSessionDeps,
  ) {
    ws.on('message', (data, isBinary) => {
      const raw = isBinary ? null : (data as Buffer).toString('utf8');
      this.inbox = this.inbox.then(() => this.handle(raw)).then(() => this.closeIfDrained());
    });
    ws.on('close', () => this.end(this.idle ? 'completed' : 'cancelled'));
    ws.on('error', (err) => deps.logger.warn({ err }, 'websocket error'));
  }

  /** Resolves once every message received so far has been handled. */
  settled(): Promise<void> {
    return this.inbox;
  }

  /** The server drains: what was received is still spoken, then the socket closes with 1012. */
  drain(): void {
    this.draining = true;
    this.closeIfDrained();
  }

  /**
   * What admitted the session no longer holds (key revoked, tenant deactivated, quota used up):
   * an error message, the usage row with the code, then close 1008 (policy violation).
   */
  revoke(err: unknown): void {
    if (this.ended) return;
    const mapped = mapError(err);
    this.deps.writer.json(cartesiaErrorEvent(mapped, this.deps.ctx.requestId, ''));
    this.lastFailure = mapped.code;
    this.end('cancelled');
    this.deps.writer.close(1008, closeReason(`${mapped.code}: ${mapped.message}`));
  }

  /** The drain deadline passed: stop, record the session, tell the client to reconnect. */
  shutdown(): void {
    this.end('cancelled');
    this.deps.writer.close(SERVICE_RESTART, 'server restarting: reconnect');
  }

  private get idle(): boolean {
    return !this.pumping && this.steps.length === 0;
  }

  private async handle(raw: string | null): Promise<void> {
    if (this.ended) return;
    let contextId = '';
    try {
      const message = parse(raw);
      contextId = typeof message.context_id === 'string' ? message.context_id : '';
      if (!contextId) {
        throw new RealtimeException(
          RealtimeErrorCode.InvalidMessage,
          'Every message needs a context_id string',
        );
      }
      if (message.cancel === true) return this.cancel(contextId);
      const request = await validRequest(message);
      this.accept(this.contexts.get(contextId) ?? this.open(contextId, request), request);
    } catch (err) {
      this.sendError(err, contextId);
    }
  }

  private open(id: string, request: CartesiaTtsRequestDto): Context {
    const output = new CartesiaOutput(request.output_format);
    const context: Context = {
      id,
      request,
      output,
      shaper: output.shaper(),
      chunker: new SentenceChunker(),
      closing: false,
      flushes: 0,
      clockMs: 0,
    };
    this.contexts.set(id, context);
    return context;
  }

  private accept(context: Context, request: CartesiaTtsRequestDto): void {
    if (context.closing) {
      throw new RealtimeException(
        RealtimeErrorCode.SessionClosing,
        `Context '${context.id}' already received continue: false; use a new context_id`,
      );
    }
    const pending = this.steps.reduce((n, s) => n + (s.kind === 'speak' ? s.text.length : 0), 0);
    if (pending + request.transcript.length > MAX_PENDING_CHARS) {
      throw new RealtimeException(
        RealtimeErrorCode.TextBufferFull,
        `More than ${MAX_PENDING_CHARS} characters are waiting to be spoken; this transcript was dropped`,
      );
    }
    const speak = (texts: string[]) =>
      texts.forEach((text) => this.steps.push({ kind: 'speak', context, text }));
    speak(context.chunker.push(request.transcript));
    if (request.flush === true) {
      speak(context.chunker.flush());
      this.steps.push({ kind: 'flush_done', context, flushId: ++context.flushes });
    }
    if (request.continue !== true) {
      context.closing = true;
      speak(context.chunker.flush());
      this.steps.push({ kind: 'done', context });
    }
    void this.pump();
  }

  /** Barge-in: forget the context's queued work and stop its piece; nothing more is sent for it. */
  private cancel(id: string): void {
    const context = this.contexts.get(id);
    if (!context) return;
    this.forget(context);
    if (this.current?.context === context) this.current.abort.abort();
  }

  private forget(context: Context): void {
    this.contexts.delete(context.id);
    for (let i = this.steps.length - 1; i >= 0; i--) {
      if (this.steps[i].context === context) this.steps.splice(i, 1);
    }
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      let step: Step | undefined;
      while (!this.ended && (step = this.steps.shift()) !== undefined) {
        switch (step.kind) {
          case 'speak':
            await this.speak(step.context, step.text);
            break;
          case 'flush_done':
            this.deps.writer.json(flushDoneMessage(step.context.id, step.flushId));
            break;
          case 'done':
            this.contexts.delete(step.context.id);
            this.deps.writer.json(doneMessage(step.context.id));
            break;
        }
      }
    } finally {
      this.pumping = false;
    }
    this.closeIfDrained();
  }

  private async profileOf(context: Context): Promise<SpeechProfile> {
    if (!context.profile) {
      const { request, output } = context;
      context.profile = await this.deps.synthesis.resolveProfile(this.deps.ctx.tenant, {
        voice_id: cartesiaVoiceId(request.voice),
        language: request.language ?? 'en',
        format: output.render,
        sample_rate: output.sampleRate,
        speed: cartesiaSpeed(request),
        nigerian_lexicon: this.deps.nigerianLexicon,
      });
      this.deps.run.use(context.profile);
    }
    return context.profile;
  }

  /** One piece of a context, one job: its audio as chunks, its word timings if asked for. */
  private async speak(context: Context, text: string): Promise<void> {
    const abort = new AbortController();
    this.current = { context, abort };
    const { writer, synthesis, run } = this.deps;
    const live = () => !abort.signal.aborted && writer.open;
    const startClock = context.clockMs;
    let renderedBytes = 0;
    let profile: SpeechProfile | undefined;
    try {
      profile = await this.profileOf(context);
      const job = synthesis.plan(profile, text, { pauseAfterMs: gapAfter(text) });
      let last = performance.now();
      for await (const event of run.speak(job, abort.signal, context.output.render)) {
        if (!live()) return;
        if (event.type === 'audio') {
          renderedBytes += event.data.length;
          run.delivered(event.data.length);
          const now = performance.now();
          writer.json(chunkMessage(context.id, context.shaper.shape(event.data), now - last));
          last = now;
          if (writer.backlogged) await writer.drained(abort.signal);
        } else if (event.type === 'words' && context.request.add_timestamps === true) {
          writer.json(timestampsMessage(context.id, event.words, startClock));
        }
      }
    } catch (err) {
      if (!live()) return;
      if (err instanceof SynthesisException && err.code === String(SynthesisErrorCode.EmptyText)) {
        return;
      }
      // The context cannot go on (unknown voice, engine failure): it ends with the error.
      this.forget(context);
      this.sendError(err, context.id);
    } finally {
      if (this.current?.abort === abort) this.current = undefined;
      if (profile) {
        context.clockMs =
          startClock + durationMs(renderedBytes, context.output.render, profile.sampleRate);
      }
    }
  }

  private sendError(err: unknown, contextId: string): void {
    const mapped = mapError(err);
    if (mapped.status >= 500) this.lastFailure = mapped.code;
    if (mapped.log) {
      this.deps.logger[mapped.log](
        { err, tenant_id: this.deps.ctx.tenant.tenantId },
        'cartesia websocket failure',
      );
    }
    this.deps.writer.json(cartesiaErrorEvent(mapped, this.deps.ctx.requestId, contextId));
  }

  private closeIfDrained(): void {
    if (!this.draining || this.ended || !this.idle) return;
    this.end('completed');
    this.deps.writer.close(SERVICE_RESTART, 'server restarting: reconnect');
  }

  /** Exactly once: stop synthesis, release the slot, write the session's usage row. */
  private end(outcome: 'completed' | 'cancelled'): void {
    if (this.ended) return;
    this.ended = true;
    this.steps.length = 0;
    this.current?.abort.abort();
    const failed = outcome === 'completed' && this.lastFailure !== null;
    this.deps.run.finishWithCode(failed ? 'failed' : outcome, this.lastFailure);
  }
}

function parse(raw: string | null): Record<string, unknown> {
  if (raw === null) {
    throw new RealtimeException(
      RealtimeErrorCode.InvalidMessage,
      'Binary frames are not accepted; send JSON text frames',
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new RealtimeException(RealtimeErrorCode.InvalidJson, 'Message is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RealtimeException(RealtimeErrorCode.InvalidMessage, 'Message must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** A generation request checked with the HTTP routes' rules; unknown fields are ignored. */
async function validRequest(message: Record<string, unknown>): Promise<CartesiaTtsRequestDto> {
  const request = plainToInstance(CartesiaTtsRequestDto, message);
  const errors = await validate(request, { whitelist: true });
  if (errors.length) {
    const messages = errors.flatMap(function collect(e): string[] {
      return [...Object.values(e.constraints ?? {}), ...(e.children ?? []).flatMap(collect)];
    });
    throw new RealtimeException(RealtimeErrorCode.ValidationFailed, messages.join('; '));
  }
  return request;
}
