import {
  Body,
  Controller,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import {
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiKeyFrom } from '../auth/credentials';
import { createValidationPipe } from '../common/http/validation.pipe';
import { Auth, type RequestContext } from '../common/request-context/request-context';
import { ElevenLabsTextToSpeechDto } from './dto/text-to-speech.dto';
import { elevenLabsApiKey, XI_API_KEY } from './elevenlabs-api-key';
import { ElevenLabsErrorBody } from './elevenlabs-error-body';
import { ElevenLabsErrorFilter } from './elevenlabs-error.filter';
import { DEFAULT_OUTPUT_FORMAT, SUPPORTED_OUTPUT_FORMATS } from './elevenlabs-output-format';
import { toSynthesizeDto } from './elevenlabs-speech.mapper';
import { ElevenLabsSpeechResponder } from './elevenlabs-speech.responder';
import { voiceTableMarkdown } from './elevenlabs-voices';
import {
  ApiNigerianLexiconQuery,
  NigerianLexiconQuery,
} from '../pronunciation/nigerian-lexicon-query';
import { ReservesStreamSlot } from '../usage/slot-reservation';

const DESCRIPTION = `A drop-in for ElevenLabs' text-to-speech: point an ElevenLabs client at
\`<this service>/elevenlabs\` (or \`/elevenlabs/v1\`) with one of your API keys as \`xi-api-key\`.
Only \`text\`, \`language_code\`, \`voice_settings.speed\` and \`pronunciation_dictionary_locators\`
(our dictionaries) are used; every other field is accepted and ignored. Errors have ElevenLabs' body \`{"detail":{"status","message"}}\`, \`status\` being our
error code. The voice is one of ours, or an ElevenLabs premade voice id or name:

${voiceTableMarkdown()}`;

/**
 * Unknown fields are ignored here, as real ElevenLabs clients send fields we do not define. The
 * parameter's declared type is generic (no class), so the global pipe, which refuses unknown
 * fields, leaves it to this one.
 */
const ElevenLabsBody = () =>
  Body(
    createValidationPipe({ ignoreUnknownFields: true, expectedType: ElevenLabsTextToSpeechDto }),
  );
type TtsBody = Readonly<ElevenLabsTextToSpeechDto>;

const OutputFormatQuery = () =>
  ApiQuery({
    name: 'output_format',
    required: false,
    enum: SUPPORTED_OUTPUT_FORMATS,
    description: `Default ${DEFAULT_OUTPUT_FORMAT}. MP3 uses our bitrate for the rate; opus answers 400.`,
  });

@ApiTags('elevenlabs-compatible')
@ApiSecurity(XI_API_KEY)
@ApiResponse({
  status: 400,
  type: ElevenLabsErrorBody,
  description: 'unsupported_output_format, empty_text',
})
@ApiResponse({
  status: 401,
  type: ElevenLabsErrorBody,
  description: 'missing_authorization, invalid_api_key',
})
@ApiResponse({ status: 404, type: ElevenLabsErrorBody, description: 'voice_not_found' })
@ApiResponse({ status: 422, type: ElevenLabsErrorBody, description: 'validation_failed' })
@ApiResponse({
  status: 429,
  type: ElevenLabsErrorBody,
  description: 'rate, quota or concurrency limit',
})
@ApiResponse({
  status: 503,
  type: ElevenLabsErrorBody,
  description: 'engine_busy (with Retry-After)',
})
@ApiKeyFrom(elevenLabsApiKey)
@UseFilters(new ElevenLabsErrorFilter())
@ReservesStreamSlot()
@Controller('elevenlabs/v1/text-to-speech')
export class ElevenLabsTtsController {
  constructor(private readonly responder: ElevenLabsSpeechResponder) {}

  @Post(':voice_id')
  @HttpCode(200)
  @ApiOperation({
    summary: 'ElevenLabs-compatible speech, the whole file',
    description: DESCRIPTION,
  })
  @ApiBody({ type: ElevenLabsTextToSpeechDto })
  @OutputFormatQuery()
  @ApiNigerianLexiconQuery()
  @ApiOkResponse({ description: 'Audio (audio/mpeg, audio/L16, audio/basic, ...)' })
  speech(
    @Auth() auth: RequestContext,
    @Param('voice_id') voiceId: string,
    @ElevenLabsBody() body: TtsBody,
    @Query('output_format') outputFormat: string | undefined,
    @NigerianLexiconQuery() lexicon: boolean | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.responder.whole(
      auth,
      toSynthesizeDto(voiceId, body, outputFormat, lexicon),
      req,
      res,
    );
  }

  @Post(':voice_id/stream')
  @HttpCode(200)
  @ApiOperation({ summary: 'ElevenLabs-compatible speech, streamed as it is produced' })
  @ApiBody({ type: ElevenLabsTextToSpeechDto })
  @OutputFormatQuery()
  @ApiNigerianLexiconQuery()
  @ApiOkResponse({ description: 'Audio, chunked' })
  stream(
    @Auth() auth: RequestContext,
    @Param('voice_id') voiceId: string,
    @ElevenLabsBody() body: TtsBody,
    @Query('output_format') outputFormat: string | undefined,
    @NigerianLexiconQuery() lexicon: boolean | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.responder.stream(
      auth,
      toSynthesizeDto(voiceId, body, outputFormat, lexicon),
      req,
      res,
    );
  }

  @Post(':voice_id/with-timestamps')
  @HttpCode(200)
  @ApiOperation({
    summary: 'ElevenLabs-compatible speech with character timings (seconds)',
    description:
      '`alignment` times the characters of the text sent, `normalized_alignment` those of the words spoken.',
  })
  @ApiBody({ type: ElevenLabsTextToSpeechDto })
  @OutputFormatQuery()
  @ApiNigerianLexiconQuery()
  withTimestamps(
    @Auth() auth: RequestContext,
    @Param('voice_id') voiceId: string,
    @ElevenLabsBody() body: TtsBody,
    @Query('output_format') outputFormat: string | undefined,
    @NigerianLexiconQuery() lexicon: boolean | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const dto = toSynthesizeDto(voiceId, body, outputFormat, lexicon);
    return this.responder.withTimestamps(auth, dto, req, res);
  }

  @Post(':voice_id/stream/with-timestamps')
  @HttpCode(200)
  @ApiOperation({
    summary: 'ElevenLabs-compatible speech streamed as JSON lines, with character timings',
    description:
      'One `{audio_base64, alignment, normalized_alignment}` line per audio chunk; the alignment of the whole text is on the last line, earlier lines carry null.',
  })
  @ApiBody({ type: ElevenLabsTextToSpeechDto })
  @OutputFormatQuery()
  @ApiNigerianLexiconQuery()
  streamWithTimestamps(
    @Auth() auth: RequestContext,
    @Param('voice_id') voiceId: string,
    @ElevenLabsBody() body: TtsBody,
    @Query('output_format') outputFormat: string | undefined,
    @NigerianLexiconQuery() lexicon: boolean | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const dto = toSynthesizeDto(voiceId, body, outputFormat, lexicon);
    return this.responder.streamWithTimestamps(auth, dto, req, res);
  }
}
