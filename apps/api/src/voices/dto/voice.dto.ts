import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import type { Voice } from '../voice.entity';

/** What every new voice says about itself, however it is made. */
export class NewVoiceDetailsDto {
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

/** POST /v1/voices/upload (multipart): a voice cloned from a reference recording. */
export class UploadVoiceDto extends NewVoiceDetailsDto {
  @ApiProperty({
    type: 'string',
    format: 'binary',
    description: 'WAV, MP3, FLAC or Ogg Opus; 3-60 s; at most 10 MB',
  })
  voice_file?: unknown;
}

/** POST /v1/voices (JSON): a voice on one of an engine's own voices, no audio. */
export class CreateEngineVoiceDto extends NewVoiceDetailsDto {
  @ApiProperty({ example: 'openai', description: 'An engine id from GET /v1/engines' })
  @IsString({ message: 'engine is required (an engine id from GET /v1/engines)' })
  @MinLength(1)
  @MaxLength(32)
  engine: string;

  @ApiProperty({ example: 'af_heart', description: "One of the engine's voices (GET /v1/engines)" })
  @IsString({ message: "engine_voice is required (one of the engine's voices)" })
  @MinLength(1)
  @MaxLength(200)
  engine_voice: string;
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
  @ApiProperty({ enum: ['builtin', 'uploaded', 'engine'] }) source: string;
  @ApiProperty({ enum: ['native', 'approximate', 'none'] }) cloning: string;
  @ApiProperty({ example: 'espeak', description: 'The engine that speaks it first' })
  engine: string;
  @ApiProperty({ nullable: true, type: String, description: "The engine's own voice name" })
  engine_voice: string | null;
  @ApiProperty({ nullable: true, type: Number }) duration_s: number | null;
  @ApiProperty({
    description: 'The engine reports word timings for this voice (else they are estimated)',
  })
  word_timings: boolean;

  static from(
    v: Voice,
    engine: { engine: string; engineVoice: string | null; wordTimings: boolean },
  ): VoiceDto {
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
      engine: engine.engine,
      engine_voice: engine.engineVoice,
      duration_s: v.referenceDurationMs === null ? null : v.referenceDurationMs / 1000,
      word_timings: engine.wordTimings,
    };
  }
}

export class UploadedVoiceDto extends VoiceDto {
  @ApiProperty({ example: 'Voice uploaded and cloned (approximate)' }) message: string;
}
