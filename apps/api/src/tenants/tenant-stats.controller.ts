import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentTenant } from '../common/request-context/request-context';
import { UsageService } from '../usage/usage.service';
import { VoicesService } from '../voices/voices.service';
import { TenantStatsDto } from './dto/tenant-stats.dto';
import type { Tenant } from './tenant.entity';

@ApiTags('tenant')
@ApiBearerAuth()
@Controller('v1/tenant')
export class TenantStatsController {
  constructor(
    private readonly voices: VoicesService,
    private readonly usage: UsageService,
  ) {}

  @Get('stats')
  @ApiOkResponse({ type: TenantStatsDto })
  async stats(@CurrentTenant() tenant: Tenant): Promise<TenantStatsDto> {
    return {
      tenant_id: tenant.tenantId,
      name: tenant.name,
      total_voices: await this.voices.countVisibleVoices(tenant.id),
      max_voices: tenant.maxVoices,
      rate_limit_per_minute: tenant.rateLimitPerMinute,
      rate_limit_per_hour: tenant.rateLimitPerHour,
      ...(await this.usage.stats(tenant)),
    };
  }
}
