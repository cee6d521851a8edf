import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '@cw/config';
import { EngineRegistry } from '@cw/engines';

export type RejectionReason = 'rate_limit' | 'quota' | 'concurrency' | 'engine_busy';

/**
 * Prometheus metrics. Tenant labels only when METRICS_TENANT_LABELS=true: with many tenants
 * they multiply series, so by default every tenant shares the label value `all`.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly tenantLabels: boolean;

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly ttfb = new Histogram({
    name: 'tts_time_to_first_byte_seconds',
    help: 'Time from request to the first audio byte',
    labelNames: ['engine', 'format', 'streaming'] as const,
    buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    registers: [this.registry],
  });

  readonly audioSeconds = new Counter({
    name: 'tts_audio_seconds_total',
    help: 'Seconds of audio delivered to clients',
    labelNames: ['engine', 'tenant'] as const,
    registers: [this.registry],
  });

  readonly activeStreams = new Gauge({
    name: 'tts_active_streams',
    help: 'Syntheses in flight in this process',
    registers: [this.registry],
  });

  readonly rejections = new Counter({
    name: 'tts_rejections_total',
    help: 'Requests refused before synthesis, by reason',
    labelNames: ['reason', 'tenant'] as const,
    registers: [this.registry],
  });

  readonly usageDropped = new Counter({
    name: 'usage_events_dropped_total',
    help: 'Usage events dropped because the buffer was full while the database was unreachable',
    registers: [this.registry],
  });

  readonly usageBuffered = new Gauge({
    name: 'usage_events_buffered',
    help: 'Usage events waiting to be written',
    registers: [this.registry],
  });

  readonly redisFallbacks = new Counter({
    name: 'redis_fallback_total',
    help: 'Limit decisions this replica made on its own because Redis was unreachable, by use',
    labelNames: ['use'] as const,
    registers: [this.registry],
  });

  readonly redisDegraded = new Gauge({
    name: 'redis_degraded',
    help: '1 while this replica enforces a limit on its own because Redis is unreachable, by use',
    labelNames: ['use'] as const,
    registers: [this.registry],
  });

  readonly phraseCacheLookups = new Counter({
    name: 'phrase_cache_lookups_total',
    help: 'Phrase cache lookups by result (hit in memory, hit in Redis, miss)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly phraseCacheBytes = new Gauge({
    name: 'phrase_cache_bytes',
    help: "Audio bytes held in this replica's phrase cache",
    registers: [this.registry],
  });

  readonly tenantCacheLookups = new Counter({
    name: 'tenant_cache_lookups_total',
    help: 'Lookups of cached tenant data (voices, dictionaries, voice mappings) by cache and result (hit, miss, bypass while the change feed is down)',
    labelNames: ['cache', 'result'] as const,
    registers: [this.registry],
  });

  readonly changeFeedListening = new Gauge({
    name: 'tenant_change_feed_listening',
    help: '1 while this replica hears database changes to tenant data (and caches it), 0 otherwise',
    registers: [this.registry],
  });

  readonly phraseCacheEvictions = new Counter({
    name: 'phrase_cache_evictions_total',
    help: 'Phrase cache entries pushed out of memory to stay within PHRASE_CACHE_MAX_BYTES',
    registers: [this.registry],
  });

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(EngineRegistry) registry: EngineRegistry,
  ) {
    this.tenantLabels = config.metrics.tenantLabels;
    const registers = [this.registry];
    new Gauge({
      name: 'tts_engine_queue_depth',
      help: 'Syntheses waiting for an engine worker or server, all engines',
      registers,
      collect() {
        this.set(registry.entries().reduce((n, e) => n + e.engine.health().queueDepth, 0));
      },
    });
    this.engineMetrics(registry, registers);
    collectDefaultMetrics({ register: this.registry });
  }

  /** Per engine: requests, failures by code, time to first audio, breaker state. */
  private engineMetrics(registry: EngineRegistry, registers: Registry[]): void {
    const requests = new Counter({
      name: 'tts_engine_requests_total',
      help: 'Pieces of speech sent to each engine',
      labelNames: ['engine'] as const,
      registers,
    });
    const failures = new Counter({
      name: 'tts_engine_failures_total',
      help: 'Engine calls that failed, by engine and error code (timeouts are engine_unavailable)',
      labelNames: ['engine', 'code'] as const,
      registers,
    });
    const firstAudio = new Histogram({
      name: 'tts_engine_first_audio_seconds',
      help: 'From an engine call to its first audio, per engine',
      labelNames: ['engine'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    const state = { closed: 0, half_open: 1, open: 2 } as const;
    new Gauge({
      name: 'tts_engine_breaker_state',
      help: 'Circuit breaker per engine: 0 closed, 1 half open (probing), 2 open',
      labelNames: ['engine'] as const,
      registers,
      collect() {
        for (const entry of registry.entries()) {
          this.set({ engine: entry.id }, state[entry.breaker.state]);
        }
      },
    });
    new Gauge({
      name: 'tts_engine_up',
      help: 'Engine answering (1) or not (0)',
      labelNames: ['engine'] as const,
      registers,
      collect() {
        for (const s of registry.status()) this.set({ engine: s.id }, s.state === 'down' ? 0 : 1);
      },
    });
    registry.observe({
      request: (engine) => requests.inc({ engine }),
      failure: (engine, code) => failures.inc({ engine, code }),
      firstAudio: (engine, ms) => firstAudio.observe({ engine }, ms / 1000),
    });
  }

  tenantLabel(tenantSlug: string): string {
    return this.tenantLabels ? tenantSlug : 'all';
  }

  reject(reason: RejectionReason, tenantSlug: string): void {
    this.rejections.inc({ reason, tenant: this.tenantLabel(tenantSlug) });
  }
}
