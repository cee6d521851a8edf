import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  Allow,
  IsBoolean,
  IsDefined,
  IsIn,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { SAMPLE_RATES } from '@cw/audio';
import { MAX_TEXT_CHARS } from '../../synthesis/dto/synthesize.dto';

export const CARTESIA_CONTAINERS = ['raw', 'wav', 'mp3'] as const;
export type CartesiaContainer = (typeof CARTESIA_CONTAINERS)[number];

export const CARTESIA_ENCODINGS = ['pcm_s16le', 'pcm_f32le', 'pcm_mulaw', 'pcm_alaw'] as const;
export type CartesiaEncoding = (typeof CARTESIA_ENCODINGS)[number];

const MAX_VOICE_ID_CHARS = 64;
const MAX_CONTEXT_ID_CHARS = 256;

/** A voice id string, or Cartesia's `{"mode": "id", "id": "..."}` (mode may be left out). */
function isVoice(value: unknown): boolean {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { mode, id } = value as { mode?: unknown; id?: unknown };
    if (mode !== undefined && mode !== 'id') return false;
    value = id;
  }
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_VOICE_ID_CHARS;
}

function IsCartesiaVoice() {
  return ValidateBy({
    name: 'isCartesiaVoice',
    validator: {
      validate: isVoice,
      defaultMessage: () =>
        `voice must be {"mode": "id", "id": "<voice id of 1-${MAX_VOICE_ID_CHARS} characters>"}; ` +
        'embedding voices are not supported',
    },
  });
}

export class CartesiaOutputFormatDto {
  @ApiProperty({ enum: CARTESIA_CONTAINERS, example: 'raw' })
  @IsIn(CARTESIA_CONTAINERS, {
    message: `output_format.container must be one of: ${CARTESIA_CONTAINERS.join(', ')}`,
  })
  container: CartesiaContainer;

  @ApiPropertyOptional({
    enum: CARTESIA_ENCODINGS,
    example: 'pcm_s16le',
    description: 'Required for raw and wav; ignored for mp3',
  })
  @ValidateIf((o: CartesiaOutputFormatDto) => o.container !== 'mp3')
  @IsIn(CARTESIA_ENCODINGS, {
    message: `output_format.encoding must be one of: ${CARTESIA_ENCODINGS.join(', ')}`,
  })
  encoding?: CartesiaEncoding;

  @ApiProperty({
    enum: SAMPLE_RATES,
    example: 24000,
    description: 'Honoured exactly. pcm_mulaw and pcm_alaw: 8000 only. 48000 is not offered.',
  })
  @IsIn(SAMPLE_RATES, {
    message: `output_format.sample_rate must be one of: ${SAMPLE_RATES.join(', ')}`,
  })
  sample_rate: number;

  @ApiPropertyOptional({ description: 'Accepted and ignored: mp3 is constant-bitrate per rate' })
  @IsOptional()
  @IsNumber({}, { message: 'output_format.bit_rate must be a number' })
  bit_rate?: number;
}

export class CartesiaGenerationConfigDto {
  @ApiPropertyOptional({ minimum: 0.5, maximum: 2, description: 'Clamped to 0.5-2.0' })
  @IsOptional()
  @IsNumber({}, { message: 'generation_config.speed must be a number' })
  speed?: number;

  @ApiPropertyOptional({ description: 'Accepted and ignored' })
  @Allow()
  volume?: unknown;

  @ApiPropertyOptional({ description: 'Accepted and ignored' })
  @Allow()
  emotion?: unknown;
}

/**
 * A Cartesia generation request, for `POST /tts/bytes`, `POST /tts/sse` and each WebSocket
 * message. Fields Cartesia defines that have no counterpart here are accepted and ignored, and so
 * is anything else a client sends.
 */
export class CartesiaTtsRequestDto {
  @ApiPropertyOptional({ example: 'sonic-2', description: 'Any model id; accepted and ignored' })
  @IsOptional()
  @IsString({ message: 'model_id must be a string' })
  @MaxLength(128, { message: 'model_id must be at most 128 characters' })
  model_id?: string;

  @ApiProperty({ example: 'Hello, thank you for calling.', maxLength: MAX_TEXT_CHARS })
  @IsDefined({ message: 'transcript is required' })
  @IsString({ message: 'transcript must be a string' })
  @MaxLength(MAX_TEXT_CHARS, {
    message: `transcript must be at most ${MAX_TEXT_CHARS} characters`,
  })
  transcript: string;

  @ApiProperty({
    description:
      'Our voice ids (built-in or your `v_...` voices), or a Cartesia voice id from the table',
    example: { mode: 'id', id: 'naija_female' },
  })
  @IsDefined({ message: 'voice is required' })
  @IsCartesiaVoice()
  voice: string | { mode?: 'id'; id: string };

  @ApiProperty({ type: CartesiaOutputFormatDto })
  @IsDefined({ message: 'output_format is required' })
  @IsObject({ message: 'output_format must be an object' })
  @ValidateNested()
  @Type(() => CartesiaOutputFormatDto)
  output_format: CartesiaOutputFormatDto;

  @ApiPropertyOptional({ default: 'en', example: 'en' })
  @IsOptional()
  @IsString({ message: 'language must be a string' })
  @Matches(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$/, {
    message: 'language must be a language code such as en or en-GB',
  })
  language?: string;

  @ApiPropertyOptional({ default: false, description: 'Word timestamps (SSE and WebSocket)' })
  @IsOptional()
  @IsBoolean({ message: 'add_timestamps must be a boolean' })
  add_timestamps?: boolean;

  @ApiPropertyOptional({
    description: "Cartesia's older speed: slow, normal, fast, or a number (clamped to 0.5-2.0)",
  })
  @Allow()
  speed?: unknown;

  @ApiPropertyOptional({ type: CartesiaGenerationConfigDto })
  @IsOptional()
  @IsObject({ message: 'generation_config must be an object' })
  @ValidateNested()
  @Type(() => CartesiaGenerationConfigDto)
  generation_config?: CartesiaGenerationConfigDto;

  @ApiPropertyOptional({ description: 'Names the stream (SSE events, WebSocket contexts)' })
  @IsOptional()
  @IsString({ message: 'context_id must be a string' })
  @MaxLength(MAX_CONTEXT_ID_CHARS, {
    message: `context_id must be at most ${MAX_CONTEXT_ID_CHARS} characters`,
  })
  context_id?: string;

  @ApiPropertyOptional({ description: 'WebSocket: more transcript follows in this context' })
  @IsOptional()
  @IsBoolean({ message: 'continue must be a boolean' })
  continue?: boolean;

  @ApiPropertyOptional({ description: 'WebSocket: speak what is buffered, then flush_done' })
  @IsOptional()
  @IsBoolean({ message: 'flush must be a boolean' })
  flush?: boolean;
}
