import { type BeforeApplicationShutdown, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@cw/config';
import { EMBEDDED_ENGINE_ID, EngineRegistry } from '@cw/engines';
import { EngineModule } from '../engine/engine.module';
import { MetricsService } from '../metrics/metrics.service';
import { schedulerMetrics } from './scheduler-metrics';
import { type LaneOptions, SpeechScheduler } from './speech-scheduler';

/**
 * Engine ms per audio ms assumed until the first pieces are measured. eSpeak renders 100-250x
 * real time per thread alone; measured under load on a 2-core machine (workers, the main thread
 * and clients sharing the cores) the estimate stood at 0.005-0.010 in every bench run of
 * 2026-11-30: start from the top of that, so a burst right after boot is not over-admitted.
 * (At 0.025, three times what load costs, a fresh process gave one tenant's burst of 50 calls
 * 29 streams and 21 refusals, its share of an engine it had barely started to use.)
 */
const INITIAL_COST = 0.01;
/**
 * A remote engine until measured: a GPU server renders a few times faster than real time, so a
 * stream holds about a quarter of one of its slots; its first piece takes a few hundred ms.
 */
const REMOTE_INITIAL_COST = 0.25;
const REMOTE_FIRST_PIECE_MS = 300;

/** Every caller reaches the engine through the one SpeechScheduler this module provides. */
@Module({
  imports: [EngineModule],
  providers: [
    {
      provide: SpeechScheduler,
      inject: [APP_CONFIG, EngineRegistry, MetricsService],
      useFactory: (config: AppConfig, registry: EngineRegistry, metrics: MetricsService) => {
        const embedded = registry.get(EMBEDDED_ENGINE_ID)!;
        // Every other engine gets a lane of its own: its pieces wait for its own servers, never
        // for (or in) eSpeak's worker threads, and its streams are admitted on its own capacity.
        const lanes: Record<string, LaneOptions> = {};
        for (const entry of registry.entries()) {
          if (entry.id === EMBEDDED_ENGINE_ID) continue;
          lanes[entry.id] = {
            parallelism: entry.parallelism,
            // A remote slot is a request on a server: nothing handed out ahead of it.
            prefetch: entry.remote ? 0 : 1,
            initialCost: entry.remote ? REMOTE_INITIAL_COST : INITIAL_COST,
            initialFirstPieceMs: entry.remote ? REMOTE_FIRST_PIECE_MS : 25,
          };
        }
        const scheduler = new SpeechScheduler(
          (request, signal, lane) => registry.synthesize(lane, request, signal),
          {
            defaultLane: EMBEDDED_ENGINE_ID,
            lanes,
            parallelism: Math.max(1, embedded.parallelism),
            prefetch: 1,
            leadMs: config.scheduler.leadMs,
            utilization: config.scheduler.targetLoad,
            // Due within 20 ms counts as due now: shared fairly between tenants.
            urgencyMs: 20,
            // A file's first piece waits behind live first pieces for at most 250 ms, and its
            // later ones are due as if it played at 4x real time: never starved, never first.
            wholeFileSlackMs: 250,
            wholeFileSpeed: 4,
            retryAfterS: 1,
            // Refuse a new call rather than start it later than this: with the rest of the
            // request, its first audio then still arrives well within a second.
            maxFirstWaitMs: 600,
            // "Thanks for holding." at 8 kHz on a loaded 2-core machine: 11-12 ms of a thread on
            // average (the mean of a burst's first pieces, see smoothing), learned from there.
            initialFirstPieceMs: 12,
            initialCost: INITIAL_COST,
            // One tenant may fill 3/4 of the admitted capacity; the last quarter is kept for
            // the others, so a burst from one tenant cannot refuse everyone else's calls.
            tenantShare: 0.75,
            // Each first piece moves the first-piece estimates a twentieth of the way, so they
            // sit near the mean. First pieces of a 100-call burst (15:38 UTC) took 8.3 ms p50,
            // 15.2 p90 and up to 70 ms (a piece that met a garbage collection or a compile),
            // 11.2 mean, and the lane finished one every 6.4 ms on 2 workers, as the mean
            // predicts. Moving a fifth of the way, the estimate stood at 13-19 ms while the
            // burst was admitted and refused calls whose first audio would have come ~650 ms.
            smoothing: 0.05,
            // The cost per second of audio moves a twentieth of the way per piece: it follows a
            // change of load within about a hundred pieces (a second or two at full load), and
            // the few slow pieces of a burst's start no longer swing admission. At 0.2 the
            // estimate at the moment of a 100-call burst ranged 0.005-0.009 between runs
            // (admitting 80 to all 100 calls of one tenant).
            costSmoothing: 0.05,
          },
        );
        scheduler.listen(schedulerMetrics(metrics, scheduler));
        return scheduler;
      },
    },
  ],
  exports: [SpeechScheduler],
})
export class SchedulingModule implements BeforeApplicationShutdown {
  constructor(private readonly scheduler: SpeechScheduler) {}

  /** Before the HTTP server closes: streams still open end now instead of holding it up. */
  beforeApplicationShutdown(): void {
    this.scheduler.close();
  }
}
