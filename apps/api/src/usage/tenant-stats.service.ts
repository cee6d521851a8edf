import { Injectable } from '@nestjs/common';
import type { Tenant } from '../tenants/tenant.entity';
import { VoicesService } from '../voices/voices.service';
import type { TenantStatsDto } from './dto/tenant-stats.dto';
import { UsageService } from './usage.service';

/** The tenant's limits beside what it has used: voices from Voices, totals from Usage. */
@Injectable()
export class TenantStatsService {
  constructor(
    private readonly voices: VoicesService,
    private readonly usage: UsageService,
  ) {}

  async stats(tenant: Tenant): Promise<TenantStatsDto> {
    const voices = await this.voices.countVisibleVoices(tenant.id);
    return {
      tenant_id: tenant.tenantId,
      name: tenant.name,
      total_voices: voices.builtin + voices.uploaded,
      builtin_voices: voices.builtin,
      uploaded_voices: voices.uploaded,
      max_voices: tenant.maxVoices,
      rate_limit_per_minute: tenant.rateLimitPerMinute,
      rate_limit_per_hour: tenant.rateLimitPerHour,
      ...(await this.usage.stats(tenant)),
    };
  }
}
