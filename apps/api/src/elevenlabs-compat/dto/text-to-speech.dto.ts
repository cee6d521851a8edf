import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDefined,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { MAX_TEXT_CHARS } from '../../synthesis/dto/synthesize.dto';

export class ElevenLabsVoiceSettingsDto {
  @ApiPropertyOptional({
    minimum: 0.7,
    maximum: 1.2,
    description: 'The only setting used: speaking rate. The others are accepted and ignored.',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'speed must be a number' })
  @Min(0.5, { message: 'speed must be between 0.5 and 2.0' })
  @Max(2, { message: 'speed must be between 0.5 and 2.0' })
  speed?: number;
}

/** One of our pronunciation dictionaries, named as ElevenLabs names its own. */
export class ElevenLabsDictionaryLocatorDto {
  @ApiProperty({ example: 'pd_4Jm0QdS8pV2cXk9LwT1a', description: 'Our dictionary id' })
  @IsString({ message: 'pronunciation_dictionary_id must be a string' })
  @MaxLength(64)
  pronunciation_dictionary_id: string;

  @ApiPropertyOptional({ description: 'Accepted; the dictionary’s current version is used' })
  @IsOptional()
  @IsString({ message: 'version_id must be a string' })
  @MaxLength(64)
  version_id?: string;
}

/**
 * The body of ElevenLabs' `POST /v1/text-to-speech/{voice_id}` (and its stream and timestamp
 * variants). `text`, `language_code`, `voice_settings.speed` and `pronunciation_dictionary_locators`
 * (our dictionaries, in order) are used; every other field ElevenLabs defines (model_id,
 * previous_text, next_text, seed, apply_text_normalization, ...) and any unknown field is
 * accepted and ignored.
 */
export class ElevenLabsTextToSpeechDto {
  @ApiProperty({ example: 'Hello, thank you for calling.', maxLength: MAX_TEXT_CHARS })
  @IsDefined({ message: 'text is required' })
  @IsString({ message: 'text must be a string' })
  @MaxLength(MAX_TEXT_CHARS, { message: `text must be at most ${MAX_TEXT_CHARS} characters` })
  text: string;

  @ApiPropertyOptional({ example: 'eleven_flash_v2_5', description: 'Accepted and ignored' })
  @IsOptional()
  @IsString({ message: 'model_id must be a string' })
  model_id?: string;

  @ApiPropertyOptional({ example: 'en', description: 'The language of the text (default en)' })
  @IsOptional()
  @IsString({ message: 'language_code must be a string' })
  @Matches(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$/, {
    message: 'language_code must be a language code such as en or en-GB',
  })
  language_code?: string;

  @ApiPropertyOptional({ type: ElevenLabsVoiceSettingsDto })
  @IsOptional()
  @IsObject({ message: 'voice_settings must be an object' })
  @ValidateNested()
  @Type(() => ElevenLabsVoiceSettingsDto)
  voice_settings?: ElevenLabsVoiceSettingsDto;

  @ApiPropertyOptional({
    type: [ElevenLabsDictionaryLocatorDto],
    maxItems: 3,
    description:
      "Our pronunciation dictionaries, applied in order; absent: the tenant's defaults, []: none",
  })
  @IsOptional()
  @IsArray({ message: 'pronunciation_dictionary_locators must be an array' })
  @ArrayMaxSize(3, { message: 'pronunciation_dictionary_locators may name at most 3 dictionaries' })
  @ValidateNested({ each: true })
  @Type(() => ElevenLabsDictionaryLocatorDto)
  pronunciation_dictionary_locators?: ElevenLabsDictionaryLocatorDto[];
}
