import { DataSource } from 'typeorm';

/** Arbitrary constant shared by every replica: only one of them migrates at a time. */
const MIGRATION_LOCK_KEY = 727_001;

export interface MigrateOptions {
  /** Hold a Postgres advisory lock while migrating, so replicas booting together take turns. */
  lock: boolean;
  log?: (message: string) => void;
}

/** Runs pending migrations; returns the names of those applied. */
export async function runMigrations(
  dataSource: DataSource,
  options: MigrateOptions,
): Promise<string[]> {
  const log = options.log ?? (() => undefined);
  const lockRunner = options.lock ? dataSource.createQueryRunner() : undefined;
  try {
    if (lockRunner) {
      await lockRunner.connect();
      await lockRunner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    }
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    for (const m of applied) log(`migration applied: ${m.name}`);
    return applied.map((m) => m.name);
  } finally {
    if (lockRunner) {
      await lockRunner
        .query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY])
        .catch(() => undefined);
      await lockRunner.release();
    }
  }
}
