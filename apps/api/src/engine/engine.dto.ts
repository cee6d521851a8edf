import { ApiProperty } from '@nestjs/swagger';
import type { EngineStatus } from '@cw/engines';

export class EngineDto {
  @ApiProperty({ example: 'kokoro' }) id: string;
  @ApiProperty({ example: 'openai' }) type: string;
  @ApiProperty({ description: 'TTS_ENGINE: clones uploads, speaks unmapped built-in voices' })
  default: boolean;
  @ApiProperty({ enum: ['up', 'down', 'probing'] }) status: string;
  @ApiProperty({ enum: ['closed', 'open', 'half_open'] }) breaker: string;
  @ApiProperty() servers: number;
  @ApiProperty({ description: 'Requests served at once, all servers together' })
  concurrency: number;
  @ApiProperty({ type: [String], description: 'Engines tried next when this one cannot answer' })
  fallback: string[];
  @ApiProperty({ type: [String], nullable: true, description: 'null: any voice of its own kind' })
  voices: string[] | null;
  @ApiProperty() word_timings: boolean;
  @ApiProperty({ type: [String] }) languages: string[];
  @ApiProperty() sample_rate: number;

  static from(this: void, status: EngineStatus): EngineDto {
    return {
      id: status.id,
      type: status.type,
      default: status.default,
      status: status.state,
      breaker: status.breaker,
      servers: status.servers,
      concurrency: status.concurrency,
      fallback: [...status.fallback],
      voices: status.voices ? [...status.voices] : null,
      word_timings: status.word_timings,
      languages: [...status.languages],
      sample_rate: status.sampleRate,
    };
  }
}
