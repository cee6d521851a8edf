import { Controller, Get, Param, Query, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { createValidationPipe } from '../common/http/validation.pipe';
import { Auth, type RequestContext } from '../common/request-context/request-context';
import type { Voice } from '../voices/voice.entity';
import { VoicesService } from '../voices/voices.service';
import { ApiKeyFrom } from '../auth/credentials';
import { cartesiaApiKey } from './cartesia-api-key';
import { CartesiaErrorFilter } from './cartesia-error.filter';
import {
  CartesiaVoiceDto,
  CartesiaVoiceListQuery,
  CartesiaVoicePageDto,
} from './dto/cartesia-voice.dto';

function toCartesiaVoice(voice: Voice, tenantUuid: string): CartesiaVoiceDto {
  const gender =
    voice.gender === 'male' ? 'masculine' : voice.gender === 'female' ? 'feminine' : null;
  const owned = voice.tenantUuid === tenantUuid;
  return {
    id: voice.voiceId,
    name: voice.name,
    description: voice.description ?? '',
    tagline: '',
    language: voice.language,
    locales: [],
    gender,
    is_owner: owned,
    is_public: !owned,
    access: owned ? 'private' : 'public',
    visibility: owned ? 'owner' : 'all',
    created_at: voice.createdAt.toISOString(),
  };
}

/**
 * Cartesia's `GET /voices` (cursor pages: `limit`, `starting_after`, `ending_before`) and
 * `GET /voices/{id}`: the tenant's voices and the built-ins, under their own ids (the ids to pass
 * as `voice.id`).
 */
@ApiTags('cartesia-compatible')
@ApiBearerAuth()
@ApiKeyFrom(cartesiaApiKey)
@UseFilters(new CartesiaErrorFilter())
@Controller('voices')
export class CartesiaVoicesController {
  constructor(private readonly voices: VoicesService) {}

  @Get()
  @ApiOperation({ summary: 'Cartesia-compatible voice list (GET /voices)' })
  @ApiOkResponse({ type: CartesiaVoicePageDto })
  async list(
    @Auth() auth: RequestContext,
    @Query(
      createValidationPipe({ ignoreUnknownFields: true, expectedType: CartesiaVoiceListQuery }),
    )
    query: VoiceListQuery,
  ): Promise<CartesiaVoicePageDto> {
    const all = (await this.voices.listVoices(auth.tenant.id)).map((v) =>
      toCartesiaVoice(v, auth.tenant.id),
    );
    const limit = query.limit ?? 10;
    const after = query.starting_after;
    const before = query.ending_before;
    let page: CartesiaVoiceDto[];
    let more: boolean;
    if (before !== undefined) {
      const end = Math.max(
        0,
        all.findIndex((v) => v.id === before),
      );
      page = all.slice(Math.max(0, end - limit), end);
      more = end - limit > 0;
    } else {
      const start = after === undefined ? 0 : all.findIndex((v) => v.id === after) + 1;
      const from = after !== undefined && start === 0 ? all.length : start;
      page = all.slice(from, from + limit);
      more = from + limit < all.length;
    }
    return { data: page, has_more: more, next_page: more ? (page.at(-1)?.id ?? null) : null };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Cartesia-compatible voice (GET /voices/{id})' })
  @ApiOkResponse({ type: CartesiaVoiceDto })
  async get(@Auth() auth: RequestContext, @Param('id') id: string): Promise<CartesiaVoiceDto> {
    return toCartesiaVoice(await this.voices.getVoice(auth.tenant.id, id), auth.tenant.id);
  }
}

type VoiceListQuery = Omit<CartesiaVoiceListQuery, never>;
