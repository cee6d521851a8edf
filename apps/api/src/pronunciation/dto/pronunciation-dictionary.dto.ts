import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PHONEME_ALPHABETS, type PhonemeAlphabet, type PronunciationRule } from '@cw/text';

/** Rules one request may carry; the tenant's own limits apply on top. */
export const MAX_RULES_PER_REQUEST = 1000;

export class PronunciationRuleDto {
  @ApiProperty({ enum: ['alias', 'phoneme'] })
  @IsIn(['alias', 'phoneme'], { message: 'type must be alias or phoneme' })
  type: 'alias' | 'phoneme';

  @ApiProperty({ example: 'Chukwuemeka', maxLength: 200 })
  @IsString()
  @MinLength(1, { message: 'string_to_replace must not be empty' })
  @MaxLength(200)
  string_to_replace: string;

  @ApiPropertyOptional({
    example: 'Chook-woo-emeka',
    description: 'For alias rules (required); for phoneme rules, what engines without phonemes say',
  })
  @ValidateIf((rule: PronunciationRuleDto) => rule.type === 'alias' || rule.alias !== undefined)
  @IsString({ message: 'alias is required for an alias rule' })
  @MaxLength(500)
  alias?: string;

  @ApiPropertyOptional({ example: 'tʃukwuˈɛmɛka', description: 'For phoneme rules' })
  @ValidateIf((rule: PronunciationRuleDto) => rule.type === 'phoneme')
  @IsString({ message: 'phoneme is required for a phoneme rule' })
  @MinLength(1, { message: 'phoneme must not be empty' })
  @MaxLength(500)
  phoneme?: string;

  @ApiPropertyOptional({ enum: PHONEME_ALPHABETS, description: 'For phoneme rules' })
  @ValidateIf((rule: PronunciationRuleDto) => rule.type === 'phoneme')
  @IsIn(PHONEME_ALPHABETS, { message: 'alphabet must be ipa or x-sampa' })
  alphabet?: PhonemeAlphabet;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  case_sensitive?: boolean;

  @ApiPropertyOptional({ default: true, description: 'Match whole words only' })
  @IsOptional()
  @IsBoolean()
  word_boundaries?: boolean;

  static toRule(dto: PronunciationRuleDto): PronunciationRule {
    const options = {
      ...(dto.case_sensitive !== undefined ? { caseSensitive: dto.case_sensitive } : {}),
      ...(dto.word_boundaries !== undefined ? { wordBoundaries: dto.word_boundaries } : {}),
    };
    if (dto.type === 'alias') {
      return {
        type: 'alias',
        stringToReplace: dto.string_to_replace,
        alias: dto.alias!,
        ...options,
      };
    }
    return {
      type: 'phoneme',
      stringToReplace: dto.string_to_replace,
      phoneme: dto.phoneme!,
      alphabet: dto.alphabet!,
      ...(dto.alias !== undefined ? { alias: dto.alias } : {}),
      ...options,
    };
  }

  static from(rule: PronunciationRule): PronunciationRuleDto {
    const out: PronunciationRuleDto = { type: rule.type, string_to_replace: rule.stringToReplace };
    if (rule.type === 'phoneme') {
      out.phoneme = rule.phoneme;
      out.alphabet = rule.alphabet;
    }
    if (rule.alias !== undefined) out.alias = rule.alias;
    out.case_sensitive = rule.caseSensitive ?? true;
    out.word_boundaries = rule.wordBoundaries ?? true;
    return out;
  }
}

export class CreateDictionaryDto {
  @ApiProperty({ example: 'Customer names', maxLength: 200 })
  @IsString({ message: 'name is required' })
  @MinLength(1, { message: 'name must not be empty' })
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  @ApiPropertyOptional({
    default: false,
    description: "Applied to the tenant's requests that name no dictionaries",
  })
  @IsOptional()
  @IsBoolean()
  is_default?: boolean;

  @ApiProperty({ type: [PronunciationRuleDto] })
  @IsDefined({ message: 'rules is required' })
  @IsArray({ message: 'rules must be an array' })
  @ArrayMaxSize(MAX_RULES_PER_REQUEST)
  @ValidateNested({ each: true })
  @Type(() => PronunciationRuleDto)
  rules: PronunciationRuleDto[];
}

/** Multipart fields beside the `file`; booleans arrive as text. */
export class CreateDictionaryFromFileDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'A W3C PLS 1.0 lexicon (.pls)' })
  file?: unknown;

  @ApiProperty({ example: 'Customer names' })
  @IsString({ message: 'name is required' })
  @MinLength(1, { message: 'name must not be empty' })
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean({ message: 'is_default must be true or false' })
  is_default?: boolean;
}

export class UpdateDictionaryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  is_default?: boolean;
}

export class AddRulesDto {
  @ApiProperty({ type: [PronunciationRuleDto] })
  @IsDefined({ message: 'rules is required' })
  @IsArray({ message: 'rules must be an array' })
  @ArrayMinSize(1, { message: 'rules must not be empty' })
  @ArrayMaxSize(MAX_RULES_PER_REQUEST)
  @ValidateNested({ each: true })
  @Type(() => PronunciationRuleDto)
  rules: PronunciationRuleDto[];
}

export class RemoveRulesDto {
  @ApiProperty({ type: [String], example: ['Chukwuemeka'] })
  @IsDefined({ message: 'rule_strings is required' })
  @IsArray({ message: 'rule_strings must be an array' })
  @ArrayMinSize(1, { message: 'rule_strings must not be empty' })
  @ArrayMaxSize(MAX_RULES_PER_REQUEST)
  @IsString({ each: true })
  rule_strings: string[];
}

export class VersionQueryDto {
  @ApiPropertyOptional({ description: 'A past version; default the latest' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'version must be a whole number' })
  @Min(1, { message: 'version must be at least 1' })
  version?: number;
}

export class DictionaryDto {
  @ApiProperty({ example: 'pd_4Jm0QdS8pV2cXk9LwT1a' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty() is_default: boolean;
  @ApiProperty({ description: 'Goes up by one with every change to the rules' }) version: number;
  @ApiProperty() latest_version: number;
  @ApiProperty() rules_count: number;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}

export class DictionaryWithRulesDto extends DictionaryDto {
  @ApiProperty({ type: [PronunciationRuleDto] }) rules: PronunciationRuleDto[];
}
