import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePronunciationDictionaries1764190000001 implements MigrationInterface {
  name = 'CreatePronunciationDictionaries1764190000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE pronunciation_dictionaries (
        id uuid PRIMARY KEY,
        dictionary_id varchar(32) NOT NULL UNIQUE,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        name varchar(200) NOT NULL,
        description text,
        is_default boolean NOT NULL DEFAULT false,
        latest_version integer NOT NULL CHECK (latest_version >= 1),
        rules_count integer NOT NULL CHECK (rules_count >= 0),
        rules_bytes integer NOT NULL CHECK (rules_bytes >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Listing and the per-tenant sums behind the limits.
    await q.query(
      `CREATE INDEX pronunciation_dictionaries_tenant_idx ON pronunciation_dictionaries (tenant_id, created_at)`,
    );
    // Every version's rules stay, so a request names exactly what it was spoken with.
    await q.query(`
      CREATE TABLE pronunciation_dictionary_versions (
        dictionary_uuid uuid NOT NULL REFERENCES pronunciation_dictionaries(id) ON DELETE CASCADE,
        version integer NOT NULL CHECK (version >= 1),
        rules jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (dictionary_uuid, version)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE pronunciation_dictionary_versions`);
    await q.query(`DROP TABLE pronunciation_dictionaries`);
  }
}
