import { ApiProperty } from '@nestjs/swagger';

export class TenantStatsDto {
  @ApiProperty({ example: 'callwaiting_demo' }) tenant_id: string;
  @ApiProperty({ example: 'CallWaiting Demo' }) name: string;
  @ApiProperty({ description: 'Built-in voices plus the tenant’s own', example: 5 })
  total_voices: number;
  @ApiProperty({ example: 20 }) max_voices: number;
  @ApiProperty({ example: 1000 }) rate_limit_per_minute: number;
  @ApiProperty({ example: 10000 }) rate_limit_per_hour: number;
}
