import { AppConfig } from '@cw/config';
import { createDataSource, DEMO_KEYS } from '@cw/db';
import { hashApiKey } from './api-key.util';

/**
 * The seeded demo keys are public knowledge. In production we refuse to start while one is active,
 * unless the operator opts in with ALLOW_DEMO_KEYS=true.
 */
export async function assertNoDemoKeysInProduction(config: AppConfig, url: string): Promise<void> {
  if (config.nodeEnv !== 'production' || config.auth.allowDemoKeys) return;
  const ds = createDataSource(url);
  await ds.initialize();
  try {
    const rows: { n: string }[] = await ds.query(
      `SELECT count(*) AS n FROM api_keys WHERE key_hash = ANY($1) AND revoked_at IS NULL
         AND (expires_at IS NULL OR expires_at > now())`,
      [DEMO_KEYS.map(hashApiKey)],
    );
    if (Number(rows[0].n) > 0) {
      throw new Error(
        'Refusing to start: a demo API key is active in production; revoke it (npm run admin -- keys:revoke) or set ALLOW_DEMO_KEYS=true',
      );
    }
  } finally {
    await ds.destroy();
  }
}
