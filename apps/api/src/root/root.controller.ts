import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/request-context/request-context';
import { SERVICE_NAME, SERVICE_VERSION } from '../common/version';

class ServiceInfoDto {
  @ApiProperty({ example: SERVICE_NAME })
  service: string;

  @ApiProperty({ example: '0.1.0' })
  version: string;

  @ApiProperty({ example: '/docs' })
  docs: string;

  @ApiProperty({ example: '/openapi.json' })
  openapi: string;

  @ApiProperty({ example: '/playground', description: 'Try the API in a browser' })
  playground: string;

  @ApiProperty({ type: [String], example: ['GET /v1/health'] })
  endpoints: string[];
}

/** Every public route, for humans exploring the API; the OpenAPI document is the full reference. */
const ENDPOINTS = [
  'GET /v1/health',
  'GET /v1/health/live',
  'GET /v1/health/ready',
  'GET /v1/tenant/stats',
  'GET /v1/usage',
  'POST /v1/synthesize',
  'POST /v1/synthesize/streaming',
  'POST /v1/synthesize/with-timestamps',
  'POST /v1/synthesize-url',
  'POST /v1/audio/speech',
  'GET /v1/openai-compat/voices',
  'PUT /v1/openai-compat/voices',
  'POST /v1/speak',
  'GET /v1/audio/{id}',
  'POST /v1/text/normalize',
  'GET /v1/languages',
  'GET /v1/engines',
  'POST /v1/generate-demo-audio',
  'GET /v1/voices',
  'POST /v1/voices',
  'POST /v1/voices/upload',
  'GET /v1/voices/{voice_id}',
  'PATCH /v1/voices/{voice_id}',
  'DELETE /v1/voices/{voice_id}',
  'GET /v1/voices/{voice_id}/reference',
  'POST /elevenlabs/v1/text-to-speech/{voice_id}',
  'POST /elevenlabs/v1/text-to-speech/{voice_id}/stream',
  'POST /elevenlabs/v1/text-to-speech/{voice_id}/with-timestamps',
  'POST /elevenlabs/v1/text-to-speech/{voice_id}/stream/with-timestamps',
  'GET /elevenlabs/v1/voices',
  'GET /elevenlabs/v1/voices/{voice_id}',
  'GET /elevenlabs/v1/models',
  'GET /elevenlabs/v1/user',
  'GET /elevenlabs/v1/user/subscription',
  'POST /v1/pronunciation-dictionaries',
  'POST /v1/pronunciation-dictionaries/add-from-file',
  'GET /v1/pronunciation-dictionaries',
  'GET /v1/pronunciation-dictionaries/{id}',
  'PATCH /v1/pronunciation-dictionaries/{id}',
  'POST /v1/pronunciation-dictionaries/{id}/add-rules',
  'POST /v1/pronunciation-dictionaries/{id}/remove-rules',
  'GET /v1/pronunciation-dictionaries/{id}/download',
  'DELETE /v1/pronunciation-dictionaries/{id}',
  'POST /v1/admin/tenants',
  'GET /v1/admin/tenants',
  'PATCH /v1/admin/tenants/{tenant_id}',
  'POST /v1/admin/tenants/{tenant_id}/keys',
  'GET /v1/admin/tenants/{tenant_id}/keys',
  'DELETE /v1/admin/keys/{key_id}',
  'DELETE /v1/admin/phrase-cache',
  'GET /metrics',
  'POST /tts/bytes',
  'POST /tts/sse',
  'GET /voices',
  'GET /voices/{id}',
];

@ApiTags('service')
@Public()
@Controller()
export class RootController {
  @Get()
  @ApiOkResponse({ type: ServiceInfoDto })
  info(): ServiceInfoDto {
    return {
      service: SERVICE_NAME,
      version: SERVICE_VERSION,
      docs: '/docs',
      openapi: '/openapi.json',
      playground: '/playground',
      endpoints: ENDPOINTS,
    };
  }
}
