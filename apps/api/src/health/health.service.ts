import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EngineRegistry, TTS_ENGINE, type TtsEngine } from '@cw/engines';
import { SERVICE_VERSION } from '../common/version';

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

const DB_CHECK_TIMEOUT_MS = 2000;

@Injectable()
export class HealthService {
  private readonly startedAt = Date.now();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TTS_ENGINE) private readonly engine: TtsEngine,
    @Inject(EngineRegistry) private readonly registry: EngineRegistry,
  ) {}

  async databaseUp(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), DB_CHECK_TIMEOUT_MS);
        }),
      ]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async report() {
    const dbUp = await this.databaseUp();
    const engine = this.engine.health();
    const modelLoaded = engine.modelLoaded;
    const engines = this.registry.status();
    const anyDown = engines.some((e) => e.state === 'down');
    const status: HealthStatus = !dbUp
      ? 'unhealthy'
      : modelLoaded && !anyDown
        ? 'healthy'
        : 'degraded';
    return {
      status,
      database: dbUp ? ('up' as const) : ('down' as const),
      version: SERVICE_VERSION,
      uptime_s: Math.round((Date.now() - this.startedAt) / 1000),
      timestamp: new Date().toISOString(),
      model_loaded: modelLoaded,
      streaming_supported: engine.streamingSupported,
      word_timings: this.engine.capabilities.wordTimings,
      // True while the default engine is down and its voices fall back to another engine.
      fallback_mode: engines.some((e) => e.default && e.state === 'down' && e.fallback.length > 0),
      system_tts: engine.systemTts,
      engine: this.engine.id,
      engines: Object.fromEntries(engines.map((e) => [e.id, e.state])),
    };
  }
}
