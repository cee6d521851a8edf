import { Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ExecutionContext } from '@nestjs/common';
import { ThrottlerModule, ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '@cw/config';
import type { AuthenticatedRequest } from '../auth/auth.decorators';
import { HOUR_MS, MINUTE_MS, TenantThrottlerGuard } from './tenant-throttler.guard';

const tenantOf = (ctx: ExecutionContext) =>
  ctx.switchToHttp().getRequest<AuthenticatedRequest>().tenant;

/**
 * Two windows per tenant. The minute window is the throttler named `default`, so its headers are
 * the plain `X-RateLimit-Limit/Remaining/Reset`; the hour window adds `X-RateLimit-*-hour`.
 * Storage is in memory, or Redis when REDIS_URL is set so replicas share one budget.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        throttlers: [
          { name: 'default', ttl: MINUTE_MS, limit: (ctx) => tenantOf(ctx).rateLimitPerMinute },
          { name: 'hour', ttl: HOUR_MS, limit: (ctx) => tenantOf(ctx).rateLimitPerHour },
        ],
        storage: config.redisUrl
          ? new ThrottlerStorageRedisService(
              new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 }),
            )
          : undefined,
      }),
    }),
  ],
  providers: [TenantThrottlerGuard],
  exports: [TenantThrottlerGuard],
})
export class RateLimitModule implements OnApplicationShutdown {
  private readonly logger = new Logger(RateLimitModule.name);

  constructor(@Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage) {}

  /** The Redis storage only closes connections it opened itself; we opened this one. */
  onApplicationShutdown(): void {
    const redis = (this.storage as { redis?: Redis }).redis;
    if (redis) {
      redis.disconnect(false);
      this.logger.log('rate-limit Redis connection closed');
    }
  }
}
