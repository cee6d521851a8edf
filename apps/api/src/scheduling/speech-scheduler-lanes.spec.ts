import type { PcmChunk, SynthesisRequest } from '@cw/engines';
import { TEST_SCHEDULER_OPTIONS } from './__tests__/scheduler-options';
import { SpeechScheduler } from './speech-scheduler';

const request = (text: string): SynthesisRequest => ({
  text,
  language: 'en',
  voice: { id: 'v', conditioning: {} },
  speed: 1,
});

/** An engine run per lane: `slow` holds every piece until released; others answer at once. */
function lanes() {
  const started: string[] = [];
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  async function* run(req: SynthesisRequest, signal: AbortSignal, lane: string) {
    started.push(`${lane}:${req.text}`);
    if (lane === 'slow') await held;
    signal.throwIfAborted();
    const chunk: PcmChunk = { samples: new Int16Array(1600), sampleRate: 16000 };
    yield chunk;
  }
  return { started, release: () => release(), run };
}

async function drain(iterable: AsyncIterable<PcmChunk>): Promise<number> {
  let n = 0;
  for await (const chunk of iterable) n += chunk.samples.length;
  return n;
}

describe('SpeechScheduler lanes', () => {
  it("a slow engine's pieces wait in its own lane and never hold the default lane's workers", async () => {
    const engine = lanes();
    const scheduler = new SpeechScheduler(engine.run, {
      ...TEST_SCHEDULER_OPTIONS,
      defaultLane: 'espeak',
      parallelism: 1,
      lanes: { slow: { parallelism: 1, prefetch: 0, initialCost: 0.01, initialFirstPieceMs: 10 } },
    });
    const upstream = scheduler.open({ tenantId: 'a', kind: 'whole', costKey: 'u', lane: 'slow' });
    const embedded = scheduler.open({ tenantId: 'b', kind: 'whole', costKey: 'e' });
    const slow1 = drain(upstream.render(request('one'), new AbortController().signal));
    const slow2 = drain(upstream.render(request('two'), new AbortController().signal, 'slow'));
    // Both slow pieces are queued or held in the slow lane; eSpeak's one worker is free.
    const fast = await drain(embedded.render(request('fast'), new AbortController().signal));
    expect(fast).toBe(1600);
    expect(engine.started).toContain('espeak:fast');
    expect(engine.started.filter((s) => s.startsWith('slow:'))).toHaveLength(1);
    engine.release();
    expect(await slow1).toBe(1600);
    expect(await slow2).toBe(1600);
    upstream.close();
    embedded.close();
  });

  it("admission counts a lane's streams against that lane's capacity only", () => {
    const engine = lanes();
    const scheduler = new SpeechScheduler(engine.run, {
      ...TEST_SCHEDULER_OPTIONS,
      defaultLane: 'espeak',
      parallelism: 1,
      utilization: 1,
      // One real-time stream fills the slow lane (cost 0.9 of its one slot).
      lanes: { slow: { parallelism: 1, prefetch: 0, initialCost: 0.9, initialFirstPieceMs: 10 } },
    });
    const first = scheduler.open({ tenantId: 'a', kind: 'live', costKey: 'u', lane: 'slow' });
    expect(() =>
      scheduler.open({ tenantId: 'b', kind: 'live', costKey: 'u', lane: 'slow' }),
    ).toThrow(/engine_busy|already serving/);
    // eSpeak's lane is untouched by the upstream's load.
    const embedded = scheduler.open({ tenantId: 'b', kind: 'live', costKey: 'e' });
    expect(scheduler.capacity.load).toBeCloseTo(0.01);
    first.close();
    embedded.close();
    expect(() =>
      scheduler.open({ tenantId: 'b', kind: 'live', costKey: 'u', lane: 'slow' }).close(),
    ).not.toThrow();
  });
});
