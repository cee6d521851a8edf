import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOperation,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentTenant } from '../auth/auth.decorators';
import { ErrorBody } from '../common/errors/error-body';
import type { Tenant } from '../tenants/tenant.entity';
import { abortOnDisconnect, streamAudio } from './audio-response';
import { SynthesizeDto } from './dto/synthesize.dto';
import { SynthesisJob, SynthesisService } from './synthesis.service';

const AUDIO_TYPES = ['audio/wav', 'audio/L16', 'audio/basic', 'audio/x-alaw-basic', 'audio/mpeg'];
const AUDIO_SCHEMA = { type: 'string', format: 'binary' } as const;

@ApiTags('synthesis')
@ApiBearerAuth()
@ApiResponse({
  status: 400,
  type: ErrorBody,
  description: 'empty_text, invalid_ssml, invalid_json',
})
@ApiResponse({ status: 404, type: ErrorBody, description: 'voice_not_found' })
@ApiResponse({
  status: 422,
  type: ErrorBody,
  description: 'validation_failed, unsupported_sample_rate',
})
@ApiResponse({ status: 429, type: ErrorBody, description: 'rate_limit_exceeded' })
@ApiResponse({ status: 503, type: ErrorBody, description: 'engine_busy (with Retry-After)' })
@Controller('v1/synthesize')
export class SynthesisController {
  constructor(private readonly synthesis: SynthesisService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Synthesize the whole text; one complete audio file with Content-Length',
  })
  @ApiBody({ type: SynthesizeDto })
  @ApiProduces(...AUDIO_TYPES)
  @ApiResponse({
    status: 200,
    description: 'Audio',
    content: Object.fromEntries(AUDIO_TYPES.map((t) => [t, { schema: AUDIO_SCHEMA }])),
  })
  async synthesize(
    @CurrentTenant() tenant: Tenant,
    @Body() dto: SynthesizeDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const job = await this.synthesis.prepare(tenant, dto);
    const abort = abortOnDisconnect(req, res);
    const audio = await this.synthesis.renderComplete(job, abort.signal);
    res.status(200).set(this.headers(job, false));
    res.setHeader('Content-Length', String(audio.length));
    res.setHeader(
      'X-Audio-Duration-Ms',
      String(Math.round(((job.samplesOut ?? 0) * 1000) / job.sampleRate)),
    );
    res.end(audio);
  }

  @Post('streaming')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Stream audio as it is synthesized (chunked); WAV gets a header with 0xFFFFFFFF sizes',
  })
  @ApiBody({ type: SynthesizeDto })
  @ApiProduces(...AUDIO_TYPES)
  @ApiResponse({
    status: 200,
    description: 'Audio, chunked',
    content: Object.fromEntries(AUDIO_TYPES.map((t) => [t, { schema: AUDIO_SCHEMA }])),
  })
  async stream(
    @CurrentTenant() tenant: Tenant,
    @Body() dto: SynthesizeDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const job = await this.synthesis.prepare(tenant, dto);
    const abort = abortOnDisconnect(req, res);
    const chunks = this.synthesis.render(job, abort.signal);
    await streamAudio(res, chunks, this.headers(job, true), abort.signal);
  }

  private headers(job: SynthesisJob, streaming: boolean): Record<string, string> {
    return {
      'Content-Type': this.synthesis.contentType(job),
      'Cache-Control': 'no-store',
      'X-Voice-ID': job.voice.voiceId,
      'X-Tenant-ID': job.tenant.tenantId,
      'X-TTS-Method': this.synthesis.engineId,
      'X-Audio-Sample-Rate': String(job.sampleRate),
      ...(streaming ? { 'X-Streaming': 'true' } : {}),
    };
  }
}
