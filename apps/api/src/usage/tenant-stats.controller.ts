import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, type RequestContext } from '../common/request-context/request-context';
import { TenantStatsDto } from './dto/tenant-stats.dto';
import { TenantStatsService } from './tenant-stats.service';

@ApiTags('tenant')
@ApiBearerAuth()
@Controller('v1/tenant')
export class TenantStatsController {
  constructor(private readonly tenantStats: TenantStatsService) {}

  @Get('stats')
  @ApiOkResponse({ type: TenantStatsDto })
  stats(@Auth() auth: RequestContext): Promise<TenantStatsDto> {
    return this.tenantStats.stats(auth.tenant);
  }
}
