import { ApiProperty } from '@nestjs/swagger';

export class HealthDto {
  @ApiProperty({ enum: ['healthy', 'degraded', 'unhealthy'] })
  status: 'healthy' | 'degraded' | 'unhealthy';

  @ApiProperty({ enum: ['up', 'down'] })
  database: 'up' | 'down';

  @ApiProperty({ example: '0.1.0' })
  version: string;

  @ApiProperty({ example: 42 })
  uptime_s: number;

  @ApiProperty({ example: '2026-11-26T21:00:00.000Z' })
  timestamp: string;

  @ApiProperty({ description: 'True once the speech engine is warm and can answer at once' })
  model_loaded: boolean;

  @ApiProperty()
  streaming_supported: boolean;

  @ApiProperty({
    description: 'True when the engine reports word timings (POST /v1/synthesize/with-timestamps)',
  })
  word_timings: boolean;

  @ApiProperty({
    description: 'True when a fallback engine is answering instead of the configured one',
  })
  fallback_mode: boolean;

  @ApiProperty({ nullable: true, type: String, example: 'espeak-ng 1.52 (emscripten)' })
  system_tts: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'espeak' })
  engine: string | null;

  @ApiProperty({
    description: 'Each configured engine and its state (up, down, probing)',
    example: { espeak: 'up', openai: 'down' },
  })
  engines: Record<string, string>;
}
