import { loadConfig } from '@cw/config';
import { prepareDatabase } from '../database.bootstrap';
import { createDataSource } from '../data-source';
import { runMigrations } from '../migrate';

/** `npm run migration:run` / `migration:revert`, on the same DataSource options as the app. */
async function main(): Promise<void> {
  const command = process.argv[2] ?? 'run';
  const config = loadConfig();
  const db = await prepareDatabase(
    { ...config, database: { ...config.database, migrationsRun: false } },
    (m) => console.log(m),
  );
  const ds = createDataSource(db.url);
  try {
    await ds.initialize();
    if (command === 'run') {
      const applied = await runMigrations(ds, {
        lock: config.database.migrationsLock,
        log: console.log,
      });
      console.log(
        applied.length ? `${applied.length} migration(s) applied` : 'schema is up to date',
      );
    } else if (command === 'revert') {
      await ds.undoLastMigration({ transaction: 'each' });
      console.log('reverted the last migration');
    } else {
      throw new Error(`unknown command '${command}' (use run or revert)`);
    }
  } finally {
    await ds.destroy();
    await db.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
