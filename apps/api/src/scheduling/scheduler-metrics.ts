import { Counter, Gauge, Histogram } from 'prom-client';
import type { BusyReason } from '@cw/engines';
import type { MetricsService } from '../metrics/metrics.service';
import type { PieceReport, SchedulerEvents, SpeechScheduler, StreamKind } from './speech-scheduler';

/**
 * The scheduler's Prometheus series: queue depth and engine load, how far ahead of its listener
 * each paced piece was queued, how long pieces waited, deadline misses per tenant, refusals (per
 * tenant in `tts_rejections_total`, by the limit that refused them here).
 * Event-loop delay comes with the default metrics (`nodejs_eventloop_lag_*`).
 */
export function schedulerMetrics(
  metrics: MetricsService,
  scheduler: SpeechScheduler,
): SchedulerEvents {
  const registers = [metrics.registry];
  new Gauge({
    name: 'tts_scheduler_queue_depth',
    help: 'Pieces of speech waiting for an engine worker',
    registers,
    collect() {
      this.set(scheduler.queueDepth);
    },
  });
  new Gauge({
    name: 'tts_scheduler_load_ratio',
    help: 'Admitted real-time demand as a share of the engine capacity the scheduler may fill',
    registers,
    collect() {
      this.set(scheduler.capacity.load / scheduler.capacity.capacity);
    },
  });
  const lead = new Histogram({
    name: 'tts_scheduler_lead_seconds',
    help: 'Audio a live stream had ready ahead of its playback when its next piece was queued',
    buckets: [0, 0.25, 0.5, 1, 2, 3, 4, 6],
    registers,
  });
  const wait = new Histogram({
    name: 'tts_scheduler_wait_seconds',
    help: 'Time a piece waited in the scheduler queue before an engine worker took it',
    labelNames: ['kind', 'first'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const misses = new Counter({
    name: 'tts_scheduler_deadline_misses_total',
    help: 'Paced pieces whose first audio was ready after their listener ran out of audio',
    labelNames: ['tenant'] as const,
    registers,
  });
  const refusals = new Counter({
    name: 'tts_scheduler_refusals_total',
    help: 'New streams refused with engine_busy, by the limit that refused them (see the reason field of the error body)',
    labelNames: ['kind', 'reason'] as const,
    registers,
  });
  return {
    pieceDone(report: PieceReport): void {
      wait.observe(
        { kind: report.kind, first: String(!report.paced) },
        Math.max(0, report.waitedMs) / 1000,
      );
      if (report.kind !== 'live' || !report.paced) return;
      lead.observe(Math.max(0, report.leadMs) / 1000);
      if (report.lateMs > 0) misses.inc({ tenant: metrics.tenantLabel(report.tenantId) });
    },
    refused(tenantId: string, kind: StreamKind, reason: BusyReason): void {
      metrics.reject('engine_busy', tenantId);
      refusals.inc({ kind, reason });
    },
  };
}
