import { createHash } from 'node:crypto';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { DEMO_TENANTS } from '../libs/db/src/demo-tenants';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Seeds the demo tenants and keys (see `DEMO_TENANTS`); only the keys' SHA-256 hashes are stored. */
export class SeedDemoTenants1764180000001 implements MigrationInterface {
  name = 'SeedDemoTenants1764180000001';

  async up(q: QueryRunner): Promise<void> {
    for (const t of DEMO_TENANTS) {
      const rows: { id: string }[] = await q.query(
        `INSERT INTO tenants (tenant_id, name, rate_limit_per_minute, rate_limit_per_hour, max_voices)
         VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [t.slug, t.name, t.perMin, t.perHour, t.voices],
      );
      await q.query(
        `INSERT INTO api_keys (tenant_id, name, prefix, key_hash) VALUES ($1, 'Demo key', $2, $3)`,
        [rows[0].id, t.key.slice(0, 8), sha256(t.key)],
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM tenants WHERE tenant_id = ANY($1)`, [
      DEMO_TENANTS.map((t) => t.slug),
    ]);
  }
}
