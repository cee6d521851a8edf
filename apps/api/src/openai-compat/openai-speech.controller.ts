import { Body, Controller, HttpCode, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Auth, type RequestContext } from '../common/request-context/request-context';
import { ApiAudioResponse } from '../synthesis/api-audio-response.decorator';
import { SpeechResponder } from '../synthesis/speech-responder';
import { CreateSpeechDto, SPEECH_PARAMS } from './dto/create-speech.dto';
import { OpenAiErrorBody } from './openai-error-body';
import { OpenAiErrorFilter } from './openai-error.filter';
import { toSynthesizeDto } from './openai-speech.mapper';
import { voiceTableMarkdown } from './openai-voices';

const DESCRIPTION = `A drop-in for OpenAI's text-to-speech endpoint: point an OpenAI SDK at
\`<this service>/v1\` with one of your API keys. Audio is 24 kHz mono and streamed (chunked) as it
is synthesized. \`model\` and \`instructions\` are accepted and ignored. Metered, rate-limited,
quota- and concurrency-checked exactly like \`POST /v1/synthesize/streaming\` (usage endpoint
\`audio/speech\`); the response carries the same \`X-*\` headers.

Every error, authentication and rate limits included, has OpenAI's body
\`{"error":{"message","type","param","code"}}\`; invalid requests are 400 (never 422).

OpenAI voice names map to our built-in voices by perceived gender and character:

${voiceTableMarkdown()}`;

@ApiTags('openai-compatible')
@ApiBearerAuth()
@ApiResponse({
  status: 400,
  type: OpenAiErrorBody,
  description:
    'invalid_value, missing_required_parameter, unknown_parameter, unsupported_value (opus, aac, flac, sse), empty_text',
})
@ApiResponse({
  status: 401,
  type: OpenAiErrorBody,
  description: 'missing_authorization, invalid_api_key',
})
@ApiResponse({ status: 404, type: OpenAiErrorBody, description: 'voice_not_found' })
@ApiResponse({
  status: 429,
  type: OpenAiErrorBody,
  description: 'rate_limit_exceeded, quota_exceeded, too_many_concurrent_requests',
})
@ApiResponse({ status: 503, type: OpenAiErrorBody, description: 'engine_busy (with Retry-After)' })
@UseFilters(new OpenAiErrorFilter(SPEECH_PARAMS))
@Controller('v1/audio')
export class OpenAiSpeechController {
  constructor(private readonly responder: SpeechResponder) {}

  @Post('speech')
  @HttpCode(200)
  @ApiOperation({
    summary: 'OpenAI-compatible speech (POST /v1/audio/speech)',
    description: DESCRIPTION,
  })
  @ApiBody({ type: CreateSpeechDto })
  @ApiAudioResponse('Audio, chunked as it is produced', ['audio/mpeg', 'audio/wav', 'audio/L16'])
  async speech(
    @Auth() auth: RequestContext,
    @Body() dto: CreateSpeechDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.responder.stream(auth, toSynthesizeDto(dto), req, res, 'audio/speech');
  }
}
