import type { AppConfig } from '@cw/config';
import { createDataSource } from './data-source';
import { startEmbeddedPostgres } from './embedded-postgres';
import { runMigrations } from './migrate';

export interface PreparedDatabase {
  url: string;
  embedded: boolean;
  /** Stops the embedded server, if we started one. */
  stop(): Promise<void>;
}

/**
 * Before the app starts: pick the database (DATABASE_URL or an embedded server) and bring the
 * schema up to date under an advisory lock.
 */
export async function prepareDatabase(
  config: AppConfig,
  log: (message: string) => void,
  /** An embedded server died and could not be restarted. */
  onLost?: () => void,
): Promise<PreparedDatabase> {
  let url = config.database.url;
  let stop = async (): Promise<void> => undefined;
  if (!url) {
    log('DATABASE_URL is not set: starting an embedded PostgreSQL');
    const embedded = await startEmbeddedPostgres({
      dir: config.database.embeddedDir,
      port: config.database.embeddedPort,
      log,
      onLost,
    });
    url = embedded.url;
    stop = () => embedded.stop();
  }
  if (config.database.migrationsRun) {
    const ds = createDataSource(url);
    try {
      await ds.initialize();
      await runMigrations(ds, { lock: config.database.migrationsLock, log });
    } catch (err) {
      await stop().catch(() => undefined);
      throw err;
    } finally {
      if (ds.isInitialized) await ds.destroy();
    }
  }
  return { url, embedded: !config.database.url, stop };
}
