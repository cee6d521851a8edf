import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client, type Notification } from 'pg';
import type { DataSource } from 'typeorm';
import { MetricsService } from '../metrics/metrics.service';

/** The channel the `cw_notify_change` trigger notifies (migration NotifyTenantDataChanges). */
export const CHANGES_CHANNEL = 'cw_changes';

/** A table the trigger watches. */
export type ChangedTable =
  'tenants' | 'api_keys' | 'voices' | 'pronunciation_dictionaries' | 'openai_voice_mappings';

/**
 * Called with the tenant whose rows changed; `null` means "anything may have changed" (a
 * built-in row, or the feed lost its connection and cannot tell what it missed).
 */
export type ChangeListener = (tenantUuid: string | null) => void;

export const CHANGE_FEED_OPTIONS = Symbol('CHANGE_FEED_OPTIONS');

export interface ChangeFeedOptions {
  /** Open the LISTEN connection (the service); without it the feed is never live. */
  listen: boolean;
}

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 10_000;

/**
 * Tells this replica when tenant data changed in the database, whoever changed it: a trigger on
 * each cached table notifies `cw_changes` at commit, and one dedicated connection per replica
 * LISTENs. Caches of such data (TenantCache) are used only while the feed is `live`; when the
 * connection drops every listener hears `null` (forget everything) and caches are bypassed until
 * it is back, so a replica never serves data it could not hear about.
 */
@Injectable()
export class ChangeFeedService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ChangeFeedService.name);
  private readonly listeners = new Map<ChangedTable, Set<ChangeListener>>();
  private client: Client | undefined;
  private listening = false;
  private closed = false;
  private retryMs = RECONNECT_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
    @Inject(CHANGE_FEED_OPTIONS) private readonly options: ChangeFeedOptions,
  ) {}

  /** True while notifications are being received: only then may tenant data be cached. */
  get live(): boolean {
    return this.listening;
  }

  /** `listener` hears every change to `tables`; returns the unsubscribe function. */
  subscribe(tables: readonly ChangedTable[], listener: ChangeListener): () => void {
    for (const table of tables) {
      let set = this.listeners.get(table);
      if (!set) this.listeners.set(table, (set = new Set()));
      set.add(listener);
    }
    return () => tables.forEach((table) => this.listeners.get(table)?.delete(listener));
  }

  /** Counts a cache lookup (`tenant_cache_lookups_total`). */
  countLookup(cache: string, result: 'hit' | 'miss' | 'bypass'): void {
    this.metrics.tenantCacheLookups.inc({ cache, result });
  }

  /**
   * Tells this replica's listeners at once about a change it just committed (read-your-writes
   * on this replica; the trigger's notification reaches the others, and this one again later).
   */
  changed(table: ChangedTable, tenantUuid: string | null): void {
    this.listeners.get(table)?.forEach((listener) => listener(tenantUuid));
  }

  async onModuleInit(): Promise<void> {
    // The first connection is awaited so the app starts with caching on; a failure is retried
    // in the background (the app serves uncached meanwhile).
    if (this.options.listen) await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.listening = false;
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const url = (this.dataSource.options as { url?: string }).url;
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    this.client = client;
    client.on('notification', (message) => this.onNotification(message));
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (err) {
      this.lost(client, err);
      return;
    }
    if (this.client !== client || this.closed) return;
    // Whatever changed while nobody was listening is unknown: forget it all, then cache again.
    this.forgetEverything();
    this.listening = true;
    this.metrics.changeFeedListening.set(1);
    this.retryMs = RECONNECT_MIN_MS;
    this.logger.log(`listening for tenant data changes on ${CHANGES_CHANNEL}`);
  }

  private lost(client: Client, err?: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    const wasListening = this.listening;
    this.listening = false;
    this.metrics.changeFeedListening.set(0);
    this.forgetEverything();
    client.end().catch(() => undefined);
    if (this.closed) return;
    if (wasListening || this.retryMs === RECONNECT_MIN_MS) {
      this.logger.warn(
        { err },
        `change feed lost; tenant data is read from the database uncached until it is back`,
      );
    }
    this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(RECONNECT_MAX_MS, this.retryMs * 2);
  }

  private onNotification(message: Notification): void {
    if (message.channel !== CHANGES_CHANNEL || !message.payload) return;
    let change: { table?: unknown; tenant?: unknown };
    try {
      change = JSON.parse(message.payload) as typeof change;
    } catch {
      this.forgetEverything();
      return;
    }
    const tenant = typeof change.tenant === 'string' ? change.tenant : null;
    const table = change.table as ChangedTable;
    const listeners = this.listeners.get(table);
    if (listeners) listeners.forEach((listener) => listener(tenant));
  }

  private forgetEverything(): void {
    const all = new Set<ChangeListener>();
    this.listeners.forEach((set) => set.forEach((listener) => all.add(listener)));
    all.forEach((listener) => listener(null));
  }
}
