import type { TtsEngine } from '@cw/engines';

/** Counts engine pieces started and finished, by wrapping the real engine's synthesize. */
export function watchEngine(engine: TtsEngine): { started: number; finished: number } {
  const counts = { started: 0, finished: 0 };
  const original = engine.synthesize.bind(engine);
  jest.spyOn(engine, 'synthesize').mockImplementation((req, signal) => {
    counts.started++;
    const inner = original(req, signal);
    return (async function* () {
      try {
        yield* inner;
      } finally {
        counts.finished++;
      }
    })();
  });
  return counts;
}

/** Polls until `predicate` holds; fails the test when it never does. */
export async function waitUntil(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 15));
  }
}
