import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';
import { DatabaseClient } from './database-errors';

/** How long the app waits for the database before answering 503 database_unavailable. */
export interface DatabaseTimeouts {
  /** Opening a connection, or waiting for a free one in the pool. */
  connectMs: number;
  /**
   * Server-side `statement_timeout` (a query stuck behind a lock is cancelled). The client gives
   * up a second later on its own (`query_timeout`), for a server that does not answer at all.
   */
  statementMs: number;
}

/** Migrations and CLIs: a connection must come within 5 s; statements may run (and wait) freely. */
const MIGRATION_TIMEOUTS: DatabaseTimeouts = { connectMs: 5000, statementMs: 0 };
const CLIENT_GRACE_MS = 1000;

/**
 * The one description of our database connection, used by the app (through TypeOrmModule) and
 * by the migration CLI. `synchronize` is never on: the schema comes from migrations only.
 * The app passes its configured timeouts; without them (migrations, which wait for an advisory
 * lock and may build indexes) statements have no time limit.
 */
export function dataSourceOptions(
  url: string,
  timeouts: DatabaseTimeouts = MIGRATION_TIMEOUTS,
): DataSourceOptions {
  const statementLimits =
    timeouts.statementMs > 0
      ? {
          statement_timeout: timeouts.statementMs,
          query_timeout: timeouts.statementMs + CLIENT_GRACE_MS,
        }
      : {};
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    extra: {
      max: 10,
      // node-postgres closes a connection idle for 10 s by default; a new one costs a backend
      // start and a cold catalog, which the first calls after any quiet spell (a burst of new
      // calls after 25 s of streaming, say) paid in turn, tens of ms each. Kept five minutes.
      idleTimeoutMillis: 300_000,
      connectionTimeoutMillis: timeouts.connectMs,
      Client: DatabaseClient,
      ...statementLimits,
    },
  };
}

export function createDataSource(url: string, timeouts?: DatabaseTimeouts): DataSource {
  return new DataSource(dataSourceOptions(url, timeouts));
}
