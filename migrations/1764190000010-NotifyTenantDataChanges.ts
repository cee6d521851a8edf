import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every write to the tables the request path caches (keys, tenants, voices, pronunciation
 * dictionaries, OpenAI voice mappings) notifies channel `cw_changes` with the table and the
 * tenant it belongs to (null for the built-in voices, which every tenant sees). Each replica
 * listens and drops what it cached for that tenant, whoever wrote: the API of any replica, the
 * admin CLI, a migration or an operator's SQL. A notification is sent when the transaction
 * commits, and identical ones in one transaction are sent once.
 */
const TABLES: [table: string, tenantColumn: string, events: string][] = [
  ['tenants', 'id', 'INSERT OR UPDATE OR DELETE'],
  // Not last_used_at, which every key in use updates once a minute and nobody caches.
  [
    'api_keys',
    'tenant_id',
    'INSERT OR DELETE OR UPDATE OF tenant_id, name, prefix, key_hash, scopes, expires_at, revoked_at',
  ],
  ['voices', 'tenant_id', 'INSERT OR UPDATE OR DELETE'],
  ['pronunciation_dictionaries', 'tenant_id', 'INSERT OR UPDATE OR DELETE'],
  ['openai_voice_mappings', 'tenant_id', 'INSERT OR UPDATE OR DELETE'],
];

export class NotifyTenantDataChanges1764190000010 implements MigrationInterface {
  name = 'NotifyTenantDataChanges1764190000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION cw_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        changed jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
      BEGIN
        PERFORM pg_notify('cw_changes', json_build_object(
          'table', TG_TABLE_NAME,
          'tenant', changed ->> TG_ARGV[0]
        )::text);
        RETURN NULL;
      END
      $$`);
    for (const [table, column, events] of TABLES) {
      await q.query(
        `CREATE TRIGGER ${table}_notify_change AFTER ${events} ON ${table}
         FOR EACH ROW EXECUTE FUNCTION cw_notify_change('${column}')`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [table] of TABLES) {
      await q.query(`DROP TRIGGER ${table}_notify_change ON ${table}`);
    }
    await q.query(`DROP FUNCTION cw_notify_change()`);
  }
}
