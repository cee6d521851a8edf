import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'pronunciation_dictionaries' })
export class PronunciationDictionary {
  @PrimaryColumn('uuid')
  id: string;

  /** Public id, `pd_` and 20 base62 characters. */
  @Column({ name: 'dictionary_id', type: 'varchar', length: 32 })
  dictionaryId: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantUuid: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** Applied to the tenant's requests that name no dictionaries. */
  @Column({ name: 'is_default', type: 'boolean' })
  isDefault: boolean;

  @Column({ name: 'latest_version', type: 'integer' })
  latestVersion: number;

  @Column({ name: 'rules_count', type: 'integer' })
  rulesCount: number;

  /** UTF-8 bytes of the latest version's rule text, counted against the tenant's limit. */
  @Column({ name: 'rules_bytes', type: 'integer' })
  rulesBytes: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
