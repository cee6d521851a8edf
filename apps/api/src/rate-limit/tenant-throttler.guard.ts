import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { MetricsService } from '../metrics/metrics.service';
import { RESERVES_STREAM_SLOT, type SlotReservation } from '../usage/slot-reservation';
import { SynthesisMeterService } from '../usage/synthesis-meter.service';
import type { AuthenticatedRequest } from '../common/request-context/request-context';
import { CommonErrorCode, DomainException } from '../common/errors/domain.exception';
import { HOUR_MS, tenantRateLimitKey } from './tenant-windows';

/** The 429 for a tenant over one of its windows, on HTTP routes and WebSocket upgrades alike. */
export function rateLimitExceeded(
  limit: number,
  ttlMs: number,
  blockedForS: number,
): DomainException {
  const window = ttlMs >= HOUR_MS ? 'hour' : 'minute';
  const retryAfter = Math.max(1, blockedForS);
  return new DomainException(
    CommonErrorCode.RateLimited,
    `Rate limit exceeded: ${limit} requests per ${window}. Retry in ${retryAfter} s.`,
    429,
    { headers: { 'Retry-After': String(retryAfter) } },
  );
}

type Resolvable = number | ((context: ExecutionContext) => number | Promise<number>);

function resolve(context: ExecutionContext, value: Resolvable): Promise<number> | number {
  return typeof value === 'function' ? value(context) : value;
}

/**
 * Per-tenant limits from the tenant's row, tracked by tenant (never by IP) across all routes.
 * Runs after the AuthGuard, so unauthenticated and public routes (no tenant) are skipped.
 */
@Injectable()
export class TenantThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly metrics: MetricsService,
    private readonly meters: SynthesisMeterService,
  ) {
    super(options, storage, reflector);
  }

  /**
   * Both windows are counted at once (from this replica's leases, or one round trip to Redis
   * when they need more), and on a synthesis route the concurrency slot is asked for in the same
   * tick, so any Redis commands leave in one write. Routes have no throttler overrides here:
   * every limit comes from the tenant's row.
   */
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (await this.shouldSkip(context)) return true;
    // Asked first, so its command leaves in the same write as the windows' (auto-pipelining).
    const reservation = this.reserveSlot(context);
    const getTracker = this.commonOptions.getTracker!;
    const generateKey = this.commonOptions.generateKey!;
    try {
      await Promise.all(
        this.throttlers.map(async (throttler) => {
          const limit = await resolve(context, throttler.limit);
          const ttl = await resolve(context, throttler.ttl);
          return this.handleRequest({
            context,
            limit,
            ttl,
            throttler,
            blockDuration: ttl,
            getTracker,
            generateKey,
          });
        }),
      );
    } catch (err) {
      reservation?.drop();
      throw err;
    }
    return true;
  }

  /** A concurrency slot for the synthesis this request will run, dropped if it runs none. */
  private reserveSlot(context: ExecutionContext): SlotReservation | undefined {
    const reserves = this.reflector.getAllAndOverride<boolean | undefined>(RESERVES_STREAM_SLOT, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!reserves) return undefined;
    const http = context.switchToHttp();
    const req = http.getRequest<AuthenticatedRequest>();
    const reservation = this.meters.reserveSlot(req.tenant);
    req.slotReservation = reservation;
    http.getResponse<Response>().once('close', () => reservation.drop());
    return reservation;
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    return !context.switchToHttp().getRequest<AuthenticatedRequest>().tenant;
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    return (req as unknown as AuthenticatedRequest).tenant.id;
  }

  /** One budget per tenant and window, shared by every route and every replica. */
  protected override generateKey(
    _context: ExecutionContext,
    tracker: string,
    name: string,
  ): string {
    return tenantRateLimitKey(name, tracker);
  }

  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const tenant = context.switchToHttp().getRequest<AuthenticatedRequest>().tenant;
    this.metrics.reject('rate_limit', tenant.tenantId);
    throw rateLimitExceeded(detail.limit, detail.ttl, detail.timeToBlockExpire);
  }
}
