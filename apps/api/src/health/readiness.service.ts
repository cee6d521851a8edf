import { Inject, Injectable } from '@nestjs/common';
import {
  type HealthIndicatorFunction,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import type Redis from 'ioredis';
import { EMBEDDED_ENGINE_ID, EngineRegistry } from '@cw/engines';
import { ShutdownService } from '../lifecycle/shutdown.service';
import { REDIS } from '../redis/redis.module';
import { WarmUpService } from '../synthesis/warm-up.service';

/** The indicators behind /v1/health/ready: database, Redis (when configured) and the engine. */
@Injectable()
export class ReadinessIndicators {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly db: TypeOrmHealthIndicator,
    @Inject(REDIS) private readonly redis: Redis | null,
    @Inject(EngineRegistry) private readonly registry: EngineRegistry,
    private readonly warmUp: WarmUpService,
    private readonly shutdown: ShutdownService,
  ) {}

  all(): HealthIndicatorFunction[] {
    const checks: HealthIndicatorFunction[] = [
      () => this.drainCheck(),
      () => this.db.pingCheck('database', { timeout: 2000 }),
      () => this.engineCheck(),
      () => this.warmUpCheck(),
    ];
    const redis = this.redis;
    if (redis) checks.push(() => this.redisCheck(redis));
    return checks;
  }

  /**
   * Reported, never failing: without Redis each replica limits on its own (fail open, see the
   * README's Outages section), so pulling every replica out of the load balancer would be worse.
   */
  private async redisCheck(redis: Redis) {
    const session = this.indicators.check('redis');
    try {
      const pong = await Promise.race([
        redis.ping(),
        new Promise<string>((_, reject) =>
          setTimeout(() => reject(new Error('timeout')), 2000).unref(),
        ),
      ]);
      return pong === 'PONG'
        ? session.up()
        : session.up({ degraded: true, message: `unexpected reply ${pong}` });
    } catch (err) {
      return session.up({
        degraded: true,
        message: `unreachable (limits are per replica until it returns): ${
          err instanceof Error ? err.message : String(err)
        }`,
      });
    }
  }

  /** Not ready from the moment SIGTERM arrives, so the load balancer stops sending work. */
  private drainCheck() {
    const session = this.indicators.check('shutdown');
    return this.shutdown.draining
      ? session.down({ message: 'shutting down', in_flight: this.shutdown.active })
      : session.up();
  }

  /** Ready only once every built-in voice has been rendered through the whole path. */
  private warmUpCheck() {
    const session = this.indicators.check('warm_up');
    return this.warmUp.done
      ? session.up()
      : session.down({ message: 'built-in voices are not warm yet' });
  }

  /**
   * Up while the embedded engine answers: remote engines that are down make it `degraded` (their
   * voices fall back to eSpeak), not down, so the replica stays in the load balancer.
   */
  private engineCheck() {
    const session = this.indicators.check('engine');
    const engines = this.registry.status();
    const embedded = engines.find((e) => e.id === EMBEDDED_ENGINE_ID)!;
    const down = engines.filter((e) => e.state === 'down').map((e) => e.id);
    const data = {
      engine: this.registry.defaultId,
      queue_depth: engines.reduce((n, e) => n + e.health.queueDepth, 0),
      engines: Object.fromEntries(engines.map((e) => [e.id, e.state])),
    };
    if (!embedded.health.modelLoaded) {
      return session.down({ ...data, message: 'engine not ready' });
    }
    const defaultDown = down.includes(this.registry.defaultId);
    if (defaultDown && this.registry.get(this.registry.defaultId)?.fallback.length === 0) {
      return session.down({ ...data, message: `engine ${this.registry.defaultId} is down` });
    }
    return down.length
      ? session.up({
          ...data,
          degraded: true,
          message: `engines down (their voices fall back): ${down.join(', ')}`,
        })
      : session.up(data);
  }
}
