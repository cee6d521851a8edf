import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateClips1764185000000 implements MigrationInterface {
  name = 'CreateClips1764185000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE clips (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        storage_key text NOT NULL,
        content_type varchar(64) NOT NULL,
        bytes integer NOT NULL CHECK (bytes >= 0),
        duration_ms integer NOT NULL CHECK (duration_ms >= 0),
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The sweeper's query; the tenant index serves the foreign key's cascade.
    await q.query(`CREATE INDEX clips_expires_at_idx ON clips (expires_at)`);
    await q.query(`CREATE INDEX clips_tenant_idx ON clips (tenant_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE clips`);
  }
}
