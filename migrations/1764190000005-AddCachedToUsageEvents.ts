import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddCachedToUsageEvents1764190000005 implements MigrationInterface {
  name = 'AddCachedToUsageEvents1764190000005';

  async up(q: QueryRunner): Promise<void> {
    // A request answered from the phrase cache is still metered; this says it cost no engine time.
    await q.query(`ALTER TABLE usage_events ADD COLUMN cached boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE usage_events DROP COLUMN cached`);
  }
}
