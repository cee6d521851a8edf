import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { type AuthenticatedKey, CurrentApiKey, CurrentTenant } from '../auth/auth.decorators';
import { abortOnDisconnect } from '../synthesis/audio-response';
import { SynthesizeDto } from '../synthesis/dto/synthesize.dto';
import { ApiSynthesisErrors } from '../synthesis/api-synthesis-errors.decorator';
import type { Tenant } from '../tenants/tenant.entity';
import { TimestampedSpeechDto } from './dto/timestamps.dto';
import { WholeSpeechService } from './whole-speech.service';
import { requestIdOf } from '../common/http/request-id';

@ApiTags('synthesis')
@ApiBearerAuth()
@Controller('v1/synthesize')
export class TimestampsController {
  constructor(private readonly speech: WholeSpeechService) {}

  @Post('with-timestamps')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Synthesize the whole text; JSON with base64 audio and per-word start/end times',
  })
  @ApiBody({ type: SynthesizeDto })
  @ApiOkResponse({ type: TimestampedSpeechDto })
  @ApiSynthesisErrors()
  withTimestamps(
    @CurrentTenant() tenant: Tenant,
    @CurrentApiKey() key: AuthenticatedKey,
    @Body() dto: SynthesizeDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TimestampedSpeechDto> {
    const abort = abortOnDisconnect(req, res);
    const requestId = requestIdOf(req);
    return this.speech.render(
      { tenant, key, requestId },
      dto,
      'synthesize/with-timestamps',
      abort.signal,
      async (speech) => ({
        audio_base64: speech.audio.toString('base64'),
        content_type: speech.contentType,
        alignment: speech.words.map((w) => ({
          word: w.word,
          start_ms: w.startMs,
          end_ms: w.endMs,
        })),
        duration_s: speech.durationMs / 1000,
      }),
    );
  }
}
