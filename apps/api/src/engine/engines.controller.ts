import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { EngineRegistry } from '@cw/engines';
import { EngineDto } from './engine.dto';

/** The configured engines, their state and voices; no URLs or keys. */
@ApiTags('engines')
@ApiBearerAuth()
@Controller('v1/engines')
export class EnginesController {
  constructor(@Inject(EngineRegistry) private readonly registry: EngineRegistry) {}

  @Get()
  @ApiOkResponse({ type: [EngineDto] })
  list(): { engines: EngineDto[] } {
    return { engines: this.registry.status().map(EngineDto.from) };
  }
}
