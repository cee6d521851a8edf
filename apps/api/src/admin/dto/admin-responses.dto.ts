import { ApiProperty } from '@nestjs/swagger';
import type { ApiKey } from '../../auth/api-key.entity';
import type { Tenant } from '../../tenants/tenant.entity';

export class TenantDto {
  @ApiProperty() id: string;
  @ApiProperty() tenant_id: string;
  @ApiProperty() name: string;
  @ApiProperty() rate_limit_per_minute: number;
  @ApiProperty() rate_limit_per_hour: number;
  @ApiProperty() max_voices: number;
  @ApiProperty({ nullable: true, type: Number }) monthly_quota_seconds: number | null;
  @ApiProperty({ nullable: true, type: Number }) max_concurrent_streams: number | null;
  @ApiProperty({ description: 'The built-in Nigerian lexicon applies by default' })
  nigerian_lexicon: boolean;
  @ApiProperty() is_active: boolean;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;

  static from(t: Tenant): TenantDto {
    return {
      id: t.id,
      tenant_id: t.tenantId,
      name: t.name,
      rate_limit_per_minute: t.rateLimitPerMinute,
      rate_limit_per_hour: t.rateLimitPerHour,
      max_voices: t.maxVoices,
      monthly_quota_seconds: t.monthlyQuotaSeconds,
      max_concurrent_streams: t.maxConcurrentStreams,
      nigerian_lexicon: t.nigerianLexicon,
      is_active: t.isActive,
      created_at: t.createdAt.toISOString(),
      updated_at: t.updatedAt.toISOString(),
    };
  }
}

export class ApiKeyDto {
  @ApiProperty() key_id: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: 'cw_live_AbCd' }) prefix: string;
  @ApiProperty({ type: [String] }) scopes: string[];
  @ApiProperty() created_at: string;
  @ApiProperty({ nullable: true, type: String }) last_used_at: string | null;
  @ApiProperty({ nullable: true, type: String }) expires_at: string | null;
  @ApiProperty({ nullable: true, type: String }) revoked_at: string | null;

  static from(k: ApiKey): ApiKeyDto {
    return {
      key_id: k.id,
      name: k.name,
      prefix: k.prefix,
      scopes: k.scopes,
      created_at: k.createdAt.toISOString(),
      last_used_at: k.lastUsedAt?.toISOString() ?? null,
      expires_at: k.expiresAt?.toISOString() ?? null,
      revoked_at: k.revokedAt?.toISOString() ?? null,
    };
  }
}

export class CreatedKeyDto {
  @ApiProperty() key_id: string;
  @ApiProperty({ description: 'The key itself. Shown only in this response; store it now.' })
  key: string;
  @ApiProperty({ example: 'cw_live_AbCd' }) prefix: string;
  @ApiProperty() name: string;
  @ApiProperty() created_at: string;
}

export class RevokedKeyDto {
  @ApiProperty() key_id: string;
  @ApiProperty({ example: true }) revoked: boolean;
}
