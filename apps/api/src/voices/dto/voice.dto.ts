import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import type { Voice } from '../voice.entity';

export class UploadVoiceDto {
  @ApiProperty({
    type: 'string',
    format: 'binary',
    description: 'WAV, MP3, FLAC or Ogg Opus; 3-60 s; at most 10 MB',
  })
  voice_file?: unknown;

  @ApiProperty({ example: 'Ada (front desk)' })
  @IsString({ message: 'name is required' })
  @MinLength(1, { message: 'name must not be empty' })
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ default: 'en' })
  @IsOptional()
  @Matches(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$/, {
    message: 'language must be a language code such as en or en-GB',
  })
  language?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  @ApiPropertyOptional({ enum: ['female', 'male', 'neutral'] })
  @IsOptional()
  @IsIn(['female', 'male', 'neutral'], { message: 'gender must be female, male or neutral' })
  gender?: string;
}

export class UpdateVoiceDto {
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
}

export class VoiceDto {
  @ApiProperty({ example: 'naija_female' }) voice_id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty() created_at: string;
  @ApiProperty({ example: 'en' }) language: string;
  @ApiProperty() has_reference_audio: boolean;
  @ApiProperty({ nullable: true, type: String }) gender: string | null;
  @ApiProperty({ nullable: true, type: String }) accent: string | null;
  @ApiProperty({ enum: ['builtin', 'uploaded'] }) source: string;
  @ApiProperty({ enum: ['native', 'approximate', 'none'] }) cloning: string;
  @ApiProperty({ example: 'espeak' }) engine: string;
  @ApiProperty({ nullable: true, type: Number }) duration_s: number | null;
  @ApiProperty({ description: 'The engine reports word timings for this voice' })
  word_timings: boolean;

  static from(v: Voice, wordTimings: boolean): VoiceDto {
    return {
      voice_id: v.voiceId,
      name: v.name,
      description: v.description,
      created_at: v.createdAt.toISOString(),
      language: v.language,
      has_reference_audio: v.referenceStorageKey !== null,
      gender: v.gender,
      accent: v.accent,
      source: v.source,
      cloning: v.cloning,
      engine: v.engine,
      duration_s: v.referenceDurationMs === null ? null : v.referenceDurationMs / 1000,
      word_timings: wordTimings,
    };
  }
}

export class UploadedVoiceDto extends VoiceDto {
  @ApiProperty({ example: 'Voice uploaded and cloned (approximate)' }) message: string;
}
