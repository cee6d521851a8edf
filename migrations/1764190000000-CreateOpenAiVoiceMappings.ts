import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateOpenAiVoiceMappings1764190000000 implements MigrationInterface {
  name = 'CreateOpenAiVoiceMappings1764190000000';

  async up(q: QueryRunner): Promise<void> {
    // A tenant's choice of voice for an OpenAI voice name; names without a row use the default
    // table. voice_id is ours (built-in or the tenant's own), checked when it is set.
    await q.query(`
      CREATE TABLE openai_voice_mappings (
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        openai_voice varchar(32) NOT NULL,
        voice_id varchar(64) NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, openai_voice)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE openai_voice_mappings`);
  }
}
