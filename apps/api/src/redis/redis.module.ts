import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@cw/config';
import { RedisFallback } from './redis-fallback';
import { REDIS } from './redis.token';

export { REDIS } from './redis.token';

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): Redis | null =>
        config.redisUrl
          ? new Redis(config.redisUrl, {
              // A command fails after one reconnection attempt or commandTimeoutMs (a stalled
              // server), and callers fall back to per-replica limits instead of waiting.
              maxRetriesPerRequest: 1,
              // Commands issued in one tick (many requests at once) go out in one write.
              enableAutoPipelining: true,
              commandTimeout: config.redis.commandTimeoutMs,
              connectTimeout: Math.max(1000, config.redis.commandTimeoutMs),
            })
          : null,
    },
    RedisFallback,
  ],
  exports: [REDIS, RedisFallback],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis | null) {}

  onApplicationShutdown(): void {
    this.redis?.disconnect(false);
  }
}
