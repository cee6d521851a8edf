import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, type RequestContext } from '../common/request-context/request-context';
import { UsageQueryDto } from './dto/usage-query.dto';
import { monthStart, UsageService } from './usage.service';

@ApiTags('usage')
@ApiBearerAuth()
@Controller('v1/usage')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @Get()
  @ApiOperation({
    summary: 'Usage series: requests, characters and audio seconds per day, voice or key',
  })
  @ApiOkResponse({
    schema: {
      example: {
        from: '2026-11-01T00:00:00.000Z',
        to: '2026-12-01T00:00:00.000Z',
        group_by: 'day',
        series: [{ key: '2026-11-26', requests: 12, characters: 840, audio_seconds: 61.2 }],
      },
    },
  })
  series(@Auth() auth: RequestContext, @Query() query: UsageQueryDto) {
    const from = query.from ? new Date(query.from) : monthStart();
    const to = query.to ? new Date(query.to) : new Date();
    return this.usage.series(auth.tenant, from, to, query.group_by ?? 'day');
  }
}
