import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@cw/config';
import { Tenant } from '../tenants/tenant.entity';
import { TenantsService } from '../tenants/tenants.service';
import { ApiKey } from './api-key.entity';
import { displayPrefix, generateApiKey, hashApiKey } from './api-key.util';
import { ApiKeysRepository } from './api-keys.repository';
import { AuthErrorCode, AuthException } from './auth.exception';
import { echo } from '../common/errors/echo';

interface CacheEntry {
  key: ApiKey | null;
  tenant: Tenant | null;
  expiresAt: number;
}

/** last_used_at is a hint for operators; writing it once a minute per key is plenty. */
const LAST_USED_WRITE_INTERVAL_MS = 60_000;
const MAX_CACHE_ENTRIES = 10_000;

export interface Authenticated {
  key: ApiKey;
  tenant: Tenant;
}

/**
 * Validates Bearer keys. Results (including misses) are cached in-process for AUTH_CACHE_TTL_MS so
 * the hot path makes no query per request. A revocation or tenant change made through this
 * process's admin API takes effect at once; one made elsewhere (another replica, the CLI) takes
 * effect within the TTL.
 */
@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);
  private readonly cache = new Map<string, CacheEntry>();
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly tenants: TenantsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    tenants.onTenantChanged((tenant) => this.forgetTenant(tenant.id));
  }

  async authenticate(token: string): Promise<Authenticated> {
    const keyHash = hashApiKey(token);
    const entry = await this.lookup(keyHash);
    const { key, tenant } = entry;
    const now = Date.now();
    if (!key || !tenant || key.revokedAt || (key.expiresAt && key.expiresAt.getTime() <= now)) {
      throw new AuthException(AuthErrorCode.InvalidKey);
    }
    if (!tenant.isActive) throw new AuthException(AuthErrorCode.TenantInactive);
    this.noteUse(key.id, now);
    return { key, tenant };
  }

  async issueKey(tenantSlug: string, name: string): Promise<{ key: string; record: ApiKey }> {
    const tenant = await this.tenants.getBySlug(tenantSlug);
    const key = generateApiKey();
    const record = await this.keys.insertKey({
      tenantUuid: tenant.id,
      name,
      prefix: displayPrefix(key),
      keyHash: hashApiKey(key),
    });
    return { key, record };
  }

  async listKeys(tenantSlug: string): Promise<ApiKey[]> {
    const tenant = await this.tenants.getBySlug(tenantSlug);
    return this.keys.listForTenant(tenant.id);
  }

  async revokeKey(keyId: string): Promise<void> {
    const revoked = await this.keys.revokeKey(keyId);
    if (!revoked)
      throw new AuthException(
        AuthErrorCode.KeyNotFound,
        `API key '${echo(keyId)}' not found or already revoked`,
      );
    this.cache.delete(revoked.keyHash);
  }

  countActiveKeysWithHashes(hashes: string[]): Promise<number> {
    return this.keys.countActiveWithHashes(hashes);
  }

  private async lookup(keyHash: string): Promise<CacheEntry> {
    const now = Date.now();
    const cached = this.cache.get(keyHash);
    if (cached && cached.expiresAt > now) return cached;
    const key = await this.keys.findByHashWithTenant(keyHash);
    const entry: CacheEntry = {
      key,
      tenant: key?.tenant ?? null,
      expiresAt: now + this.config.auth.cacheTtlMs,
    };
    if (this.config.auth.cacheTtlMs > 0) {
      if (this.cache.size >= MAX_CACHE_ENTRIES) this.cache.clear();
      this.cache.set(keyHash, entry);
    }
    return entry;
  }

  private forgetTenant(tenantUuid: string): void {
    for (const [hash, entry] of this.cache) {
      if (entry.tenant?.id === tenantUuid) this.cache.delete(hash);
    }
  }

  private noteUse(keyId: string, now: number): void {
    const last = this.lastUsedWritten.get(keyId) ?? 0;
    if (now - last < LAST_USED_WRITE_INTERVAL_MS) return;
    this.lastUsedWritten.set(keyId, now);
    this.keys.touchLastUsed(keyId).catch((err: unknown) => {
      this.logger.warn({ err }, 'could not record last_used_at');
    });
  }
}
