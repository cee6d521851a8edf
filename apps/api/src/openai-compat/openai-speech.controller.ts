import { Body, Controller, HttpCode, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Auth, type RequestContext } from '../common/request-context/request-context';
import { ApiAudioResponse } from '../synthesis/api-audio-response.decorator';
import { SpeechResponder } from '../synthesis/speech-responder';
import { CreateSpeechDto, SPEECH_PARAMS } from './dto/create-speech.dto';
import { OpenAiErrorBody } from './openai-error-body';
import { OpenAiErrorFilter } from './openai-error.filter';
import { OpenAiSseResponder } from './openai-sse';
import {
  ApiNigerianLexiconQuery,
  NigerianLexiconQuery,
} from '../pronunciation/nigerian-lexicon-query';
import { toSynthesizeDto } from './openai-speech.mapper';
import { voiceTableMarkdown } from './openai-voices';
import { OpenAiVoicesService } from './openai-voices.service';
import { ReservesStreamSlot } from '../usage/slot-reservation';

const DESCRIPTION = `A drop-in for OpenAI's text-to-speech endpoint: point an OpenAI SDK at
\`<this service>/v1\` with one of your API keys. Audio is 24 kHz mono and streamed (chunked) as it
is synthesized. \`model\` (any value) and \`instructions\` are accepted and ignored.
\`stream_format: "sse"\` answers OpenAI's server-sent events instead: \`speech.audio.delta\`
(\`audio\`: base64 of the next bytes) as the audio is produced, then \`speech.audio.done\` with
\`usage\` (characters spoken as \`input_tokens\`; we count no tokens). Metered, rate-limited,
quota- and concurrency-checked exactly like \`POST /v1/synthesize/streaming\` (usage endpoint
\`audio/speech\`); the response carries the same \`X-*\` headers.

Every error, authentication and rate limits included, has OpenAI's body
\`{"error":{"message","type","param","code"}}\`; invalid requests are 400 (never 422).

OpenAI voice names map to our built-in voices by perceived gender and character, unless you
chose another of your voices for a name (\`PUT /v1/openai-compat/voices\`):

${voiceTableMarkdown()}`;

@ApiTags('openai-compatible')
@ApiBearerAuth()
@ApiResponse({
  status: 400,
  type: OpenAiErrorBody,
  description:
    'invalid_value, missing_required_parameter, unknown_parameter, unsupported_value (opus, aac, flac), empty_text',
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
  constructor(
    private readonly responder: SpeechResponder,
    private readonly sse: OpenAiSseResponder,
    private readonly voices: OpenAiVoicesService,
  ) {}

  @Post('speech')
  @ReservesStreamSlot()
  @HttpCode(200)
  @ApiOperation({
    summary: 'OpenAI-compatible speech (POST /v1/audio/speech)',
    description: DESCRIPTION,
  })
  @ApiBody({ type: CreateSpeechDto })
  @ApiNigerianLexiconQuery()
  @ApiAudioResponse('Audio, chunked as it is produced (or server-sent events, see above)', [
    'audio/mpeg',
    'audio/wav',
    'audio/L16',
    'text/event-stream',
  ])
  async speech(
    @Auth() auth: RequestContext,
    @Body() dto: CreateSpeechDto,
    @NigerianLexiconQuery() lexicon: boolean | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    // Format mistakes first, before the tenant's voice table is read.
    const request = toSynthesizeDto(dto, 'default');
    request.voice_id = await this.voices.resolveVoiceId(auth.tenant.id, dto.voice);
    request.nigerian_lexicon = lexicon;
    if (dto.stream_format === 'sse') {
      await this.sse.stream(auth, request, req, res, 'audio/speech');
    } else {
      await this.responder.stream(auth, request, req, res, 'audio/speech');
    }
  }
}
