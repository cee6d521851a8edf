import { EngineError, EngineErrorCode, type PcmChunk, type SynthesisRequest } from '@cw/engines';
import { TEST_SCHEDULER_OPTIONS } from './__tests__/scheduler-options';
import { FairDeadlineQueue, type QueuedPiece } from './fair-deadline-queue';
import {
  type PieceReport,
  type SchedulerClock,
  type SchedulerOptions,
  SpeechScheduler,
  type StreamSpec,
} from './speech-scheduler';

/** A clock the test moves by hand; sleepers wake when it passes their time. */
class ManualClock implements SchedulerClock {
  private t = 0;
  private sleepers: { until: number; resolve: () => void }[] = [];
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const sleeper = { until: this.t + ms, resolve };
      this.sleepers.push(sleeper);
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }
  get sleeping(): number {
    return this.sleepers.length;
  }
  async advance(ms: number): Promise<void> {
    this.t += ms;
    const due = this.sleepers.filter((s) => s.until <= this.t);
    this.sleepers = this.sleepers.filter((s) => s.until > this.t);
    for (const s of due) s.resolve();
    await settle();
  }
}

/** Lets every pending promise callback run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise((r) => setImmediate(r));
}

/**
 * An engine whose pieces the test finishes by hand: each call is recorded in start order, and
 * `complete(text, audioMs)` makes that piece yield one chunk of that much audio and end.
 */
class FakeEngine {
  readonly started: string[] = [];
  private readonly pending = new Map<string, (audioMs: number) => void>();
  readonly aborted: string[] = [];

  run = (request: SynthesisRequest, signal: AbortSignal): AsyncIterable<PcmChunk> => {
    this.started.push(request.text);
    const done = new Promise<number>((resolve, reject) => {
      this.pending.set(request.text, resolve);
      signal.addEventListener('abort', () => {
        this.aborted.push(request.text);
        reject(new DOMException('aborted', 'AbortError'));
      });
    });
    return (async function* () {
      const audioMs = await done;
      yield { samples: new Int16Array(audioMs * 8), sampleRate: 8000 };
    })();
  };

  async complete(text: string, audioMs = 1000, clock?: ManualClock, engineMs = 0): Promise<void> {
    const finish = this.pending.get(text);
    if (!finish) throw new Error(`piece "${text}" is not running`);
    this.pending.delete(text);
    if (clock && engineMs) await clock.advance(engineMs);
    finish(audioMs);
    await settle();
  }
}

const OPTIONS = TEST_SCHEDULER_OPTIONS;

function request(text: string): SynthesisRequest {
  return { text, language: 'en', voice: { id: 'v', conditioning: {} }, speed: 1 };
}

/** Consumes a stream's pieces in order, as a transport would; returns what it received. */
function listen(
  scheduler: SpeechScheduler,
  spec: StreamSpec,
  texts: string[],
  signal = new AbortController().signal,
) {
  const stream = scheduler.open(spec);
  const received: string[] = [];
  const errors: unknown[] = [];
  const done = (async () => {
    try {
      for (const text of texts) {
        for await (const chunk of stream.render(request(text), signal)) {
          received.push(`${text}:${chunk.samples.length / 8}`);
        }
      }
    } catch (err) {
      errors.push(err);
    } finally {
      stream.close();
    }
  })();
  return { stream, received, errors, done };
}

function live(tenantId: string): StreamSpec {
  return { tenantId, kind: 'live', costKey: 'default/mulaw' };
}

describe('SpeechScheduler', () => {
  let clock: ManualClock;
  let engine: FakeEngine;
  let reports: PieceReport[];
  let refusals: string[];
  let scheduler: SpeechScheduler;

  function make(options: Partial<SchedulerOptions> = {}): SpeechScheduler {
    scheduler = new SpeechScheduler(engine.run, { ...OPTIONS, ...options }, clock, {
      pieceDone: (r) => reports.push(r),
      refused: (tenant, _kind, reason) => refusals.push(`${tenant}:${reason}`),
    });
    return scheduler;
  }

  beforeEach(() => {
    clock = new ManualClock();
    engine = new FakeEngine();
    reports = [];
    refusals = [];
    make();
  });

  it('runs the earliest deadline first: a new stream before pieces that are due later', async () => {
    const a = listen(scheduler, live('t1'), ['a1', 'a2']);
    await settle();
    await engine.complete('a1', 2000); // a2 is now due in 2 s (when a1's audio runs out)
    expect(engine.started).toEqual(['a1', 'a2']);
    // a2 runs; while it runs, b1 (due now) and a3-like later work queue up.
    const c = listen(scheduler, live('t1'), ['c1', 'c2']);
    const b = listen(scheduler, live('t1'), ['b1']);
    await settle();
    await engine.complete('a2', 2000);
    // c1 and b1 are due now and come before anything due later, in arrival order.
    expect(engine.started.slice(2)).toEqual(['c1']);
    await engine.complete('c1', 1000);
    expect(engine.started.slice(3)).toEqual(['b1']);
    await engine.complete('b1', 1000);
    await engine.complete('c2', 1000);
    await Promise.all([a.done, b.done, c.done]);
    expect(a.received).toEqual(['a1:2000', 'a2:2000']);
  });

  it('renders a live stream at most the lead ahead of its playback', async () => {
    const texts = ['p1', 'p2', 'p3', 'p4'];
    const s = listen(scheduler, live('t1'), texts);
    await settle();
    await engine.complete('p1', 2000);
    await engine.complete('p2', 2000); // 4 s produced at t=0: 1 s past the 3 s lead
    expect(engine.started).toEqual(['p1', 'p2']);
    expect(clock.sleeping).toBe(1);
    await clock.advance(999);
    expect(engine.started).toEqual(['p1', 'p2']);
    await clock.advance(1);
    expect(engine.started).toEqual(['p1', 'p2', 'p3']);
    const p3 = reports.length;
    await engine.complete('p3', 2000);
    // p3 was queued 3 s before its audio had to play, and finished in time.
    expect(reports[p3]).toMatchObject({ paced: true, leadMs: 3000 });
    expect(reports[p3].lateMs).toBeLessThan(0);
    await clock.advance(2000);
    await engine.complete('p4', 500);
    await s.done;
    expect(s.received).toHaveLength(4);
  });

  it('counts a paced piece that arrives after its deadline as a miss', async () => {
    const s = listen(scheduler, live('t1'), ['m1', 'm2']);
    await settle();
    await engine.complete('m1', 1000);
    // m2 is due 1 s after playback started; the engine takes 1.5 s for it.
    await engine.complete('m2', 1000, clock, 1500);
    await s.done;
    expect(reports[1]).toMatchObject({ paced: true, lateMs: 500 });
  });

  it('shares due work fairly: a second tenant is not stuck behind a burst', async () => {
    const burst = Array.from({ length: 10 }, (_, i) => listen(scheduler, live('A'), [`A${i}`]));
    await settle();
    const b = listen(scheduler, live('B'), ['B0']);
    await settle();
    // A0 was already running; A0 charges A's virtual time, so B0 goes next, not after A1..A9.
    await engine.complete('A0', 1000, clock, 10);
    expect(engine.started).toEqual(['A0', 'B0']);
    await engine.complete('B0', 1000, clock, 10);
    for (let i = 1; i < 10; i++) await engine.complete(`A${i}`, 1000, clock, 10);
    await Promise.all([...burst.map((s) => s.done), b.done]);
    expect(b.received).toEqual(['B0:1000']);
  });

  it('removes a cancelled stream’s queued work at once, and its running piece is stopped', async () => {
    const first = listen(scheduler, live('t1'), ['r1']);
    const controller = new AbortController();
    const gone = listen(scheduler, live('t1'), ['g1', 'g2'], controller.signal);
    await settle();
    expect(scheduler.queueDepth).toBe(1);
    controller.abort();
    await settle();
    expect(scheduler.queueDepth).toBe(0);
    await engine.complete('r1');
    expect(engine.started).toEqual(['r1']);
    await Promise.all([first.done, gone.done]);
    expect(gone.errors).toHaveLength(1);

    // Cancelled while running: the engine is told to stop and the worker is free again.
    const running = new AbortController();
    const cut = listen(scheduler, live('t1'), ['x1'], running.signal);
    await settle();
    running.abort();
    await cut.done;
    expect(engine.aborted).toContain('x1');
    expect(scheduler.inFlight).toBe(0);
  });

  it('passes an engine refusal through and frees the worker', async () => {
    const refusing = new SpeechScheduler(
      () => {
        throw new EngineError(EngineErrorCode.UnsupportedLanguage, 'no voice for xx');
      },
      OPTIONS,
      clock,
    );
    const s = listen(refusing, live('t1'), ['x']);
    await s.done;
    expect(s.errors[0]).toMatchObject({ code: 'unsupported_language' });
    expect(refusing.inFlight).toBe(0);
    expect(refusing.streams).toBe(0);
  });

  it('gives whole-file work a fixed deadline: it waits for due live pieces, never forever', async () => {
    const busy = listen(scheduler, live('L'), ['busy']);
    await settle();
    const file = listen(scheduler, { tenantId: 'W', kind: 'whole', costKey: 'k' }, ['w1', 'w2']);
    await clock.advance(100);
    const late = listen(scheduler, live('L2'), ['new1']);
    await settle();
    await engine.complete('busy');
    // The new live stream is due now (t=100); the file's first piece only at t=500.
    expect(engine.started).toEqual(['busy', 'new1']);
    await clock.advance(600);
    const later = listen(scheduler, live('L3'), ['new2']);
    await settle();
    await engine.complete('new1');
    // At t=700 the file's piece (due at 500) is older than the new stream's (due at 700).
    expect(engine.started).toEqual(['busy', 'new1', 'w1']);
    await engine.complete('w1', 2000);
    await engine.complete('new2');
    await engine.complete('w2');
    await Promise.all([busy.done, file.done, late.done, later.done]);
    expect(file.received).toEqual(['w1:2000', 'w2:1000']);
  });

  it('refuses a live stream beyond the measured capacity with engine_busy, and admits after one ends', async () => {
    // 0.8 of one worker at 0.2 engine-seconds per audio-second: four streams fit.
    make({ initialCost: 0.2 });
    const open = Array.from({ length: 4 }, () => scheduler.open(live('t1')));
    let refused: unknown;
    try {
      scheduler.open(live('t2'));
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(EngineError);
    expect(refused).toMatchObject({ code: 'engine_busy', retryAfterS: 1, reason: 'capacity' });
    expect(refusals).toEqual(['t2:capacity']);
    // A whole file is not reserved for, but is not started while live streams fill the engine.
    expect(() => scheduler.open({ tenantId: 't2', kind: 'whole', costKey: 'k' })).toThrow(
      expect.objectContaining({ code: 'engine_busy', reason: 'no_room' }),
    );
    expect(refusals).toEqual(['t2:capacity', 't2:no_room']);
    open[0].close();
    open[0].close(); // idempotent: frees one reservation, not two
    expect(() => scheduler.open(live('t2'))).not.toThrow();
    expect(() => scheduler.open(live('t3'))).toThrow(EngineError);
  });

  it('keeps part of the capacity for other tenants: one tenant’s burst cannot refuse them', () => {
    // Four streams fit; one tenant may hold half of that.
    make({ initialCost: 0.2, tenantShare: 0.5 });
    scheduler.open(live('A'));
    scheduler.open(live('A'));
    expect(() => scheduler.open(live('A'))).toThrow(EngineError);
    expect(() => scheduler.open(live('B'))).not.toThrow();
    expect(() => scheduler.open(live('B'))).not.toThrow();
    expect(() => scheduler.open(live('C'))).toThrow(EngineError);
    // A is refused at its share with room left; C finds the engine full.
    expect(refusals).toEqual(['A:tenant_share', 'C:capacity']);
  });

  it('refuses a new live stream when the first pieces already due would make it wait too long', async () => {
    make({ maxFirstWaitMs: 100, initialFirstPieceMs: 30 });
    const running = listen(scheduler, live('t1'), ['s1']);
    const queued = [listen(scheduler, live('t1'), ['s2']), listen(scheduler, live('t1'), ['s3'])];
    await settle();
    // s1 runs, s2 and s3 wait: a fourth first piece would start after (2 + 1) x 30 ms = 90 ms.
    expect(scheduler.firstAudioWaitMs()).toBe(90);
    const fourth = listen(scheduler, live('t2'), ['s4']);
    await settle();
    expect(() => scheduler.open(live('t3'))).toThrow(
      expect.objectContaining({ code: 'engine_busy', reason: 'first_audio_wait' }),
    );
    expect(refusals).toEqual(['t3:first_audio_wait']);
    // Whole-file work is not held to it, and once the queue drains new calls are admitted.
    expect(() =>
      scheduler.open({ tenantId: 't3', kind: 'whole', costKey: 'k' }).close(),
    ).not.toThrow();
    // (Tenant t2's s4 goes before t1's s2 and s3: t1 has had the engine already.)
    for (let i = 0; i < 4; i++) await engine.complete(engine.started[i], 1000, clock, 30);
    expect(engine.started).toEqual(['s1', 's4', 's2', 's3']);
    await Promise.all([running.done, ...queued.map((q) => q.done), fourth.done]);
    expect(scheduler.firstAudioWaitMs()).toBe(30);
    expect(() => scheduler.open(live('t3')).close()).not.toThrow();
  });

  it('costs a queued first piece as first pieces cost with every worker busy, not alone', async () => {
    // Two workers; smoothing 1: each estimate is the last piece measured.
    make({ parallelism: 2, smoothing: 1, initialFirstPieceMs: 10, maxFirstWaitMs: 90 });
    // Two first pieces at once (the second starts with both workers busy): 40 ms each.
    const pair = [listen(scheduler, live('t1'), ['a1']), listen(scheduler, live('t2'), ['b1'])];
    await settle();
    await clock.advance(40);
    await engine.complete('a1');
    await engine.complete('b1');
    await Promise.all(pair.map((p) => p.done));
    // Then one alone: 10 ms.
    const alone = listen(scheduler, live('t3'), ['c1']);
    await settle();
    await engine.complete('c1', 1000, clock, 10);
    await alone.done;
    // A call to an idle engine has a worker to itself: the quiet figure.
    expect(scheduler.firstAudioWaitMs()).toBe(5);
    // With both workers busy and one first piece queued, a new one waits (1 + 1) x 40 / 2.
    const busy = ['d1', 'e1', 'f1'].map((text, i) => listen(scheduler, live(`u${i}`), [text]));
    await settle();
    expect(engine.started.slice(-2)).toEqual(['d1', 'e1']);
    expect(scheduler.firstAudioWaitMs()).toBe(40);
    // At the quiet 10 ms that would be 10 ms, and a dozen more calls would be let in; at 40 ms
    // a fifth queued first piece would start 100 ms from now, past the 90 ms limit.
    listen(scheduler, live('v1'), ['g1']);
    listen(scheduler, live('v2'), ['h1']);
    await settle();
    expect(scheduler.firstAudioWaitMs()).toBe(80);
    listen(scheduler, live('v3'), ['i1']);
    await settle();
    expect(() => scheduler.open(live('v4'))).toThrow(EngineError);
    expect(refusals).toEqual(['v4:first_audio_wait']);
    scheduler.close();
    await Promise.all(busy.map((b) => b.done));
  });

  it('learns first-piece costs from first pieces only, not from a sentence after the listener ran out', async () => {
    // One worker, no lead: the second piece waits until the first's audio has played, so it is
    // due the moment it is queued, like a stream whose listener ran out.
    make({ parallelism: 1, smoothing: 1, initialFirstPieceMs: 10, leadMs: 0 });
    const reports: PieceReport[] = [];
    scheduler.listen({ pieceDone: (r) => reports.push(r) });
    const call = listen(scheduler, live('t1'), ['a1', 'a2']);
    await settle();
    await engine.complete('a1', 100, clock, 20);
    expect(scheduler.firstAudioWaitMs()).toBe(20);
    await clock.advance(100);
    expect(engine.started).toEqual(['a1', 'a2']);
    await engine.complete('a2', 4000, clock, 500);
    await call.done;
    // a2 was due now (it started 0 ms after its deadline) and took 500 ms: still 20.
    expect(reports.map((r) => r.paced)).toEqual([false, false]);
    expect(reports[1].engineMs).toBe(500);
    expect(scheduler.firstAudioWaitMs()).toBe(20);
  });

  it('always admits one stream to an idle engine, however high the estimate', () => {
    make({ initialCost: 5 });
    const only = scheduler.open(live('t1'));
    expect(() => scheduler.open(live('t2'))).toThrow(EngineError);
    only.close();
    expect(() => scheduler.open(live('t2'))).not.toThrow();
  });

  it('learns the engine cost from rendered pieces and admits accordingly', async () => {
    make({ initialCost: 0.001 });
    const s = listen(scheduler, live('t1'), ['c1']);
    await settle();
    // One second of audio took 400 ms: cost 0.4, so two streams use the whole 0.8.
    await engine.complete('c1', 1000, clock, 400);
    await s.done;
    expect(scheduler.capacity.costOf('default/mulaw')).toBeCloseTo(0.4);
    expect(scheduler.capacity.headroom('default/mulaw')).toBe(2);
    // What the warm-up taught is forgotten: back to the assumed cost.
    scheduler.forgetMeasurements();
    expect(scheduler.capacity.costOf('default/mulaw')).toBeCloseTo(0.001);
  });
});

describe('FairDeadlineQueue', () => {
  const piece = (tenantId: string, deadline: number, seq: number): QueuedPiece => ({
    tenantId,
    deadline,
    seq,
  });

  it('takes the earliest deadline when nothing is due', () => {
    const q = new FairDeadlineQueue<QueuedPiece>(0);
    q.push(piece('a', 300, 0));
    q.push(piece('b', 200, 1));
    q.push(piece('a', 100, 2));
    expect([q.shift(0), q.shift(0), q.shift(0)].map((p) => p?.deadline)).toEqual([100, 200, 300]);
    expect(q.shift(0)).toBeUndefined();
  });

  it('alternates between tenants with due work by the engine time they received', () => {
    const q = new FairDeadlineQueue<QueuedPiece>(0);
    for (let i = 0; i < 4; i++) q.push(piece('a', 0, i));
    q.push(piece('b', 5, 10));
    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      const p = q.shift(10)!;
      order.push(p.tenantId);
      q.done(p, 10);
    }
    expect(order).toEqual(['a', 'b', 'a', 'a', 'a']);
  });

  it('weights tenants: weight 2 gets twice the turns', () => {
    const q = new FairDeadlineQueue<QueuedPiece>(0);
    for (let i = 0; i < 6; i++) q.push(piece('heavy', 0, i), 2);
    for (let i = 0; i < 6; i++) q.push(piece('light', 0, 100 + i), 1);
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      const p = q.shift(0)!;
      order.push(p.tenantId);
      q.done(p, 10);
    }
    expect(order.filter((t) => t === 'heavy')).toHaveLength(4);
  });
});
