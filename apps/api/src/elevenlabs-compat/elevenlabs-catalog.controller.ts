import { Controller, Get, Param, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiKeyFrom } from '../auth/credentials';
import { Auth, type RequestContext } from '../common/request-context/request-context';
import { type ElevenLabsVoice, ElevenLabsCatalogService } from './elevenlabs-catalog.service';
import { ElevenLabsErrorBody } from './elevenlabs-error-body';
import { ElevenLabsErrorFilter } from './elevenlabs-error.filter';
import { elevenLabsApiKey, XI_API_KEY } from './elevenlabs-api-key';

@ApiTags('elevenlabs-compatible')
@ApiSecurity(XI_API_KEY)
@ApiResponse({
  status: 401,
  type: ElevenLabsErrorBody,
  description: 'missing_authorization, invalid_api_key',
})
@ApiKeyFrom(elevenLabsApiKey)
@UseFilters(new ElevenLabsErrorFilter())
@Controller('elevenlabs/v1')
export class ElevenLabsCatalogController {
  constructor(private readonly catalog: ElevenLabsCatalogService) {}

  @Get('voices')
  @ApiOperation({ summary: "The tenant's voices and the built-ins, in ElevenLabs' shape" })
  voices(@Auth() { tenant }: RequestContext): Promise<{ voices: ElevenLabsVoice[] }> {
    return this.catalog.listVoices(tenant);
  }

  @Get('voices/:voice_id')
  @ApiOperation({ summary: 'One voice, by our id or an ElevenLabs premade id or name' })
  @ApiResponse({ status: 404, type: ElevenLabsErrorBody, description: 'voice_not_found' })
  voice(
    @Auth() { tenant }: RequestContext,
    @Param('voice_id') voiceId: string,
  ): Promise<ElevenLabsVoice> {
    return this.catalog.getVoice(tenant, voiceId);
  }

  @Get('models')
  @ApiOperation({ summary: 'ElevenLabs model ids we accept (all served by our engine)' })
  models(): object[] {
    return this.catalog.models();
  }

  @Get('user')
  @ApiOperation({ summary: 'The tenant as an ElevenLabs user' })
  user(@Auth() { tenant }: RequestContext): Promise<Record<string, unknown>> {
    return this.catalog.user(tenant);
  }

  @Get('user/subscription')
  @ApiOperation({ summary: "This month's characters, and the tenant's voice limit" })
  subscription(@Auth() { tenant }: RequestContext): Promise<Record<string, unknown>> {
    return this.catalog.subscription(tenant);
  }
}
