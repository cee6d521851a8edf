import type { SchedulerOptions } from '../speech-scheduler';

/**
 * Scheduler options for tests: one worker and no prefetch (so the order pieces start in is the
 * order the scheduler chose), no first-audio admission limit, everyone may use all capacity.
 */
export const TEST_SCHEDULER_OPTIONS: SchedulerOptions = {
  parallelism: 1,
  prefetch: 0,
  leadMs: 3000,
  urgencyMs: 20,
  wholeFileSlackMs: 500,
  wholeFileSpeed: 4,
  retryAfterS: 1,
  maxFirstWaitMs: 60_000,
  initialFirstPieceMs: 10,
  utilization: 0.8,
  initialCost: 0.01,
  smoothing: 0.2,
  costSmoothing: 0.2,
  tenantShare: 1,
};
