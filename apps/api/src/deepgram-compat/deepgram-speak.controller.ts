import { Controller, HttpCode, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import {
  ApiBody,
  ApiOperation,
  ApiQuery,
  ApiResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiKeyFrom, authorizationSchemes } from '../auth/credentials';
import { Auth, type RequestContext } from '../common/request-context/request-context';
import { ApiAudioResponse } from '../synthesis/api-audio-response.decorator';
import { DeepgramErrorBody, DeepgramErrorFilter } from './deepgram-error';
import { type QueryValues } from './deepgram-speak.mapper';
import { DeepgramSpeaker } from './deepgram-speaker';
import { deepgramVoiceTableMarkdown } from './deepgram-voices';
import { ReservesStreamSlot } from '../usage/slot-reservation';

/** Deepgram's `Authorization: Token <key>`, and `Bearer` as its newer clients send. */
export const DEEPGRAM_CREDENTIALS = authorizationSchemes('Token', 'Bearer');

const DESCRIPTION = `A drop-in for Deepgram's text-to-speech REST endpoint: point a Deepgram SDK,
LiveKit's or Pipecat's Deepgram plugin at this service with one of your API keys
(\`Authorization: Token <key>\`, or \`Bearer\`). The body is \`{"text": "..."}\`; other fields are
ignored. The audio is streamed as it is synthesized. Metered, rate-limited, quota- and
concurrency-checked like \`POST /v1/synthesize/streaming\` (usage endpoint \`deepgram/speak\`).

\`model\` names the voice: one of our voice ids (\`model=naija_female\`, your \`v_...\` voices), or
a Deepgram English Aura voice mapped to ours:

${deepgramVoiceTableMarkdown()}

Encodings: \`linear16\` (8000, 16000, 22050, 24000 default, 44100 Hz), \`mulaw\` and \`alaw\`
(8000 Hz), \`mp3\` (22050 Hz, the default encoding). Containers: \`wav\` (the default for
linear16, mulaw, alaw) or \`none\`. opus, flac, aac, 32/48 kHz and \`callback\` answer 400.
Errors have Deepgram's body \`{"err_code","err_msg","request_id"}\`.`;

@ApiTags('deepgram-compatible')
@ApiSecurity('bearer')
@ApiKeyFrom(DEEPGRAM_CREDENTIALS)
@UseFilters(new DeepgramErrorFilter())
@ApiResponse({
  status: 400,
  type: DeepgramErrorBody,
  description: 'unsupported_value, invalid_value, empty_text',
})
@ApiResponse({
  status: 401,
  type: DeepgramErrorBody,
  description: 'missing_authorization, invalid_api_key',
})
@ApiResponse({ status: 404, type: DeepgramErrorBody, description: 'voice_not_found' })
@ApiResponse({
  status: 429,
  type: DeepgramErrorBody,
  description: 'rate_limit_exceeded, quota_exceeded, too_many_concurrent_requests',
})
@ApiResponse({
  status: 503,
  type: DeepgramErrorBody,
  description: 'engine_busy (with Retry-After)',
})
@Controller('v1')
export class DeepgramSpeakController {
  constructor(private readonly speaker: DeepgramSpeaker) {}

  @Post('speak')
  @ReservesStreamSlot()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Deepgram-compatible speech (POST /v1/speak)',
    description: DESCRIPTION,
  })
  @ApiQuery({ name: 'model', required: false, example: 'aura-2-thalia-en' })
  @ApiQuery({ name: 'encoding', required: false, enum: ['linear16', 'mulaw', 'alaw', 'mp3'] })
  @ApiQuery({ name: 'sample_rate', required: false, example: 24000 })
  @ApiQuery({ name: 'container', required: false, enum: ['wav', 'none'] })
  @ApiBody({
    schema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  })
  @ApiAudioResponse('Audio, chunked as it is produced', [
    'audio/mpeg',
    'audio/wav',
    'audio/L16',
    'audio/basic',
  ])
  speak(
    @Auth() auth: RequestContext,
    // Plain objects: the global ValidationPipe leaves them alone, so the unknown fields Deepgram
    // clients send are ignored rather than refused; the mapper checks what we use.
    @Query() query: QueryValues,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.speaker.speak(auth, query, req.body as unknown, req, res);
  }
}
