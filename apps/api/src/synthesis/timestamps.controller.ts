import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Auth, type RequestContext } from '../common/request-context/request-context';
import { ApiSynthesisErrors } from './api-synthesis-errors.decorator';
import { SynthesizeDto } from './dto/synthesize.dto';
import { TimestampedSpeechDto } from './dto/timestamps.dto';
import { SpeechResponder } from './speech-responder';

@ApiTags('synthesis')
@ApiBearerAuth()
@Controller('v1/synthesize')
export class TimestampsController {
  constructor(private readonly responder: SpeechResponder) {}

  @Post('with-timestamps')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Synthesize the whole text; JSON with base64 audio and per-word start/end times',
  })
  @ApiBody({ type: SynthesizeDto })
  @ApiOkResponse({ type: TimestampedSpeechDto })
  @ApiSynthesisErrors()
  withTimestamps(
    @Auth() auth: RequestContext,
    @Body() dto: SynthesizeDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.responder.withTimestamps(auth, dto, req, res);
  }
}
