import { type BeforeApplicationShutdown, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@cw/config';
import { TTS_ENGINE, type TtsEngine } from '@cw/engines';
import { EngineModule } from '../engine/engine.module';
import { MetricsService } from '../metrics/metrics.service';
import { schedulerMetrics } from './scheduler-metrics';
import { SpeechScheduler } from './speech-scheduler';

/**
 * Engine ms per audio ms assumed until the first pieces are measured: eSpeak renders 100-200x
 * real time per thread, so 1/100 errs on the side of admitting fewer streams at first.
 */
const INITIAL_COST = 0.01;

/** Every caller reaches the engine through the one SpeechScheduler this module provides. */
@Module({
  imports: [EngineModule],
  providers: [
    {
      provide: SpeechScheduler,
      inject: [APP_CONFIG, TTS_ENGINE, MetricsService],
      useFactory: (config: AppConfig, engine: TtsEngine, metrics: MetricsService) => {
        const holder: { scheduler?: SpeechScheduler } = {};
        const events = schedulerMetrics(metrics, () => holder.scheduler);
        holder.scheduler = new SpeechScheduler(
          (request, signal) => engine.synthesize(request, signal),
          {
            parallelism: Math.max(1, engine.capabilities.parallelism),
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
            initialCost: INITIAL_COST,
            smoothing: 0.05,
          },
          undefined,
          events,
        );
        return holder.scheduler;
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
