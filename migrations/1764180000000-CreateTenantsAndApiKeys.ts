import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateTenantsAndApiKeys1764180000000 implements MigrationInterface {
  name = 'CreateTenantsAndApiKeys1764180000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tenants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id varchar(64) NOT NULL,
        name varchar(200) NOT NULL,
        rate_limit_per_minute integer NOT NULL DEFAULT 60 CHECK (rate_limit_per_minute > 0),
        rate_limit_per_hour integer NOT NULL DEFAULT 1000 CHECK (rate_limit_per_hour > 0),
        max_voices integer NOT NULL DEFAULT 5 CHECK (max_voices >= 0),
        monthly_quota_seconds integer NULL CHECK (monthly_quota_seconds >= 0),
        max_concurrent_streams integer NULL CHECK (max_concurrent_streams > 0),
        is_active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT tenants_tenant_id_key UNIQUE (tenant_id),
        CONSTRAINT tenants_tenant_id_slug CHECK (tenant_id ~ '^[a-z0-9][a-z0-9_-]{1,63}$')
      )`);
    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        name varchar(200) NOT NULL,
        prefix varchar(16) NOT NULL,
        key_hash char(64) NOT NULL,
        scopes text[] NOT NULL DEFAULT ARRAY['*'],
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz NULL,
        expires_at timestamptz NULL,
        revoked_at timestamptz NULL,
        CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash)
      )`);
    await q.query(`CREATE INDEX api_keys_tenant_id_idx ON api_keys (tenant_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_keys`);
    await q.query(`DROP TABLE tenants`);
  }
}
