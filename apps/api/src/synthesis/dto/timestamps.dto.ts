import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class WordAlignmentDto {
  @ApiProperty({ example: 'calling' })
  word: string;

  @ApiProperty({ example: 820, description: 'From the start of the audio' })
  start_ms: number;

  @ApiProperty({ example: 1240 })
  end_ms: number;
}

export class TimestampedSpeechDto {
  @ApiProperty({ description: 'The whole file, base64 (WAV with its real sizes)' })
  audio_base64: string;

  @ApiProperty({ example: 'audio/wav' })
  content_type: string;

  @ApiProperty({
    type: [WordAlignmentDto],
    description:
      'Spoken words in order; empty when the engine reports no word timings (see word_timings in GET /v1/health)',
  })
  alignment: WordAlignmentDto[];

  @ApiProperty({ example: 3.42 })
  duration_s: number;
  @ApiPropertyOptional({
    description:
      'true: the engine gives no timings; these were estimated from text and audio length',
  })
  alignment_estimated?: boolean;
}
