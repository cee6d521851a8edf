import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class CartesiaVoiceListQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1, { message: 'limit must be between 1 and 100' })
  @Max(100, { message: 'limit must be between 1 and 100' })
  limit?: number;

  @ApiPropertyOptional({ description: 'Voices after this voice id' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  starting_after?: string;

  @ApiPropertyOptional({ description: 'Voices before this voice id' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  ending_before?: string;
}

export class CartesiaVoiceDto {
  @ApiProperty({ example: 'naija_female' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() description: string;
  @ApiProperty() tagline: string;
  @ApiProperty({ example: 'en' }) language: string;
  @ApiProperty({ type: [String] }) locales: string[];
  @ApiProperty({ enum: ['masculine', 'feminine'], nullable: true, type: String })
  gender: string | null;
  @ApiProperty() is_owner: boolean;
  @ApiProperty() is_public: boolean;
  @ApiProperty({ enum: ['private', 'public'] }) access: 'private' | 'public';
  @ApiProperty({ enum: ['owner', 'all'] }) visibility: 'owner' | 'all';
  @ApiProperty() created_at: string;
}

export class CartesiaVoicePageDto {
  @ApiProperty({ type: [CartesiaVoiceDto] }) data: CartesiaVoiceDto[];
  @ApiProperty() has_more: boolean;
  @ApiProperty({ nullable: true, type: String }) next_page: string | null;
}
