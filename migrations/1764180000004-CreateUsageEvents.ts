import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateUsageEvents1764180000004 implements MigrationInterface {
  name = 'CreateUsageEvents1764180000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE usage_events (
        id bigserial PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        api_key_id uuid NULL REFERENCES api_keys(id) ON DELETE SET NULL,
        request_id varchar(128) NOT NULL,
        endpoint varchar(64) NOT NULL,
        voice_id varchar(64) NULL,
        engine varchar(32) NULL,
        characters integer NOT NULL DEFAULT 0,
        audio_ms integer NOT NULL DEFAULT 0,
        bytes bigint NOT NULL DEFAULT 0,
        ttfb_ms integer NULL,
        total_ms integer NOT NULL DEFAULT 0,
        streaming boolean NOT NULL DEFAULT false,
        status varchar(16) NOT NULL CHECK (status IN ('completed', 'cancelled', 'failed')),
        error_code varchar(64) NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX usage_events_tenant_created_idx ON usage_events (tenant_id, created_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE usage_events`);
  }
}
