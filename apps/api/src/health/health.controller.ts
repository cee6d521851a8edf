import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/request-context/request-context';
import { HealthDto } from './health.dto';
import { HealthService } from './health.service';
import { ReadinessIndicators } from './readiness.service';

@ApiTags('health')
@Public()
@Controller('v1/health')
export class HealthController {
  constructor(
    private readonly health: HealthService,
    private readonly checks: HealthCheckService,
    private readonly readiness: ReadinessIndicators,
  ) {}

  @Get()
  @ApiOkResponse({ type: HealthDto, description: 'Database up' })
  @ApiServiceUnavailableResponse({ type: HealthDto, description: 'Database down' })
  async get(@Res({ passthrough: true }) res: Response): Promise<HealthDto> {
    const report = await this.health.report();
    if (report.status === 'unhealthy') res.status(503);
    return report;
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process is up (no dependencies checked)' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: database, Redis when configured, and the engine' })
  async ready(@Res({ passthrough: true }) res: Response): Promise<unknown> {
    try {
      return await this.checks.check(this.readiness.all());
    } catch (err) {
      // Terminus reports a failed check as a 503 carrying the per-indicator details: keep them.
      if (err instanceof ServiceUnavailableException) {
        res.status(503);
        return err.getResponse();
      }
      throw err;
    }
  }
}
