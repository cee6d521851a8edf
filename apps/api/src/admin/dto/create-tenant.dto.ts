import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';

export class CreateTenantDto {
  @ApiProperty({ example: 'acme_clinic', description: 'Slug: lower-case letters, digits, _ and -' })
  @Matches(/^[a-z0-9][a-z0-9_-]{1,63}$/, {
    message:
      'tenant_id must be 2-64 characters of a-z, 0-9, _ or -, starting with a letter or digit',
  })
  tenant_id: string;

  @ApiProperty({ example: 'Acme Clinic' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ default: 60 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  rate_limit_per_minute?: number;

  @ApiPropertyOptional({ default: 1000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  rate_limit_per_hour?: number;

  @ApiPropertyOptional({ default: 5 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000)
  max_voices?: number;

  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Null or absent: unlimited' })
  @IsOptional()
  @IsInt()
  @Min(0)
  monthly_quota_seconds?: number | null;

  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    description: 'Null or absent: service default',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  max_concurrent_streams?: number | null;
}
