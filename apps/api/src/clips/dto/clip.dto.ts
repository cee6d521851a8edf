import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { SynthesizeDto } from '../../synthesis/dto/synthesize.dto';

export const MAX_CLIP_TTL_S = 86400;

export class SynthesizeUrlDto extends SynthesizeDto {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_CLIP_TTL_S,
    description:
      'Seconds the URL (and the stored audio) stay valid. Default: SIGNED_URL_TTL_S (3600).',
  })
  @IsOptional()
  @IsInt({ message: 'ttl_s must be a whole number of seconds' })
  @Min(1, { message: `ttl_s must be between 1 and ${MAX_CLIP_TTL_S}` })
  @Max(MAX_CLIP_TTL_S, { message: `ttl_s must be between 1 and ${MAX_CLIP_TTL_S}` })
  ttl_s?: number;
}

export class ClipUrlDto {
  @ApiProperty({ example: '0b8f6c1e-6a43-4d55-9d0e-3f1c2a7b9e10' })
  id: string;

  @ApiProperty({
    description: 'Absolute, signed; fetch it without an API key until expires_at',
    example:
      'https://tts.example.com/v1/audio/0b8f6c1e-6a43-4d55-9d0e-3f1c2a7b9e10?expires=1795730400&signature=q0x...',
  })
  url: string;

  @ApiProperty({ example: '2026-11-26T22:00:00.000Z' })
  expires_at: string;

  @ApiProperty({ example: 'audio/basic' })
  content_type: string;

  @ApiProperty({ example: 3.42 })
  duration_s: number;
}
