import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional } from 'class-validator';

export class UsageQueryDto {
  @ApiPropertyOptional({
    description: 'ISO 8601; default: start of the current UTC month',
    example: '2026-11-01',
  })
  @IsOptional()
  @IsISO8601({}, { message: 'from must be an ISO 8601 date or date-time' })
  from?: string;

  @ApiPropertyOptional({ description: 'ISO 8601, exclusive; default: now', example: '2026-12-01' })
  @IsOptional()
  @IsISO8601({}, { message: 'to must be an ISO 8601 date or date-time' })
  to?: string;

  @ApiPropertyOptional({ enum: ['day', 'voice', 'key'], default: 'day' })
  @IsOptional()
  @IsIn(['day', 'voice', 'key'], { message: 'group_by must be day, voice or key' })
  group_by?: 'day' | 'voice' | 'key';
}
