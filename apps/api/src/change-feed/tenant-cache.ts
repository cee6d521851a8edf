import { LRUCache } from 'lru-cache';
import { SingleFlight } from '../common/single-flight';
import type { ChangedTable, ChangeFeedService } from './change-feed.service';

export interface TenantCacheOptions {
  /** The `cache` label of `tenant_cache_lookups_total`. */
  name: string;
  /** Tables whose changes make a tenant's entries stale. */
  tables: readonly ChangedTable[];
  /** Entries kept (all tenants together). */
  max: number;
  /** A bound on staleness should a change ever go unheard; changes themselves act at once. */
  ttlMs?: number;
}

interface Entry<V> {
  value: V;
  generation: number;
}

const DEFAULT_TTL_MS = 60_000;

/**
 * Per-tenant values read from the database, kept in memory while the ChangeFeed is live and
 * dropped when the tenant's rows change (on this replica or any other). A load that was running
 * when a change arrived is returned to its caller but not kept, so a stale read never outlives
 * the change that made it stale.
 */
export class TenantCache<V extends object | null> {
  private readonly entries: LRUCache<string, Entry<V>>;
  /** Each invalidation takes the next number, so a tenant's generation only ever grows. */
  private counter = 0;
  private readonly generations = new Map<string, number>();
  private everything = 0;
  private readonly name: string;
  /** Reads running now, by entry and the generation they started in. */
  private readonly loading = new SingleFlight<V>();

  constructor(
    private readonly feed: ChangeFeedService,
    options: TenantCacheOptions,
  ) {
    this.name = options.name;
    this.entries = new LRUCache({ max: options.max, ttl: options.ttlMs ?? DEFAULT_TTL_MS });
    feed.subscribe(options.tables, (tenant) => this.invalidate(tenant));
  }

  /** The cached value of `key` for `tenantUuid`, or what `load` reads (kept when still fresh). */
  async get(tenantUuid: string, key: string, load: () => Promise<V>): Promise<V> {
    if (!this.feed.live) {
      this.feed.countLookup(this.name, 'bypass');
      return load();
    }
    const entryKey = `${tenantUuid}\u0000${key}`;
    const generation = this.generation(tenantUuid);
    const entry = this.entries.get(entryKey);
    if (entry && entry.generation === generation) {
      this.feed.countLookup(this.name, 'hit');
      return entry.value;
    }
    this.feed.countLookup(this.name, 'miss');
    // Callers asking while the same read is running share it (a tenant's first burst of calls
    // makes one query, not one each); a read from before a change is not shared after it.
    return this.loading.run(`${entryKey}\u0000${generation}`, () =>
      this.load(entryKey, tenantUuid, generation, load),
    );
  }

  private async load(
    entryKey: string,
    tenantUuid: string,
    generation: number,
    load: () => Promise<V>,
  ): Promise<V> {
    const value = await load();
    if (this.feed.live && this.generation(tenantUuid) === generation) {
      this.entries.set(entryKey, { value, generation });
    }
    return value;
  }

  /** Forgets one tenant's entries, or everyone's (`null`). */
  invalidate(tenantUuid: string | null): void {
    this.counter += 1;
    if (tenantUuid === null) {
      this.everything = this.counter;
      this.generations.clear();
      this.entries.clear();
      return;
    }
    this.generations.set(tenantUuid, this.counter);
  }

  private generation(tenantUuid: string): number {
    return Math.max(this.everything, this.generations.get(tenantUuid) ?? 0);
  }
}
