import { Module } from '@nestjs/common';
import { ExecutionContext } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type Redis from 'ioredis';
import type { AuthenticatedRequest } from '../common/request-context/request-context';
import { REDIS } from '../redis/redis.module';
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
      inject: [REDIS],
      useFactory: (redis: Redis | null) => ({
        throttlers: [
          { name: 'default', ttl: MINUTE_MS, limit: (ctx) => tenantOf(ctx).rateLimitPerMinute },
          { name: 'hour', ttl: HOUR_MS, limit: (ctx) => tenantOf(ctx).rateLimitPerHour },
        ],
        // The storage does not close a client it was handed; RedisModule owns the connection.
        storage: redis ? new ThrottlerStorageRedisService(redis) : undefined,
      }),
    }),
  ],
  providers: [TenantThrottlerGuard],
  exports: [TenantThrottlerGuard],
})
export class RateLimitModule {}
