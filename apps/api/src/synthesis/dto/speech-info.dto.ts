import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { MAX_TEXT_CHARS } from './synthesize.dto';

export class NormalizeTextDto {
  @ApiProperty({ example: 'Pay ₦5,000 to 08031234567 by 3:30pm.', maxLength: MAX_TEXT_CHARS })
  @IsDefined({ message: 'text is required' })
  @IsString({ message: 'text must be a string' })
  @MaxLength(MAX_TEXT_CHARS, { message: `text must be at most ${MAX_TEXT_CHARS} characters` })
  text: string;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  ssml?: boolean;

  @ApiPropertyOptional({ default: 'en' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$/, {
    message: 'language must be a language code such as en or en-GB',
  })
  language?: string;

  @ApiPropertyOptional({
    type: [String],
    maxItems: 3,
    description: "As on /v1/synthesize: absent, the tenant's default dictionaries; [] none",
  })
  @IsOptional()
  @IsArray({ message: 'pronunciation_dictionary_ids must be an array of dictionary ids' })
  @ArrayMaxSize(3, { message: 'pronunciation_dictionary_ids may name at most 3 dictionaries' })
  @IsString({ each: true, message: 'pronunciation_dictionary_ids must hold dictionary ids' })
  @MaxLength(64, { each: true })
  pronunciation_dictionary_ids?: string[];
}

export class ReplacementDto {
  @ApiProperty({ example: 'Chukwuemeka', description: 'The words of the text it replaces' })
  original: string;
  @ApiProperty({ enum: ['alias', 'phoneme'] }) type: 'alias' | 'phoneme';
  @ApiProperty({ example: 'tʃukwuˈɛmɛka' }) replacement: string;
  @ApiPropertyOptional({ enum: ['ipa', 'x-sampa'] }) alphabet?: string;
  @ApiProperty({ description: 'Offset in spoken_text where it is said (UTF-16)' }) start: number;
  @ApiProperty({ description: 'End offset in spoken_text, exclusive' }) end: number;
  @ApiProperty({ example: 'pd_4Jm0QdS8pV2cXk9LwT1a', description: 'Or `ssml` for <phoneme>' })
  dictionary_id: string;
  @ApiPropertyOptional() version?: number;
  @ApiPropertyOptional({ description: 'Position of the rule in its dictionary' })
  rule_index?: number;
}

export class SkippedRuleDto {
  @ApiProperty() original: string;
  @ApiProperty() dictionary_id: string;
  @ApiPropertyOptional() rule_index?: number;
}

export class DictionaryVersionDto {
  @ApiProperty() id: string;
  @ApiProperty() version: number;
}

export class NormalizedTextDto {
  @ApiProperty({
    example:
      'Pay five thousand naira to zero eight zero three, one two three, four five six seven by three thirty p m.',
    description: 'Aliases appear in place of the words they replace, phonemes as /…/',
  })
  spoken_text: string;

  @ApiProperty({ type: [DictionaryVersionDto], description: 'The dictionaries applied, in order' })
  pronunciation_dictionaries: DictionaryVersionDto[];

  @ApiProperty({ type: [ReplacementDto] })
  replacements: ReplacementDto[];

  @ApiProperty({
    type: [SkippedRuleDto],
    description: 'Phoneme rules that matched but the engine cannot say (no alias to fall back on)',
  })
  skipped: SkippedRuleDto[];
}

export class LanguagesDto {
  @ApiProperty({ example: 'espeak' }) engine: string;
  @ApiProperty({ type: [String], example: ['en', 'en-gb', 'fr', 'sw'] }) languages: string[];
  @ApiProperty({
    example: 'No Yoruba, Hausa, Igbo or Nigerian Pidgin voice exists in this engine.',
  })
  note: string;
}

export class DemoAudioDto {
  @ApiProperty() voice_id: string;
  @ApiProperty() text: string;
  @ApiProperty({ description: 'WAV, base64' }) audio_base64: string;
  @ApiProperty({ example: 'audio/wav' }) content_type: string;
}
