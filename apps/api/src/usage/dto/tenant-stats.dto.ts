import { ApiProperty } from '@nestjs/swagger';

class UsageTotalsDto {
  @ApiProperty({ example: 12 }) requests: number;
  @ApiProperty({ example: 840 }) characters: number;
  @ApiProperty({ example: 61.2 }) audio_seconds: number;
}

class UsagePeriodsDto {
  @ApiProperty({ type: UsageTotalsDto, description: 'Since 00:00 UTC today' })
  today: UsageTotalsDto;
  @ApiProperty({ type: UsageTotalsDto, description: 'Since the 1st of this month, UTC' })
  month: UsageTotalsDto;
}

class QuotaDto {
  @ApiProperty({ nullable: true, type: Number, description: 'Null: unlimited' })
  monthly_quota_seconds: number | null;
  @ApiProperty({ example: 61.2 }) used_seconds: number;
  @ApiProperty({ nullable: true, type: Number }) remaining_seconds: number | null;
}

export class TenantStatsDto {
  @ApiProperty({ example: 'callwaiting_demo' }) tenant_id: string;
  @ApiProperty({ example: 'CallWaiting Demo' }) name: string;
  @ApiProperty({ description: 'Voices the tenant can use: built-in plus uploaded', example: 7 })
  total_voices: number;
  @ApiProperty({
    description: 'Shared built-in voices; they do not count toward max_voices',
    example: 5,
  })
  builtin_voices: number;
  @ApiProperty({ description: 'The tenant’s own uploads: what max_voices caps', example: 2 })
  uploaded_voices: number;
  @ApiProperty({ description: 'At most this many uploaded voices', example: 20 })
  max_voices: number;
  @ApiProperty({ example: 1000 }) rate_limit_per_minute: number;
  @ApiProperty({ example: 10000 }) rate_limit_per_hour: number;
  @ApiProperty({ type: UsagePeriodsDto }) usage: UsagePeriodsDto;
  @ApiProperty({ type: QuotaDto }) quota: QuotaDto;
}
