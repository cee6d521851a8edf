import { Body, Controller, HttpCode, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { createValidationPipe } from '../common/http/validation.pipe';
import { Auth, type RequestContext } from '../common/request-context/request-context';
import { ApiAudioResponse } from '../synthesis/api-audio-response.decorator';
import { abortOnDisconnect, streamAudio } from '../synthesis/audio-response';
import { SynthesisRunner } from '../synthesis/synthesis-runner';
import { ApiKeyFrom } from '../auth/credentials';
import { cartesiaApiKey } from './cartesia-api-key';
import { CartesiaErrorBody } from './cartesia-error-body';
import { CartesiaErrorFilter } from './cartesia-error.filter';
import {
  ApiNigerianLexiconQuery,
  NigerianLexiconQuery,
} from '../pronunciation/nigerian-lexicon-query';
import { CartesiaOutput, toSynthesizeDto } from './cartesia-output';
import { sendSse } from './cartesia-sse';
import { cartesiaVoiceTableMarkdown } from './cartesia-voices';
import { CartesiaTtsRequestDto } from './dto/cartesia-tts-request.dto';
import { ReservesStreamSlot } from '../usage/slot-reservation';

export const CARTESIA_ENDPOINTS = {
  bytes: 'cartesia/tts/bytes',
  sse: 'cartesia/tts/sse',
  websocket: 'cartesia/tts/websocket',
} as const;

/** Unknown fields are ignored here, as real Cartesia clients send fields we do not define. */
const CartesiaBody = () =>
  Body(createValidationPipe({ ignoreUnknownFields: true, expectedType: CartesiaTtsRequestDto }));

const DESCRIPTION = `A drop-in for Cartesia's TTS API: point a Cartesia client (SDK, LiveKit
Agents, Pipecat) at this service's root URL with one of your API keys (\`X-API-Key\`,
\`Authorization: Bearer\` or \`?api_key=\`). \`Cartesia-Version\` is accepted with any value.
\`model_id\` is ignored; the requested \`sample_rate\` is honoured exactly. Metered, rate-limited,
quota- and concurrency-checked like our own streaming route. Errors have Cartesia's body
\`{"error_code","title","message","request_id"}\`; invalid requests are 400.

Cartesia voice ids that clients use by default map to our built-in voices:

${cartesiaVoiceTableMarkdown()}`;

@ApiTags('cartesia-compatible')
@ApiBearerAuth()
@ApiResponse({ status: 400, type: CartesiaErrorBody, description: 'validation_failed, empty_text' })
@ApiResponse({ status: 401, type: CartesiaErrorBody, description: 'invalid_api_key' })
@ApiResponse({ status: 404, type: CartesiaErrorBody, description: 'voice_not_found' })
@ApiResponse({ status: 429, type: CartesiaErrorBody, description: 'rate or concurrency limit' })
@ApiResponse({ status: 503, type: CartesiaErrorBody, description: 'engine_busy (Retry-After)' })
@ApiKeyFrom(cartesiaApiKey)
@UseFilters(new CartesiaErrorFilter())
@ReservesStreamSlot()
@Controller('tts')
export class CartesiaTtsController {
  constructor(private readonly runner: SynthesisRunner) {}

  @Post('bytes')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cartesia-compatible audio bytes (POST /tts/bytes)',
    description: DESCRIPTION,
  })
  @ApiBody({ type: CartesiaTtsRequestDto })
  @ApiNigerianLexiconQuery()
  @ApiAudioResponse('Audio, chunked as it is produced', [
    'application/octet-stream',
    'audio/wav',
    'audio/mpeg',
  ])
  async bytes(
    @Auth() auth: RequestContext,
    @CartesiaBody() body: CartesiaTtsRequest,
    @NigerianLexiconQuery() lexicon: boolean | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const output = new CartesiaOutput(body.output_format);
    const shaper = output.shaper();
    const abort = abortOnDisconnect(req, res);
    await this.runner.stream(
      auth,
      { ...toSynthesizeDto(body, output), nigerian_lexicon: lexicon },
      CARTESIA_ENDPOINTS.bytes,
      abort.signal,
      (audio, spoken) =>
        streamAudio(
          res,
          shaped(audio, (chunk) => shaper.shape(chunk)),
          () => {
            const { profile, engineId } = spoken();
            return {
              'Content-Type': output.contentType,
              'Cache-Control': 'no-store',
              'X-Voice-ID': profile.voice.voiceId,
              'X-TTS-Method': engineId,
              'X-Audio-Sample-Rate': String(profile.sampleRate),
            };
          },
          abort.signal,
        ),
    );
  }

  @Post('sse')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cartesia-compatible server-sent events (POST /tts/sse)',
    description:
      'Events `chunk` (base64 audio), `timestamps` (with add_timestamps, seconds), `done`, ' +
      '`error`, each `data:` a JSON object with every field Cartesia sends.',
  })
  @ApiBody({ type: CartesiaTtsRequestDto })
  @ApiNigerianLexiconQuery()
  async sse(
    @Auth() auth: RequestContext,
    @CartesiaBody() body: CartesiaTtsRequest,
    @NigerianLexiconQuery() lexicon: boolean | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const output = new CartesiaOutput(body.output_format);
    const abort = abortOnDisconnect(req, res);
    const stream = {
      contextId: body.context_id ?? randomUUID(),
      requestId: auth.requestId,
      shaper: output.shaper(),
      timestamps: body.add_timestamps === true,
    };
    await this.runner.streamEvents(
      auth,
      { ...toSynthesizeDto(body, output), nigerian_lexicon: lexicon },
      CARTESIA_ENDPOINTS.sse,
      abort.signal,
      (events) => sendSse(res, events, stream, abort.signal),
    );
  }
}

/**
 * The body as validated by `CartesiaBody`. Declared as a type, not the DTO class, so the global
 * pipe (which refuses unknown fields) leaves it to the route's own pipe.
 */
type CartesiaTtsRequest = Omit<CartesiaTtsRequestDto, never>;

async function* shaped(
  audio: AsyncIterator<Buffer>,
  shape: (chunk: Buffer) => Buffer,
): AsyncGenerator<Buffer> {
  try {
    for (let next = await audio.next(); !next.done; next = await audio.next()) {
      yield shape(next.value);
    }
  } finally {
    await audio.return?.();
  }
}
