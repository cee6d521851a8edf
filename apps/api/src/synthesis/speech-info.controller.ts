import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Auth, type RequestContext } from '../common/request-context/request-context';
import { abortOnDisconnect } from './audio-response';
import {
  DemoAudioDto,
  LanguagesDto,
  NormalizedTextDto,
  NormalizeTextDto,
} from './dto/speech-info.dto';
import { SpeechInfoService } from './speech-info.service';

@ApiTags('synthesis')
@ApiBearerAuth()
@Controller('v1')
export class SpeechInfoController {
  constructor(private readonly info: SpeechInfoService) {}

  @Get('languages')
  @ApiOperation({ summary: 'Languages the configured engine really speaks' })
  @ApiOkResponse({ type: LanguagesDto })
  languages(): LanguagesDto {
    return this.info.languages();
  }

  @Post('text/normalize')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Exactly what will be spoken for this text (numbers, currency, phone numbers, SSML, pronunciation dictionaries)',
  })
  @ApiOkResponse({ type: NormalizedTextDto })
  normalize(
    @Auth() { tenant }: RequestContext,
    @Body() dto: NormalizeTextDto,
  ): Promise<NormalizedTextDto> {
    return this.info.normalize(tenant, dto);
  }

  @Post('generate-demo-audio')
  @HttpCode(200)
  @ApiOperation({ summary: 'Fixed demo sentences in every built-in voice, as base64 WAV' })
  @ApiOkResponse({ type: [DemoAudioDto] })
  async demo(
    @Auth() auth: RequestContext,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<DemoAudioDto[]> {
    return this.info.demoAudio(auth.tenant, abortOnDisconnect(req, res).signal);
  }
}
