import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../libs/config/src/config';
import { prepareDatabase } from '../../libs/db/src/database.bootstrap';

/**
 * E2E tests run against a real PostgreSQL with the real migrations: DATABASE_URL when set (CI
 * points it at the machine's server), otherwise an embedded server started here.
 *
 * Tests never touch a developer's data: uploaded voices and clips go to a fresh temp directory
 * (a spec that needs its own passes VOICE_STORAGE_DIR), and an S3 bucket exported in the shell is
 * ignored (the S3 spec runs its own stand-in).
 */
export default async function globalSetup(): Promise<void> {
  const env = { ...process.env };
  if (!env.DATABASE_URL) {
    env.EMBEDDED_PG_DIR = env.EMBEDDED_PG_DIR ?? './.data/test-pg';
    env.EMBEDDED_PG_PORT = env.EMBEDDED_PG_PORT ?? '54330';
  }
  // Explicit env: a developer's .env is not read by the tests.
  const config = loadConfig(env);
  const db = await prepareDatabase(config, (m) => process.stdout.write(`[e2e setup] ${m}\n`));
  // Workers start after this and inherit the environment.
  process.env.DATABASE_URL = db.url;
  process.env.VOICE_STORAGE_DIR = mkdtempSync(join(tmpdir(), 'cw-e2e-storage-'));
  delete process.env.S3_BUCKET;
  (globalThis as { __cwStopDb?: () => Promise<void> }).__cwStopDb = db.stop;
}
