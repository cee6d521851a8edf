import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Auth, type RequestContext } from '../common/request-context/request-context';
import { ReservesStreamSlot } from '../usage/slot-reservation';
import { ApiAudioResponse } from './api-audio-response.decorator';
import { ApiSynthesisErrors } from './api-synthesis-errors.decorator';
import { SynthesizeDto } from './dto/synthesize.dto';
import { SpeechResponder } from './speech-responder';

@ApiTags('synthesis')
@ApiBearerAuth()
@ApiSynthesisErrors()
@ReservesStreamSlot()
@Controller('v1/synthesize')
export class SynthesisController {
  constructor(private readonly responder: SpeechResponder) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Synthesize the whole text; one complete audio file with Content-Length',
  })
  @ApiBody({ type: SynthesizeDto })
  @ApiAudioResponse('Audio')
  async synthesize(
    @Auth() auth: RequestContext,
    @Body() dto: SynthesizeDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.responder.whole(auth, dto, req, res);
  }

  @Post('streaming')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Stream audio as it is synthesized (chunked); WAV gets a header with 0xFFFFFFFF sizes',
  })
  @ApiBody({ type: SynthesizeDto })
  @ApiAudioResponse('Audio, chunked')
  async stream(
    @Auth() auth: RequestContext,
    @Body() dto: SynthesizeDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.responder.stream(auth, dto, req, res);
  }
}
