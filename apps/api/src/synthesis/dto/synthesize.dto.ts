import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { AUDIO_FORMATS, type AudioFormat, SAMPLE_RATES } from '@cw/audio';

export const MAX_TEXT_CHARS = 5000;

export class SynthesizeDto {
  @ApiProperty({
    description: `Text or SSML to speak, 1-${MAX_TEXT_CHARS} characters. SSML when \`ssml\` is true or the text starts with \`<speak\`.`,
    example: 'Hello, thank you for calling. How can I help you today?',
    maxLength: MAX_TEXT_CHARS,
  })
  @IsDefined({ message: 'text is required' })
  @IsString({ message: 'text must be a string' })
  @MaxLength(MAX_TEXT_CHARS, { message: `text must be at most ${MAX_TEXT_CHARS} characters` })
  text: string;

  @ApiPropertyOptional({ default: 'default', example: 'naija_female' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  voice_id?: string;

  @ApiPropertyOptional({ default: 'en', example: 'en', description: 'See GET /v1/languages' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$/, {
    message: 'language must be a language code such as en or en-GB',
  })
  language?: string;

  @ApiPropertyOptional({ enum: AUDIO_FORMATS, default: 'wav' })
  @IsOptional()
  @IsIn(AUDIO_FORMATS, { message: `format must be one of: ${AUDIO_FORMATS.join(', ')}` })
  format?: AudioFormat;

  @ApiPropertyOptional({
    enum: SAMPLE_RATES,
    description:
      "Default 8000 for mulaw/alaw, otherwise the engine's native rate (22050 for espeak, 24000 for xtts). mulaw and alaw: 8000 only.",
  })
  @IsOptional()
  @Type(() => Number)
  @IsIn(SAMPLE_RATES, { message: `sample_rate must be one of: ${SAMPLE_RATES.join(', ')}` })
  sample_rate?: number;

  @ApiPropertyOptional({ minimum: 0.5, maximum: 2, default: 1 })
  @IsOptional()
  @IsNumber({}, { message: 'speed must be a number' })
  @Min(0.5, { message: 'speed must be between 0.5 and 2.0' })
  @Max(2, { message: 'speed must be between 0.5 and 2.0' })
  speed?: number;

  @ApiPropertyOptional({
    type: [String],
    maxItems: 3,
    example: ['pd_4Jm0QdS8pV2cXk9LwT1a'],
    description:
      "Pronunciation dictionaries applied in order (the first rule that matches wins). Absent: the tenant's default dictionaries; [] : none.",
  })
  @IsOptional()
  @IsArray({ message: 'pronunciation_dictionary_ids must be an array of dictionary ids' })
  @ArrayMaxSize(3, { message: 'pronunciation_dictionary_ids may name at most 3 dictionaries' })
  @IsString({ each: true, message: 'pronunciation_dictionary_ids must hold dictionary ids' })
  @MaxLength(64, { each: true })
  pronunciation_dictionary_ids?: string[];

  @ApiPropertyOptional({
    default: true,
    description:
      "Apply the built-in Nigerian lexicon (names, places, banks, Pidgin) after the dictionaries. Absent: the tenant's setting.",
  })
  @IsOptional()
  @IsBoolean({ message: 'nigerian_lexicon must be true or false' })
  nigerian_lexicon?: boolean;

  @ApiPropertyOptional({ default: false, description: 'Treat text as SSML' })
  @IsOptional()
  @IsBoolean()
  ssml?: boolean;

  @ApiPropertyOptional({
    default: true,
    description:
      'false: always synthesize, never answer from (or add to) the phrase cache. Identical requests of the same tenant are otherwise served from it (header X-Cache: hit|miss).',
  })
  @IsOptional()
  @IsBoolean({ message: 'cache must be true or false' })
  cache?: boolean;
}

/** The fields of a request that are not its text: how to speak, checked with the same rules. */
export class SpeechOptionsDto extends OmitType(SynthesizeDto, ['text', 'ssml', 'cache'] as const) {}
