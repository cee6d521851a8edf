import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { PronunciationRule } from '@cw/text';

/** The rules of one version of a dictionary; never changed once written. */
@Entity({ name: 'pronunciation_dictionary_versions' })
export class PronunciationDictionaryVersion {
  @PrimaryColumn({ name: 'dictionary_uuid', type: 'uuid' })
  dictionaryUuid: string;

  @PrimaryColumn({ type: 'integer' })
  version: number;

  @Column({ type: 'jsonb' })
  rules: PronunciationRule[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
