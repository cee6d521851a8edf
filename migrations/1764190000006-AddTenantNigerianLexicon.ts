import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddTenantNigerianLexicon1764190000006 implements MigrationInterface {
  name = 'AddTenantNigerianLexicon1764190000006';

  async up(q: QueryRunner): Promise<void> {
    // The built-in Nigerian lexicon is on unless a tenant turns it off.
    await q.query(`ALTER TABLE tenants ADD COLUMN nigerian_lexicon boolean NOT NULL DEFAULT true`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tenants DROP COLUMN nigerian_lexicon`);
  }
}
