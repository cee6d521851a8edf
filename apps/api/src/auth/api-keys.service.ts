import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { APP_CONFIG, AppConfig } from '@cw/config';
import { Tenant } from '../tenants/tenant.entity';
import { TenantsService } from '../tenants/tenants.service';
import { ApiKey } from './api-key.entity';
import { displayPrefix, generateApiKey, hashApiKey, isWellFormedApiKey } from './api-key.util';
import { ApiKeysRepository } from './api-keys.repository';
import { AuthFailureLimiter } from './auth-failure.limiter';
import { AuthErrorCode, AuthException } from './auth.exception';
import { echo } from '../common/errors/echo';
import { SingleFlight } from '../common/single-flight';
import { ChangeFeedService } from '../change-feed/change-feed.service';

/** A key row that exists, whatever its state, with its tenant. */
interface KnownKey {
  key: ApiKey;
  tenant: Tenant;
}

/** last_used_at is a hint for operators; writing it once a minute per key is plenty. */
const LAST_USED_WRITE_INTERVAL_MS = 60_000;
/** Keys that exist: bounded by the real keys in use, never by what callers send. */
const MAX_KNOWN_KEYS = 10_000;
/** Hashes of well-formed keys that do not exist; a flood of them evicts only each other. */
const MAX_UNKNOWN_KEYS = 10_000;

export interface Authenticated {
  key: ApiKey;
  tenant: Tenant;
}

/**
 * Validates Bearer keys. Lookups are cached in-process for AUTH_CACHE_TTL_MS so the hot path makes
 * no query per request: keys that exist in one cache, hashes that match no key in another, so bad
 * keys can never push out good ones. A malformed key, or any key from an address over its
 * failed-authentication limit (unless the key is already cached as existing), is refused without
 * a query. A revocation or tenant change made through this process's admin API takes effect at
 * once; one made elsewhere (another replica, the CLI) takes effect within the TTL.
 */
@Injectable()
export class ApiKeysService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ApiKeysService.name);
  private readonly known: LRUCache<string, KnownKey> | undefined;
  private readonly unknown: LRUCache<string, true> | undefined;
  /** Reads in flight, by key hash (see lookup). */
  private readonly lookups = new SingleFlight<KnownKey | undefined>();
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly tenants: TenantsService,
    private readonly failures: AuthFailureLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    changes: ChangeFeedService,
  ) {
    const ttl = config.auth.cacheTtlMs;
    // A TTL of 0 turns caching off (lru-cache would read it as "forever").
    if (ttl > 0) {
      this.known = new LRUCache({ max: MAX_KNOWN_KEYS, ttl });
      this.unknown = new LRUCache({ max: MAX_UNKNOWN_KEYS, ttl });
    }
    tenants.onTenantChanged((tenant) => this.forgetTenant(tenant.id));
    // A key revoked or a tenant changed on another replica (or by the CLI) is forgotten here as
    // soon as the database says so; the TTL only bounds it should a notification be missed.
    changes.subscribe(['api_keys', 'tenants'], (tenantUuid) => {
      if (tenantUuid === null) this.known?.clear();
      else this.forgetTenant(tenantUuid);
    });
    // A key just issued elsewhere may be remembered here as unknown; new keys are rare.
    changes.subscribe(['api_keys'], () => this.unknown?.clear());
  }

  /**
   * Warm before ready: a lookup of a key that does not exist and a read of an address's failure
   * count run what a caller's first request runs (ORM metadata, the join with its tenant, the
   * failure limiter's store) before the process takes traffic.
   */
  async onApplicationBootstrap(): Promise<void> {
    await Promise.all([
      this.keys.findByHashWithTenant(hashApiKey('warm-up')),
      this.failures.assertNotBlocked('warm-up'),
    ]);
  }

  /**
   * The key's row and tenant when the key is usable; otherwise the failure is counted against
   * `clientAddress` and thrown (401, 403, or 429 once the address is over its limit).
   */
  async authenticate(token: string, clientAddress: string): Promise<Authenticated> {
    const keyHash = hashApiKey(token);
    let found = this.known?.get(keyHash);
    if (!found) {
      await this.failures.assertNotBlocked(clientAddress);
      const invalid = new AuthException(AuthErrorCode.InvalidKey);
      if (!isWellFormedApiKey(token) || this.unknown?.has(keyHash)) {
        return this.failures.fail(clientAddress, invalid);
      }
      found = await this.lookup(keyHash);
      if (!found) return this.failures.fail(clientAddress, invalid);
    }
    try {
      return this.usable(found);
    } catch (err) {
      if (err instanceof AuthException) return this.failures.fail(clientAddress, err);
      throw err;
    }
  }

  /**
   * The current state of a key already authenticated (an open WebSocket session), read from the
   * database (refreshing the cache), with no failure counting. Throws when the key or its tenant
   * is no longer usable.
   */
  async recheck(keyHash: string): Promise<Authenticated> {
    // Its own read, never one already running: that one may have started before a revocation.
    const found = await this.read(keyHash);
    if (!found) throw new AuthException(AuthErrorCode.InvalidKey);
    return this.usable(found);
  }

  async issueKey(tenantSlug: string, name: string): Promise<{ key: string; record: ApiKey }> {
    const tenant = await this.tenants.getBySlug(tenantSlug);
    const key = generateApiKey();
    const keyHash = hashApiKey(key);
    const record = await this.keys.insertKey({
      tenantUuid: tenant.id,
      name,
      prefix: displayPrefix(key),
      keyHash,
    });
    this.unknown?.delete(keyHash);
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
    this.known?.delete(revoked.keyHash);
  }

  countActiveKeysWithHashes(hashes: string[]): Promise<number> {
    return this.keys.countActiveWithHashes(hashes);
  }

  /** The row for `keyHash` from the database, remembered either way for the TTL. */
  /**
   * One database read per key however many of its requests arrive before it is cached (a
   * client's first burst of calls shares the read).
   */
  private lookup(keyHash: string): Promise<KnownKey | undefined> {
    return this.lookups.run(keyHash, () => this.read(keyHash));
  }

  private async read(keyHash: string): Promise<KnownKey | undefined> {
    const key = await this.keys.findByHashWithTenant(keyHash);
    if (!key?.tenant) {
      this.unknown?.set(keyHash, true);
      return undefined;
    }
    const found = { key, tenant: key.tenant };
    this.known?.set(keyHash, found);
    return found;
  }

  private usable({ key, tenant }: KnownKey): Authenticated {
    const now = Date.now();
    if (key.revokedAt || (key.expiresAt && key.expiresAt.getTime() <= now)) {
      throw new AuthException(AuthErrorCode.InvalidKey);
    }
    if (!tenant.isActive) throw new AuthException(AuthErrorCode.TenantInactive);
    this.noteUse(key.id, now);
    return { key, tenant };
  }

  private forgetTenant(tenantUuid: string): void {
    for (const [hash, entry] of this.known?.entries() ?? []) {
      if (entry.tenant.id === tenantUuid) this.known?.delete(hash);
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
