import { Injectable } from '@nestjs/common';
import type { Tenant } from '../tenants/tenant.entity';
import { UsageRecorder } from './usage.recorder';
import { type UsageGroup, UsageRepository, type UsageTotals } from './usage.repository';
import { UsageErrorCode, UsageException } from './usage.exception';

export function monthStart(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}
export function dayStart(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}
function nextMonthStart(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
}

@Injectable()
export class UsageService {
  constructor(
    private readonly usage: UsageRepository,
    private readonly recorder: UsageRecorder,
  ) {}

  /** Written and still-buffered usage since `since` (UTC). */
  async totalsSince(tenantUuid: string, since: Date): Promise<UsageTotals> {
    const stored = await this.usage.totalsSince(tenantUuid, since);
    for (const e of this.recorder.pending(tenantUuid, since)) {
      stored.requests += 1;
      stored.characters += e.characters;
      stored.audioMs += e.audioMs;
    }
    return stored;
  }

  /**
   * Refuses before any synthesis once the tenant's monthly audio seconds are used up;
   * `inFlightMs` is audio already sent by a session whose usage row is not written yet.
   */
  async assertQuota(tenant: Tenant, inFlightMs = 0): Promise<void> {
    const quota = tenant.monthlyQuotaSeconds;
    if (quota === null) return;
    const used = ((await this.totalsSince(tenant.id, monthStart())).audioMs + inFlightMs) / 1000;
    if (used >= quota) {
      const resets = nextMonthStart();
      throw new UsageException(
        UsageErrorCode.QuotaExceeded,
        `Monthly audio quota of ${quota} seconds is used up (${used.toFixed(1)} s); it resets on ${resets.toISOString().slice(0, 10)}`,
        {
          headers: { 'Retry-After': String(Math.ceil((resets.getTime() - Date.now()) / 1000)) },
          extra: { monthly_quota_seconds: quota, used_seconds: Math.round(used * 10) / 10 },
        },
      );
    }
  }

  async stats(tenant: Tenant) {
    const [today, month] = await Promise.all([
      this.totalsSince(tenant.id, dayStart()),
      this.totalsSince(tenant.id, monthStart()),
    ]);
    const view = (t: UsageTotals) => ({
      requests: t.requests,
      characters: t.characters,
      audio_seconds: Math.round(t.audioMs) / 1000,
    });
    const used = Math.round(month.audioMs) / 1000;
    const quota = tenant.monthlyQuotaSeconds;
    return {
      usage: { today: view(today), month: view(month) },
      quota: {
        monthly_quota_seconds: quota,
        used_seconds: used,
        remaining_seconds:
          quota === null ? null : Math.max(0, Math.round((quota - used) * 1000) / 1000),
      },
    };
  }

  async series(tenant: Tenant, from: Date, to: Date, groupBy: UsageGroup) {
    if (!(from < to))
      throw new UsageException(UsageErrorCode.InvalidRange, '`from` must be before `to`');
    const rows = await this.usage.series(tenant.id, from, to, groupBy);
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      group_by: groupBy,
      series: rows.map((r) => ({
        key: r.key,
        requests: r.requests,
        characters: r.characters,
        audio_seconds: r.audioMs / 1000,
      })),
    };
  }
}
