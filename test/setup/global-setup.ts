import { loadConfig } from '../../libs/config/src/config';
import { prepareDatabase } from '../../libs/db/src/database.bootstrap';

/**
 * E2E tests run against a real PostgreSQL with the real migrations: DATABASE_URL when set (CI
 * points it at the machine's server), otherwise an embedded server started here.
 */
export default async function globalSetup(): Promise<void> {
  const env = { ...process.env };
  if (!env.DATABASE_URL) {
    env.EMBEDDED_PG_DIR = env.EMBEDDED_PG_DIR ?? './.data/test-pg';
    env.EMBEDDED_PG_PORT = env.EMBEDDED_PG_PORT ?? '54330';
  }
  const config = loadConfig(env);
  const db = await prepareDatabase(config, (m) => process.stdout.write(`[e2e setup] ${m}\n`));
  // Workers start after this and inherit the environment.
  process.env.DATABASE_URL = db.url;
  (globalThis as { __cwStopDb?: () => Promise<void> }).__cwStopDb = db.stop;
}
