import {
  type BusyReason,
  EngineError,
  EngineErrorCode,
  type PcmChunk,
  type SynthesisRequest,
} from '@cw/engines';
import { CapacityEstimator, type CapacityOptions } from './capacity-estimator';
import { FairDeadlineQueue, type QueuedPiece } from './fair-deadline-queue';

/** Renders one piece on the lane's engine; the scheduler decides when it may start. */
export type EngineRun = (
  request: SynthesisRequest,
  signal: AbortSignal,
  lane: string,
) => AsyncIterable<PcmChunk>;

/**
 * An engine with its own workers: its own queue, concurrency and learned cost. A slow remote
 * engine's pieces never hold the embedded engine's worker slots, and its streams are admitted
 * against its own capacity.
 */
export interface LaneOptions {
  parallelism: number;
  prefetch: number;
  initialCost: number;
  initialFirstPieceMs: number;
}

export interface SchedulerClock {
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const realClock: SchedulerClock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    }),
};

export interface SchedulerOptions extends Omit<CapacityOptions, 'parallelism'> {
  /** Pieces the engine renders at once: its worker threads. */
  parallelism: number;
  /**
   * Pieces handed to each worker ahead of the one it renders, so a worker never sits idle while
   * a busy main thread gets round to handing it the next piece; an urgent piece then waits
   * behind at most 1 + prefetch short pieces per worker.
   */
  prefetch: number;
  /** A live stream is rendered at most this far ahead of its listener's playback. */
  leadMs: number;
  /** Weight of the newest first piece in the first-piece time estimates, 0-1. */
  smoothing: number;
  /** Work due within this long counts as due now and is shared fairly between tenants. */
  urgencyMs: number;
  /** A whole-file job's first piece is due this long after it arrives ... */
  wholeFileSlackMs: number;
  /** ... and later pieces as if its audio played at this multiple of real time. */
  wholeFileSpeed: number;
  /** Seconds a refused caller is told to wait. */
  retryAfterS: number;
  /**
   * A new live stream is refused when the pieces already due now would keep its first audio
   * waiting longer than this (a burst of calls arriving at once).
   */
  maxFirstWaitMs: number;
  /** Engine ms of a first piece assumed until some are measured. */
  initialFirstPieceMs: number;
  /** The lane the options above describe: streams and pieces that name no lane use it. */
  defaultLane?: string;
  /** Further engines, by lane id, each with its own workers (see LaneOptions). */
  lanes?: Record<string, LaneOptions>;
}

export const DEFAULT_LANE = 'default';

/**
 * `live`: a listener plays the audio as it arrives (HTTP streaming, WebSocket), so it gets a
 * playback clock, a lead limit and a real-time reservation. `whole`: the caller needs all the
 * audio at once (a file, a clip, timestamps); its pieces get fixed deadlines from its arrival.
 */
export type StreamKind = 'live' | 'whole';

export interface StreamSpec {
  tenantId: string;
  kind: StreamKind;
  /** Voice and format: what the engine-cost estimate is kept by. */
  costKey: string;
  weight?: number;
  /** The engine lane admission is counted against and pieces render in (default: the default lane). */
  lane?: string;
}

/** What happened to one piece, for metrics and tests. */
export interface PieceReport {
  tenantId: string;
  kind: StreamKind;
  /** The piece had a deadline in the future when it was queued (not a first or catch-up piece). */
  paced: boolean;
  /** First audio of the piece minus its deadline; > 0 for a paced piece is a deadline miss. */
  lateMs: number;
  /** From queueing to the engine starting it. */
  waitedMs: number;
  /** Audio the stream had ready ahead of its playback when the piece was queued. */
  leadMs: number;
  engineMs: number;
  audioMs: number;
}

export interface SchedulerEvents {
  pieceDone?(report: PieceReport): void;
  refused?(tenantId: string, kind: StreamKind, reason: BusyReason): void;
}

interface Piece extends QueuedPiece {
  /** The lane it waits and renders in. */
  readonly lane: string;
  readonly paced: boolean;
  /** A live piece due now (a first piece, or one after the listener ran out): waiting is heard. */
  readonly dueNow: boolean;
  /**
   * A live stream's first piece: what a new call waits for. Only these teach the first-piece
   * estimates; a piece after the listener ran out is due now too, but is a whole sentence.
   */
  readonly first: boolean;
  readonly leadMs: number;
  readonly weight: number;
  /** Set when it starts: every worker of its lane was busy, so it rendered competing for CPU. */
  contended?: boolean;
  start(): void;
}

/**
 * Sits between every caller and the engine workers. Each piece of speech carries a deadline (the
 * moment its audio must start playing); workers take the earliest deadline first, tenants share
 * due work fairly, live streams are rendered at most `leadMs` ahead of playback, and a new live
 * stream is refused at once with `engine_busy` when the admitted streams already use the
 * engine's measured capacity.
 */
export class SpeechScheduler {
  private readonly lanes = new Map<string, Lane>();
  private readonly defaultLane: Lane;
  private seq = 0;
  private readonly streamsOpen = new Set<ScheduledStream>();
  private closed = false;

  constructor(
    private readonly run: EngineRun,
    readonly options: SchedulerOptions,
    private readonly clock: SchedulerClock = realClock,
    events: SchedulerEvents = {},
  ) {
    const defaultId = options.defaultLane ?? DEFAULT_LANE;
    this.defaultLane = new Lane(defaultId, options, options);
    this.lanes.set(defaultId, this.defaultLane);
    for (const [id, lane] of Object.entries(options.lanes ?? {})) {
      if (id !== defaultId) this.lanes.set(id, new Lane(id, { ...options, ...lane }, options));
    }
    this.listeners.add(events);
  }

  private readonly listeners = new Set<SchedulerEvents>();

  /** Instrumentation: `events` hears about every piece and refusal until the returned call. */
  listen(events: SchedulerEvents): () => void {
    this.listeners.add(events);
    return () => this.listeners.delete(events);
  }

  /** The default lane's capacity (the embedded engine's). */
  get capacity(): CapacityEstimator {
    return this.defaultLane.capacity;
  }

  /** Each lane's id and capacity, for metrics. */
  laneCapacities(): { lane: string; capacity: CapacityEstimator; queueDepth: number }[] {
    return [...this.lanes.values()].map((l) => ({
      lane: l.id,
      capacity: l.capacity,
      queueDepth: l.queue.length,
    }));
  }

  get queueDepth(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.queue.length;
    return n;
  }

  get inFlight(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.running;
    return n;
  }

  get streams(): number {
    return this.streamsOpen.size;
  }

  /** Shutdown: every open stream stops (its queued work is dropped, its engine work aborted). */
  close(): void {
    this.closed = true;
    for (const stream of [...this.streamsOpen]) stream.close();
  }

  /** Admits a stream or throws `engine_busy`; close the stream exactly once when done. */
  open(spec: StreamSpec): ScheduledStream {
    if (this.closed) {
      throw new EngineError(EngineErrorCode.Unavailable, 'The service is shutting down');
    }
    const lane = this.lane(spec.lane);
    let release: () => void = () => undefined;
    if (spec.kind === 'live') {
      if (this.firstAudioWaitMs(lane.id) > this.options.maxFirstWaitMs) {
        this.refuse(
          spec,
          'first_audio_wait',
          'The speech engine is starting as many calls as it can right now',
        );
      }
      const reservation = lane.capacity.reserve(spec.costKey, spec.tenantId);
      if (reservation === 'full') {
        this.refuse(
          spec,
          'capacity',
          'The speech engine is already serving every real-time stream it can',
        );
      } else if (reservation === 'tenant_share') {
        this.refuse(
          spec,
          'tenant_share',
          "This tenant's streams already use its share of the speech engine",
        );
      } else {
        release = reservation;
      }
    } else if (!lane.capacity.hasRoom()) {
      this.refuse(
        spec,
        'no_room',
        'The speech engine is already serving as much work as it can finish in time',
      );
    }
    const stream: ScheduledStream = new ScheduledStream(this, spec, this.clock, () => {
      this.streamsOpen.delete(stream);
      release();
    });
    this.streamsOpen.add(stream);
    return stream;
  }

  /** The lane of that id; an unknown or absent id is the default lane. */
  private lane(id: string | undefined): Lane {
    return (id !== undefined ? this.lanes.get(id) : undefined) ?? this.defaultLane;
  }

  /** @internal Queues a piece; `start` runs when a worker is free and the piece's turn comes. */
  enqueue(laneId: string | undefined, piece: Omit<Piece, 'seq' | 'lane'>): Piece {
    const lane = this.lane(laneId);
    const queued: Piece = { ...piece, seq: this.seq++, lane: lane.id };
    if (queued.dueNow) lane.queuedDueNow++;
    lane.queue.push(queued, piece.weight);
    this.dispatch(lane);
    return queued;
  }

  /** @internal A queued piece whose stream went away: dropped at once. */
  withdraw(piece: Piece): boolean {
    const lane = this.lane(piece.lane);
    const removed = lane.queue.remove(piece);
    if (removed && piece.dueNow) lane.queuedDueNow--;
    return removed;
  }

  /**
   * Forgets the engine costs measured so far. The warm-up at boot renders every voice at once on
   * cold threads: its pieces say nothing about the cost of calls, and would refuse the first ones.
   */
  forgetMeasurements(): void {
    for (const lane of this.lanes.values()) lane.reset();
  }

  /**
   * How long a new stream's first piece would wait: the pieces due now ahead of it and its own,
   * at the measured engine time of such pieces, spread over the lane's workers. When it would not
   * have a worker to itself, first pieces are costed as they were measured with every worker
   * busy: on a machine whose cores the workers share with the main thread a first piece then
   * takes two to three times as long as alone, and a burst of calls estimated at the quiet
   * figure would be admitted only to hear their first audio late.
   */
  firstAudioWaitMs(laneId?: string): number {
    const lane = this.lane(laneId);
    const { parallelism } = lane.options;
    const contended = parallelism > 1 && lane.queuedDueNow + lane.running + 1 > parallelism;
    // Not the larger of the two: the few pieces that start with a worker free are mostly the
    // first of a burst, measured while the event loop is busiest accepting it, and would
    // double a figure the many contended pieces measure directly.
    const pieceMs = contended ? lane.contendedFirstPieceMs : lane.firstPieceMs;
    return ((lane.queuedDueNow + 1) * pieceMs) / parallelism;
  }

  /** @internal The engine finished (or abandoned) a piece. */
  finished(
    piece: Piece,
    result: Omit<PieceReport, 'tenantId' | 'paced' | 'leadMs'> & { costKey: string },
  ): void {
    const lane = this.lane(piece.lane);
    lane.running--;
    lane.queue.done(piece, result.engineMs);
    if (piece.first && result.engineMs > 0) {
      const a = this.options.smoothing;
      if (piece.contended) {
        lane.contendedFirstPieceMs += a * (result.engineMs - lane.contendedFirstPieceMs);
      } else {
        lane.firstPieceMs += a * (result.engineMs - lane.firstPieceMs);
      }
    }
    lane.capacity.observe(result.costKey, result.engineMs, result.audioMs);
    const report: PieceReport = {
      tenantId: piece.tenantId,
      kind: result.kind,
      paced: piece.paced,
      lateMs: result.lateMs,
      waitedMs: result.waitedMs,
      leadMs: piece.leadMs,
      engineMs: result.engineMs,
      audioMs: result.audioMs,
    };
    for (const listener of this.listeners) listener.pieceDone?.(report);
    this.dispatch(lane);
  }

  /** @internal */
  runEngine(request: SynthesisRequest, signal: AbortSignal, lane: string): AsyncIterable<PcmChunk> {
    return this.run(request, signal, lane);
  }

  private dispatch(lane: Lane): void {
    const limit = lane.options.parallelism * (1 + lane.options.prefetch);
    while (lane.running < limit) {
      const piece = lane.queue.shift(this.clock.now());
      if (!piece) return;
      if (piece.dueNow) lane.queuedDueNow--;
      lane.running++;
      piece.contended = lane.options.parallelism > 1 && lane.running >= lane.options.parallelism;
      piece.start();
    }
  }

  private refuse(spec: StreamSpec, reason: BusyReason, why: string): never {
    for (const listener of this.listeners) listener.refused?.(spec.tenantId, spec.kind, reason);
    throw new EngineError(
      EngineErrorCode.Busy,
      `${why}; retry in ${this.options.retryAfterS} s`,
      this.options.retryAfterS,
      reason,
    );
  }
}

/** One engine's queue, workers and learned costs. */
class Lane {
  readonly queue: FairDeadlineQueue<Piece>;
  readonly capacity: CapacityEstimator;
  running = 0;
  /** Queued live pieces that are due now (see `firstAudioWaitMs`). */
  queuedDueNow = 0;
  /** Moving average of the engine time of live streams' first pieces ... */
  firstPieceMs: number;
  /** ... and of those that started while every other worker was busy too. */
  contendedFirstPieceMs: number;

  constructor(
    readonly id: string,
    readonly options: LaneOptions,
    shared: SchedulerOptions,
  ) {
    this.queue = new FairDeadlineQueue(shared.urgencyMs);
    this.capacity = new CapacityEstimator({
      parallelism: options.parallelism,
      utilization: shared.utilization,
      initialCost: options.initialCost,
      costSmoothing: shared.costSmoothing,
      tenantShare: shared.tenantShare,
    });
    this.firstPieceMs = options.initialFirstPieceMs;
    this.contendedFirstPieceMs = options.initialFirstPieceMs;
  }

  reset(): void {
    this.capacity.reset();
    this.firstPieceMs = this.options.initialFirstPieceMs;
    this.contendedFirstPieceMs = this.options.initialFirstPieceMs;
  }
}

/**
 * One caller's sequence of pieces (an HTTP response, a WebSocket session). Pieces are rendered
 * one after another through `render`; the playback clock starts at the stream's first audio and
 * advances with every millisecond of audio the stream has produced (`advance` adds pauses that
 * did not come from the engine).
 */
export class ScheduledStream {
  private playStart: number | undefined;
  private producedMs = 0;
  private closed = false;
  private readonly openedAt: number;
  private readonly controller = new AbortController();

  constructor(
    private readonly scheduler: SpeechScheduler,
    readonly spec: StreamSpec,
    private readonly clock: SchedulerClock,
    private readonly release: () => void,
  ) {
    this.openedAt = clock.now();
  }

  /** Audio produced so far minus audio played so far, in ms (negative: the listener waited). */
  get aheadMs(): number {
    if (this.playStart === undefined) return 0;
    return this.playStart + this.producedMs - this.clock.now();
  }

  /** Audio the caller produced itself (a pause, an SSML break) counts on the playback clock. */
  advance(ms: number): void {
    this.producedMs += ms;
  }

  /** Frees the stream's reservation and drops its queued work. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.controller.abort(new DOMException('stream closed', 'AbortError'));
    this.release();
  }

  /**
   * One piece, through the scheduler: waits for its turn in `lane` (default: the stream's own),
   * then yields that engine's chunks.
   */
  async *render(
    request: SynthesisRequest,
    signal: AbortSignal,
    lane: string | undefined = this.spec.lane,
  ): AsyncGenerator<PcmChunk> {
    const stop = AbortSignal.any([signal, this.controller.signal]);
    stop.throwIfAborted();
    if (this.spec.kind === 'live') await this.pace(stop);
    stop.throwIfAborted();

    const now = this.clock.now();
    const deadline = this.deadline(now);
    const leadMs = this.aheadMs;
    const engine = new AbortController();
    const buffer: PcmChunk[] = [];
    let ended = false;
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    const notify = () => {
      wake?.();
      wake = undefined;
    };
    const onStop = () => {
      engine.abort(stop.reason);
      notify();
    };
    stop.addEventListener('abort', onStop, { once: true });
    let startedAt: number | undefined;
    let firstChunkAt: number | undefined;
    let audioMs = 0;
    let renderMs: number | undefined;

    const drain = async (): Promise<void> => {
      try {
        for await (const chunk of this.scheduler.runEngine(request, engine.signal, piece.lane)) {
          renderMs = chunk.renderMs ?? renderMs;
          if (chunk.samples.length === 0 && !chunk.words?.length) continue;
          firstChunkAt ??= this.clock.now();
          audioMs += durationMsOf(chunk);
          buffer.push(chunk);
          notify();
        }
      } catch (err) {
        failure = err instanceof Error ? err : new Error(String(err));
      } finally {
        ended = true;
        const end = this.clock.now();
        this.scheduler.finished(piece, {
          kind: this.spec.kind,
          costKey: this.spec.costKey,
          lateMs: (firstChunkAt ?? end) - deadline,
          waitedMs: (startedAt ?? end) - now,
          // The engine thread's own time when it reports it: wall time here would also count
          // the main thread's delays in handing over messages.
          engineMs: renderMs ?? end - (startedAt ?? end),
          audioMs,
        });
        notify();
      }
    };

    const piece = this.scheduler.enqueue(lane, {
      tenantId: this.spec.tenantId,
      deadline,
      paced: deadline > now,
      dueNow: this.spec.kind === 'live' && deadline <= now,
      first: this.spec.kind === 'live' && this.playStart === undefined,
      leadMs,
      weight: this.spec.weight ?? 1,
      start: () => {
        startedAt = this.clock.now();
        // The engine is drained as fast as it renders, so its worker is free for the next piece
        // as soon as this one is done; the audio waits here, one piece at most. Started on the
        // next microtask: `start` may run inside `enqueue`, before `piece` below is assigned.
        queueMicrotask(() => void drain());
      },
    });

    try {
      for (;;) {
        const chunk = buffer.shift();
        if (chunk) {
          this.playStart ??= this.clock.now();
          this.producedMs += durationMsOf(chunk);
          yield chunk;
          continue;
        }
        if (ended) {
          if (failure !== undefined) throw failure;
          return;
        }
        // Cancelled while still queued: it leaves the queue at once (see finally).
        if (stop.aborted && startedAt === undefined) stop.throwIfAborted();
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      stop.removeEventListener('abort', onStop);
      if (startedAt === undefined) {
        this.scheduler.withdraw(piece);
      } else if (!ended) {
        // The consumer left mid-piece: stop the engine; the piece is accounted when it stops.
        engine.abort(new DOMException('consumer stopped', 'AbortError'));
      }
    }
  }

  /** When this stream's next piece must start playing. */
  private deadline(now: number): number {
    if (this.spec.kind === 'whole') {
      return (
        this.openedAt +
        this.scheduler.options.wholeFileSlackMs +
        this.producedMs / this.scheduler.options.wholeFileSpeed
      );
    }
    // Before the first audio, or after the listener ran out of audio: due now.
    if (this.playStart === undefined) return now;
    return Math.max(now, this.playStart + this.producedMs);
  }

  /** Waits until the stream is no more than the lead limit ahead of its playback. */
  private async pace(signal: AbortSignal): Promise<void> {
    const excess = this.aheadMs - this.scheduler.options.leadMs;
    if (excess > 0) await this.clock.sleep(excess, signal);
  }
}

function durationMsOf(chunk: PcmChunk): number {
  return (chunk.samples.length * 1000) / chunk.sampleRate;
}
