import { Module } from '@nestjs/common';
import { ExecutionContext } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import type Redis from 'ioredis';
import type { AuthenticatedRequest } from '../common/request-context/request-context';
import { RedisFallback } from '../redis/redis-fallback';
import { REDIS } from '../redis/redis.module';
import { UsageModule } from '../usage/usage.module';
import { FailOpenThrottlerStorage } from './fail-open-throttler.storage';
import { TenantThrottlerGuard } from './tenant-throttler.guard';
import { TENANT_WINDOWS } from './tenant-windows';

const tenantOf = (ctx: ExecutionContext) =>
  ctx.switchToHttp().getRequest<AuthenticatedRequest>().tenant;

/**
 * Two windows per tenant. The minute window is the throttler named `default`, so its headers are
 * the plain `X-RateLimit-Limit/Remaining/Reset`; the hour window adds `X-RateLimit-*-hour`.
 * Storage is in memory, or Redis when REDIS_URL is set so replicas share one budget (each
 * replica counting on its own while Redis is unreachable).
 */
@Module({
  imports: [
    UsageModule,
    ThrottlerModule.forRootAsync({
      inject: [REDIS, RedisFallback],
      useFactory: (redis: Redis | null, fallback: RedisFallback) => ({
        throttlers: TENANT_WINDOWS.map(({ name, ttlMs, limitOf }) => ({
          name,
          ttl: ttlMs,
          limit: (ctx: ExecutionContext) => limitOf(tenantOf(ctx)),
        })),
        storage: redis ? new FailOpenThrottlerStorage(redis, fallback) : undefined,
      }),
    }),
  ],
  providers: [TenantThrottlerGuard],
  exports: [TenantThrottlerGuard],
})
export class RateLimitModule {}
