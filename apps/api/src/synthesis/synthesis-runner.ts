import { Injectable } from '@nestjs/common';
import type { AudioFormat } from '@cw/audio';
import { mapError } from '../common/errors/map-error';
import { ShutdownService } from '../lifecycle/shutdown.service';
import { type CacheKind, PhraseCacheService } from '../phrase-cache/phrase-cache.service';
import type { RequestContext } from '../common/request-context/request-context';
import { type MeteredSynthesis, SynthesisMeterService } from '../usage/synthesis-meter.service';
import type { UsageStatus } from '../usage/usage-event.entity';
import type { ScheduledStream, StreamKind } from '../scheduling/speech-scheduler';
import type { SynthesizeDto } from './dto/synthesize.dto';
import {
  type CompleteSpeech,
  type RenderEvent,
  type SpeechProfile,
  type SynthesisJob,
  SynthesisService,
} from './synthesis.service';

/** A route as usage events record it. */
export interface SynthesisRoute {
  endpoint: string;
  streaming: boolean;
}

/** What a transport needs to label the audio it sends (HTTP headers, a JSON body). */
export interface SpokenAudio {
  profile: SpeechProfile;
  /** Whether the phrase cache answered; absent when the request did not use it. */
  cache?: 'hit' | 'miss';
  contentType: string;
  /** The engine that produced the first audio, or the voice's own before any audio. */
  engineId: string;
  /** An engine after the voice's own in its chain answered (X-TTS-Fallback: true). */
  fallback: boolean;
  /** Pronunciation rules that matched but the engine could not say (phonemes, no alias). */
  skippedPronunciations: number;
}

/** The whole file of one job, with what the transport needs to label it. */
export interface WholeSpeech extends Omit<CompleteSpeech, 'engineId'>, SpokenAudio {}

/** How delivering a job ended, as the transport saw it. */
export type DeliveryOutcome =
  { status: 'completed' | 'cancelled' } | { status: 'failed'; error: unknown };

/**
 * One admitted synthesis: it holds a concurrency slot and the meter of its usage row from
 * admission until `finish`. Everything rendered through it is counted: characters, the engine that
 * really spoke, bytes delivered.
 */
export class SynthesisRun {
  private engineUsed?: string;
  private cacheResult?: 'hit' | 'miss';
  /** A session's one scheduler stream: its pieces share a playback clock and a reservation. */
  private stream?: ScheduledStream;

  constructor(
    private readonly synthesis: SynthesisService,
    private readonly meter: MeteredSynthesis,
    /** Ends this run's place in the shutdown drain. */
    private readonly leave: () => void = () => undefined,
  ) {}

  /** The voice and output usage records before a profile exists (a session yet to speak). */
  describe(voiceId: string, output: { format: AudioFormat; sampleRate: number }): void {
    this.meter.describe({
      voiceId,
      engine: this.synthesis.engineId,
      format: output.format,
      sampleRate: output.sampleRate,
    });
  }

  /** The profile audio is rendered with from now on; usage records its voice and output. */
  use(profile: SpeechProfile): void {
    this.meter.describe({
      voiceId: profile.voice.voiceId,
      engine: profile.engineId,
      format: profile.format,
      sampleRate: profile.sampleRate,
    });
  }

  spoken(profile: SpeechProfile, skippedPronunciations = 0): SpokenAudio {
    const engineId = this.engineUsed ?? profile.engineId;
    return {
      profile,
      contentType: this.synthesis.contentType(profile),
      engineId,
      fallback: engineId !== profile.engineId,
      skippedPronunciations,
      ...(this.cacheResult ? { cache: this.cacheResult } : {}),
    };
  }

  /** The phrase cache was asked: `hit` means the audio comes from it, not the engine. */
  cacheLookedUp(result: 'hit' | 'miss', engineId?: string): void {
    this.cacheResult = result;
    if (result === 'hit' && engineId) {
      this.engineUsed ??= engineId;
      this.meter.servedFromCache(engineId);
    }
  }

  /** The engine that really spoke, once it has (a fallback differs from the configured one). */
  get spokenBy(): string | undefined {
    return this.engineUsed;
  }

  /** Cached bytes, counted as delivered as they are pulled. */
  replay(audio: Buffer): AsyncGenerator<Buffer> {
    return this.meter.count(chunksOf(audio));
  }

  /**
   * One more piece of a run admitted before its text was known (a WebSocket sentence): its
   * characters are counted, then it renders like any job.
   */
  speak(job: SynthesisJob, signal: AbortSignal, format: AudioFormat): AsyncGenerator<RenderEvent> {
    this.meter.addCharacters(job.characters);
    return this.events(job, signal, format, this.stream ?? 'live');
  }

  /**
   * Admits the run as one live stream for the scheduler, for a caller whose pieces arrive one
   * by one (a WebSocket session); throws `engine_busy` when the engine is full.
   */
  openSessionStream(tenantId: string): void {
    this.stream ??= this.synthesis.openSessionStream(tenantId);
  }

  /** Renders `job`, noting the engine that spoke. */
  async *events(
    job: SynthesisJob,
    signal: AbortSignal,
    format: AudioFormat = job.profile.format,
    schedule: ScheduledStream | StreamKind = 'live',
  ): AsyncGenerator<RenderEvent> {
    for await (const event of this.synthesis.renderEvents(job, signal, format, schedule)) {
      if (event.type === 'engine') this.spokeWith(event.engineId);
      yield event;
    }
  }

  /** The job's audio alone, counted as delivered as it is pulled; `tap` sees every chunk. */
  audio(
    job: SynthesisJob,
    signal: AbortSignal,
    tap?: (chunk: Buffer) => void,
  ): AsyncGenerator<Buffer> {
    return this.meter.count(this.audioOnly(job, signal, tap));
  }

  /** Every render event of the job (audio, word timings, ...), audio counted as it is pulled. */
  async *countedEvents(job: SynthesisJob, signal: AbortSignal): AsyncGenerator<RenderEvent> {
    for await (const event of this.events(job, signal)) {
      if (event.type === 'audio') this.meter.sent(event.data.length);
      yield event;
    }
  }

  /** The whole file; the caller reports it `delivered` once it has reached the client. */
  async complete(job: SynthesisJob, signal: AbortSignal): Promise<WholeSpeech> {
    const speech = await this.synthesis.renderComplete(job, signal);
    if (speech.engineId) this.spokeWith(speech.engineId);
    return { ...speech, ...this.spoken(job.profile, job.skipped.length) };
  }

  /** Audio handed to the client so far, in ms (not yet in a usage row). */
  get audioMs(): number {
    return this.meter.audioMs;
  }

  /** Bytes handed to the client. */
  delivered(bytes: number): void {
    this.meter.sent(bytes);
  }

  /** Releases the slot and writes the usage row; later calls do nothing. */
  finish(status: UsageStatus, error?: unknown): void {
    this.finishWithCode(status, error === undefined ? null : mapError(error).code);
  }

  finishWithCode(status: UsageStatus, errorCode: string | null): void {
    this.stream?.close();
    this.meter.finish(status, errorCode);
    this.leave();
  }

  private async *audioOnly(
    job: SynthesisJob,
    signal: AbortSignal,
    tap?: (chunk: Buffer) => void,
  ): AsyncGenerator<Buffer> {
    for await (const event of this.events(job, signal)) {
      if (event.type !== 'audio') continue;
      tap?.(event.data);
      yield event.data;
    }
  }

  private spokeWith(engineId: string): void {
    this.engineUsed ??= engineId;
    this.meter.spokeWith(engineId);
  }
}

/**
 * The run of one synthesis for every route: caller mistakes are found first (no slot, no usage
 * row), then quota and concurrency admit it, then the audio is rendered and handed to the
 * transport, and exactly one usage event records what was really delivered. Transports (HTTP
 * stream, whole file, signed URL, timestamps, OpenAI, WebSocket) only move bytes.
 */
@Injectable()
export class SynthesisRunner {
  constructor(
    private readonly synthesis: SynthesisService,
    private readonly meters: SynthesisMeterService,
    private readonly shutdown: ShutdownService,
    private readonly cache: PhraseCacheService,
  ) {}

  /**
   * Quota and one concurrency slot, for a caller whose text comes later (a WebSocket session).
   * Refused with `shutting_down` while the process drains. The run must be finished exactly once.
   */
  async admit(ctx: RequestContext, route: SynthesisRoute, characters = 0): Promise<SynthesisRun> {
    // Counted from here, so a drain that begins while quota and slot are checked waits for it.
    const leave = this.shutdown.enter();
    try {
      const meter = await this.meters.begin({
        tenant: ctx.tenant,
        apiKeyId: ctx.apiKeyId,
        requestId: ctx.requestId,
        endpoint: route.endpoint,
        streaming: route.streaming,
        characters,
        reservation: ctx.slotReservation,
      });
      return new SynthesisRun(this.synthesis, meter, leave);
    } catch (err) {
      leave();
      throw err;
    }
  }

  /**
   * Streams one text's audio. `send` gets the audio (pulled as the client reads) and, once the
   * first audio exists, what it needs to label it; it reports how delivery ended.
   */
  stream(
    ctx: RequestContext,
    dto: SynthesizeDto,
    endpoint: string,
    signal: AbortSignal,
    send: (audio: AsyncIterator<Buffer>, spoken: () => SpokenAudio) => Promise<DeliveryOutcome>,
  ): Promise<void> {
    return this.once(ctx, dto, { endpoint, streaming: true }, signal, async (run, job) => {
      const spoken = () => run.spoken(job.profile, job.skipped.length);
      const key = dto.cache === false ? undefined : this.cacheKey(job, 'stream');
      const hit = key ? await this.cache.get(key) : undefined;
      if (key) run.cacheLookedUp(hit ? 'hit' : 'miss', hit?.engineId);
      if (hit) return { value: undefined, outcome: await send(run.replay(hit.audio), spoken) };
      const recorded = key ? this.cache.recorder() : undefined;
      const outcome = await send(
        run.audio(job, signal, recorded && ((chunk: Buffer) => recorded.add(chunk))),
        spoken,
      );
      const audio = recorded?.audio();
      if (key && audio && outcome.status === 'completed')
        this.keep(key, run, audio, job.profile.engineId);
      return { value: undefined, outcome };
    });
  }

  /**
   * Like `stream`, for transports that also deliver word timings (server-sent events): `send`
   * gets every render event, the audio counted as delivered as it is pulled.
   */
  streamEvents(
    ctx: RequestContext,
    dto: SynthesizeDto,
    endpoint: string,
    signal: AbortSignal,
    send: (
      events: AsyncIterator<RenderEvent>,
      spoken: () => SpokenAudio,
    ) => Promise<DeliveryOutcome>,
  ): Promise<void> {
    return this.once(ctx, dto, { endpoint, streaming: true }, signal, async (run, job) => ({
      value: undefined,
      outcome: await send(run.countedEvents(job, signal), () => run.spoken(job.profile)),
    }));
  }

  /**
   * Renders the whole file, then hands it to `deliver` (send it, store it, shape a body) while
   * the slot is still held; the audio counts as delivered once `deliver` succeeds.
   */
  whole<T>(
    ctx: RequestContext,
    dto: SynthesizeDto,
    endpoint: string,
    signal: AbortSignal,
    deliver: (speech: WholeSpeech) => Promise<T>,
  ): Promise<T> {
    return this.once(ctx, dto, { endpoint, streaming: false }, signal, async (run, job) => {
      const key = dto.cache === false ? undefined : this.cacheKey(job, 'whole');
      const hit = key ? await this.cache.get(key) : undefined;
      if (key) run.cacheLookedUp(hit ? 'hit' : 'miss', hit?.engineId);
      const speech: WholeSpeech = hit
        ? { ...hit, ...run.spoken(job.profile, job.skipped.length) }
        : await run.complete(job, signal);
      const value = await deliver(speech);
      run.delivered(speech.audio.length);
      if (key && !hit) this.keep(key, run, speech.audio, job.profile.engineId, speech);
      return { value, outcome: { status: 'completed' } };
    });
  }

  /** The cache key of `job` as the voice's own engine would speak it (off: undefined). */
  private cacheKey(job: SynthesisJob, kind: CacheKind): string | undefined {
    return this.cache.keyFor(job, kind, job.profile.engineId);
  }

  /** Keeps audio the voice's own engine made (a fallback's audio is not what the key names). */
  private keep(
    key: string,
    run: SynthesisRun,
    audio: Buffer,
    engineId: string,
    whole?: Pick<CompleteSpeech, 'words' | 'durationMs' | 'samplesOut'>,
  ): void {
    if (run.spokenBy !== engineId) return;
    this.cache.put(key, {
      audio,
      engineId,
      words: whole?.words ?? [],
      durationMs: whole?.durationMs ?? 0,
      samplesOut: whole?.samplesOut ?? 0,
    });
  }

  private async once<T>(
    ctx: RequestContext,
    dto: SynthesizeDto,
    route: SynthesisRoute,
    signal: AbortSignal,
    body: (run: SynthesisRun, job: SynthesisJob) => Promise<{ value: T; outcome: DeliveryOutcome }>,
  ): Promise<T> {
    const job = await this.synthesis.prepare(ctx.tenant, dto);
    const run = await this.admit(ctx, route, job.characters);
    run.use(job.profile);
    let outcome: DeliveryOutcome = { status: 'failed', error: undefined };
    try {
      const result = await body(run, job);
      outcome = result.outcome;
      return result.value;
    } catch (err) {
      outcome = signal.aborted ? { status: 'cancelled' } : { status: 'failed', error: err };
      throw err;
    } finally {
      run.finish(outcome.status, outcome.status === 'failed' ? outcome.error : undefined);
    }
  }
}

/** Cached audio leaves in pieces the size a stream's would be, so a hit streams at once. */
const REPLAY_CHUNK_BYTES = 16 * 1024;

async function* chunksOf(audio: Buffer): AsyncGenerator<Buffer> {
  for (let at = 0; at < audio.length; at += REPLAY_CHUNK_BYTES) {
    yield audio.subarray(at, at + REPLAY_CHUNK_BYTES);
  }
}
