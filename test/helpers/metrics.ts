import { type AppConfig, loadConfig } from '@cw/config';
import { EngineRegistry, type TtsEngine } from '@cw/engines';
import { MetricsService } from '../../apps/api/src/metrics/metrics.service';

/** Stands in for the engine a MetricsService reads its gauges from: always up, never queued. */
const idleEngine = {
  id: 'espeak',
  capabilities: { parallelism: 1, wordTimings: true, languages: ['en'] },
  health: () => ({ queueDepth: 0, modelLoaded: true }),
} as unknown as TtsEngine;

/** The real metrics registry for a unit spec that needs one but starts no engine. */
export function specMetrics(config: AppConfig = loadConfig({})): MetricsService {
  return new MetricsService(config, EngineRegistry.of([{ engine: idleEngine }]));
}
