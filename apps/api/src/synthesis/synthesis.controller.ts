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
import { Auth, type RequestContext } from '../common/request-context/request-context';
import { ApiSynthesisErrors } from './api-synthesis-errors.decorator';
import { SynthesizeDto } from './dto/synthesize.dto';
import { SpeechResponder } from './speech-responder';

const AUDIO_TYPES = ['audio/wav', 'audio/L16', 'audio/basic', 'audio/x-alaw-basic', 'audio/mpeg'];
const AUDIO_SCHEMA = { type: 'string', format: 'binary' } as const;

@ApiTags('synthesis')
@ApiBearerAuth()
@ApiSynthesisErrors()
@Controller('v1/synthesize')
export class SynthesisController {
  constructor(private readonly responder: SpeechResponder) {}

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
  @ApiProduces(...AUDIO_TYPES)
  @ApiResponse({
    status: 200,
    description: 'Audio, chunked',
    content: Object.fromEntries(AUDIO_TYPES.map((t) => [t, { schema: AUDIO_SCHEMA }])),
  })
  async stream(
    @Auth() auth: RequestContext,
    @Body() dto: SynthesizeDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.responder.stream(auth, dto, req, res);
  }
}
