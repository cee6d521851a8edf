/**
 * How big each measurement is. `npm run bench` runs the full plan; BENCH_QUICK=1 runs every
 * measurement at small sizes, to check that the bench works (its numbers mean little).
 */
export interface BenchPlan {
  quick: boolean;
  latency: { shortRuns: number; longRuns: number; warmupRuns: number };
  /** Simultaneous streams per level of the HTTP capacity test, until one level fails. */
  capacityLevels: number[];
  capacityBudgetMs: number;
  /**
   * The same test with the streams spread over several tenants (each tenant may hold only part
   * of the admitted capacity, so one tenant's burst measures its share, not the service).
   */
  spread: { tenants: number; levels: number[]; budgetMs: number };
  /** First byte figures are reported at these levels. */
  firstByteAt: number[];
  /** Rounds of one-sentence calls started together, for the CPU each call costs (see burst.ts). */
  burst: { calls: number; rounds: number };
  /** Liveness latency and RSS are reported for this level. */
  resourcesAt: number;
  /** The first simultaneous calls to the freshly started process. */
  bootCalls: number;
  noisy: { aStreams: number; bRequests: number; bSpacingMs: number; bDelayMs: number };
  throughput: { connections: number; warmupS: number; durationS: number };
  twilioLevels: number[];
  twilioBudgetMs: number;
  /** First media figures are reported at these levels. */
  twilioFirstMediaAt: number[];
  phraseCache: {
    pairs: number;
    replayRequests: number;
    phrases: number;
    concurrency: number;
    fillRequests: number;
    /** One cached prompt asked this many times in a row, and the framework floor's GET as often. */
    repeats: number;
    /** ... once with no pause between requests, once with this pause before each. */
    pauseMs: number;
  };
}

const FULL: BenchPlan = {
  quick: false,
  latency: { shortRuns: 30, longRuns: 20, warmupRuns: 3 },
  capacityLevels: [1, 10, 25, 50, 100, 150, 200, 250, 300],
  // Nine levels of about 30 s each, after a lone reference stream.
  capacityBudgetMs: 330_000,
  spread: { tenants: 4, levels: [100, 150, 200, 250, 300], budgetMs: 190_000 },
  firstByteAt: [1, 50, 100, 200],
  // Fewer calls than the first level that sees refusals, so every call in a round is a whole one.
  burst: { calls: 50, rounds: 3 },
  resourcesAt: 200,
  bootCalls: 10,
  noisy: { aStreams: 100, bRequests: 20, bSpacingMs: 50, bDelayMs: 500 },
  throughput: { connections: 10, warmupS: 2, durationS: 10 },
  twilioLevels: [1, 10, 50, 100, 150, 200],
  // Six levels of about 35 s each, after a lone reference session.
  twilioBudgetMs: 270_000,
  twilioFirstMediaAt: [10, 100],
  // The capacity text as a 22 kHz PCM whole file is ~1.1 MB: eight of them pass the 4 MB bound.
  phraseCache: {
    pairs: 100,
    replayRequests: 1000,
    phrases: 50,
    concurrency: 10,
    fillRequests: 8,
    repeats: 100,
    pauseMs: 50,
  },
};

const QUICK: BenchPlan = {
  ...FULL,
  quick: true,
  latency: { shortRuns: 3, longRuns: 2, warmupRuns: 1 },
  capacityLevels: [1, 10],
  spread: { tenants: 2, levels: [4, 10], budgetMs: 60_000 },
  firstByteAt: [1, 10],
  burst: { calls: 10, rounds: 2 },
  resourcesAt: 10,
  noisy: { ...FULL.noisy, aStreams: 20 },
  throughput: { connections: 10, warmupS: 1, durationS: 3 },
  twilioLevels: [1, 5],
  twilioFirstMediaAt: [1, 5],
  phraseCache: {
    pairs: 5,
    replayRequests: 100,
    phrases: 20,
    concurrency: 5,
    fillRequests: 6,
    repeats: 10,
    pauseMs: 50,
  },
};

export function benchPlan(env: NodeJS.ProcessEnv): BenchPlan {
  return env.BENCH_QUICK === '1' ? QUICK : FULL;
}
