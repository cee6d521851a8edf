import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Tenant } from '../tenants/tenant.entity';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/** One of a tenant's rate-limit windows, its limit read from the tenant's row. */
export interface TenantWindow {
  /** The minute window is the throttler named `default`: its headers are the plain ones. */
  name: 'default' | 'hour';
  ttlMs: number;
  limitOf: (tenant: Tenant) => number;
}

/** Every request counts in both, on HTTP routes and WebSocket upgrades alike. */
export const TENANT_WINDOWS: readonly TenantWindow[] = [
  { name: 'default', ttlMs: MINUTE_MS, limitOf: (tenant) => tenant.rateLimitPerMinute },
  { name: 'hour', ttlMs: HOUR_MS, limitOf: (tenant) => tenant.rateLimitPerHour },
];

/** The storage key of one tenant's window; anything else counting requests must use it. */
export function tenantRateLimitKey(name: string, tenantUuid: string): string {
  return `cw:rl:${name}:${tenantUuid}`;
}

/** A window the request was over: its limit and length, and seconds until it lets calls in. */
export interface WindowExceeded {
  limit: number;
  ttlMs: number;
  blockedForS: number;
}

/**
 * Counts one request of `tenant` in every window at once (at most one round trip to Redis, not
 * one per window); the first window it is over, if any. For callers outside the HTTP guard
 * (WebSocket upgrades), which shares the keys, so HTTP and WebSocket requests draw on one budget.
 */
export async function countTenantRequest(
  storage: ThrottlerStorage,
  tenant: Tenant,
): Promise<WindowExceeded | undefined> {
  const records = await Promise.all(
    TENANT_WINDOWS.map(({ name, ttlMs, limitOf }) =>
      storage.increment(tenantRateLimitKey(name, tenant.id), ttlMs, limitOf(tenant), ttlMs, name),
    ),
  );
  const over = records.findIndex((record) => record.isBlocked);
  if (over < 0) return undefined;
  const { ttlMs, limitOf } = TENANT_WINDOWS[over];
  return { limit: limitOf(tenant), ttlMs, blockedForS: records[over].timeToBlockExpire };
}
