import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentTenant } from '../auth/auth.decorators';
import type { Tenant } from '../tenants/tenant.entity';
import { TenantStatsDto } from './dto/tenant-stats.dto';
import { TenantStatsService } from './tenant-stats.service';

@ApiTags('tenant')
@ApiBearerAuth()
@Controller('v1/tenant')
export class TenantStatsController {
  constructor(private readonly tenantStats: TenantStatsService) {}

  @Get('stats')
  @ApiOkResponse({ type: TenantStatsDto })
  stats(@CurrentTenant() tenant: Tenant): Promise<TenantStatsDto> {
    return this.tenantStats.stats(tenant);
  }
}
