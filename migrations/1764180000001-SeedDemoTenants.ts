import { createHash } from 'node:crypto';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tenants and keys the Python predecessor shipped with; existing integrations call with these
 * keys. Only their SHA-256 hashes are stored. In production the service refuses to start while
 * either key is active, unless ALLOW_DEMO_KEYS=true.
 */
export const DEMO_KEYS = ['cw_demo_12345', 'test_key_67890'];

const DEMO_TENANTS = [
  {
    slug: 'callwaiting_demo',
    name: 'CallWaiting Demo',
    key: 'cw_demo_12345',
    perMin: 1000,
    perHour: 10000,
    voices: 20,
  },
  {
    slug: 'test_tenant',
    name: 'Test Tenant',
    key: 'test_key_67890',
    perMin: 100,
    perHour: 1000,
    voices: 5,
  },
];

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

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
