import { Injectable } from '@nestjs/common';
import { ApiKeysService } from '../auth/api-keys.service';
import { TenantsService } from '../tenants/tenants.service';
import { ApiKeyDto, CreatedKeyDto, RevokedKeyDto, TenantDto } from './dto/admin-responses.dto';
import { CreateTenantDto } from './dto/create-tenant.dto';
import { UpdateTenantDto } from './dto/update-tenant.dto';

/** Operator actions, shared by the admin HTTP API and the `npm run admin` CLI. */
@Injectable()
export class AdminService {
  constructor(
    private readonly tenants: TenantsService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async createTenant(dto: CreateTenantDto): Promise<TenantDto> {
    const tenant = await this.tenants.create({
      tenantId: dto.tenant_id,
      name: dto.name,
      rateLimitPerMinute: dto.rate_limit_per_minute ?? 60,
      rateLimitPerHour: dto.rate_limit_per_hour ?? 1000,
      maxVoices: dto.max_voices ?? 5,
      monthlyQuotaSeconds: dto.monthly_quota_seconds ?? null,
      maxConcurrentStreams: dto.max_concurrent_streams ?? null,
    });
    return TenantDto.from(tenant);
  }

  async listTenants(): Promise<TenantDto[]> {
    return (await this.tenants.list()).map((t) => TenantDto.from(t));
  }

  async updateTenant(tenantId: string, dto: UpdateTenantDto): Promise<TenantDto> {
    const tenant = await this.tenants.update(tenantId, {
      name: dto.name,
      rateLimitPerMinute: dto.rate_limit_per_minute,
      rateLimitPerHour: dto.rate_limit_per_hour,
      maxVoices: dto.max_voices,
      monthlyQuotaSeconds: dto.monthly_quota_seconds,
      maxConcurrentStreams: dto.max_concurrent_streams,
      isActive: dto.is_active,
      nigerianLexicon: dto.nigerian_lexicon,
    });
    return TenantDto.from(tenant);
  }

  async issueKey(tenantId: string, name: string): Promise<CreatedKeyDto> {
    const { key, record } = await this.apiKeys.issueKey(tenantId, name);
    return {
      key_id: record.id,
      key,
      prefix: record.prefix,
      name: record.name,
      created_at: record.createdAt.toISOString(),
    };
  }

  async listKeys(tenantId: string): Promise<ApiKeyDto[]> {
    return (await this.apiKeys.listKeys(tenantId)).map((k) => ApiKeyDto.from(k));
  }

  async revokeKey(keyId: string): Promise<RevokedKeyDto> {
    await this.apiKeys.revokeKey(keyId);
    return { key_id: keyId, revoked: true };
  }
}
