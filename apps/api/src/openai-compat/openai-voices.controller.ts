import { Body, Controller, Get, Put } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { Auth, type RequestContext } from '../common/request-context/request-context';
import { OPENAI_VOICES } from './openai-voices';
import { type OpenAiVoiceChoice, OpenAiVoicesService } from './openai-voices.service';

class OpenAiVoiceChoiceDto implements OpenAiVoiceChoice {
  @ApiProperty({ example: 'v_0123abcd' }) voice_id: string;
  @ApiProperty({ description: 'true when you set it; false for the default table' })
  custom: boolean;
}

class OpenAiVoiceMappingDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(OpenAiVoiceChoiceDto) },
    description: `Every OpenAI voice name (${Object.keys(OPENAI_VOICES).join(', ')}) and the voice it means`,
  })
  voices: Record<string, OpenAiVoiceChoice>;
}

/**
 * Which of the tenant's voices each OpenAI voice name means on `POST /v1/audio/speech`. Our own
 * route family, with our error body (not OpenAI's: OpenAI has no such route).
 */
@ApiTags('openai-compatible')
@ApiBearerAuth()
@ApiExtraModels(OpenAiVoiceChoiceDto)
@Controller('v1/openai-compat/voices')
export class OpenAiVoicesController {
  constructor(private readonly voices: OpenAiVoicesService) {}

  @Get()
  @ApiOperation({ summary: 'What each OpenAI voice name means for your requests' })
  @ApiOkResponse({ type: OpenAiVoiceMappingDto })
  async get(@Auth() auth: RequestContext): Promise<OpenAiVoiceMappingDto> {
    return { voices: await this.voices.getMapping(auth.tenant.id) };
  }

  @Put()
  @ApiOperation({
    summary: 'Choose the voice an OpenAI voice name means',
    description:
      'A JSON object of OpenAI voice names and voice ids (built-in or your own), e.g. ' +
      '`{"alloy": "v_0123abcd", "nova": "naija_female"}`; `null` restores the default. Names left ' +
      'out keep their current voice. Unknown names are 422 validation_failed, voices you cannot ' +
      'use 404 voice_not_found; then nothing is changed.',
  })
  @ApiBody({
    schema: {
      type: 'object',
      additionalProperties: { type: 'string', nullable: true },
      example: { alloy: 'naija_female', onyx: null },
    },
  })
  @ApiOkResponse({ type: OpenAiVoiceMappingDto })
  async put(
    @Auth() auth: RequestContext,
    // A plain object (its keys are the names), checked by the service.
    @Body() body: Record<string, unknown>,
  ): Promise<OpenAiVoiceMappingDto> {
    return { voices: await this.voices.updateMapping(auth.tenant.id, body ?? {}) };
  }
}
