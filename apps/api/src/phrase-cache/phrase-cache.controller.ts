import { Controller, Delete, HttpCode } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../common/request-context/request-context';
import { PhraseCacheService } from './phrase-cache.service';

@ApiTags('admin')
@AdminOnly()
@Controller('v1/admin/phrase-cache')
export class PhraseCacheController {
  constructor(private readonly cache: PhraseCacheService) {}

  @Delete()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Forget every cached phrase: this replica’s memory and the shared Redis cache',
  })
  @ApiOkResponse({ schema: { example: { flushed: true, entries_dropped_here: 12 } } })
  async flush(): Promise<{ flushed: true; entries_dropped_here: number }> {
    return { flushed: true, entries_dropped_here: await this.cache.flush() };
  }
}
