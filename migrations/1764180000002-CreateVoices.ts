import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateVoices1764180000002 implements MigrationInterface {
  name = 'CreateVoices1764180000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE voices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        voice_id varchar(64) NOT NULL,
        tenant_id uuid NULL REFERENCES tenants(id) ON DELETE CASCADE,
        name varchar(200) NOT NULL,
        description text NULL,
        language varchar(16) NOT NULL DEFAULT 'en',
        gender varchar(16) NULL,
        accent varchar(64) NULL,
        source varchar(16) NOT NULL CHECK (source IN ('builtin', 'uploaded')),
        engine varchar(32) NOT NULL,
        reference_storage_key text NULL,
        reference_sha256 char(64) NULL,
        reference_duration_ms integer NULL,
        reference_sample_rate integer NULL,
        reference_channels smallint NULL,
        reference_format varchar(16) NULL,
        cloning varchar(16) NOT NULL DEFAULT 'none' CHECK (cloning IN ('native', 'approximate', 'none')),
        conditioning jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        -- Built-in voices have no tenant and are visible to all; uploaded ones belong to one tenant.
        CONSTRAINT voices_owner CHECK ((source = 'builtin') = (tenant_id IS NULL))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX voices_tenant_voice_id_key ON voices (tenant_id, voice_id) WHERE tenant_id IS NOT NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX voices_builtin_voice_id_key ON voices (voice_id) WHERE tenant_id IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE voices`);
  }
}
