import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Audio stored for a signed URL; the row and its file are deleted once `expiresAt` passes. */
@Entity({ name: 'clips' })
export class Clip {
  /** Random (v4) and chosen by us before the audio is stored; also the public id in the URL. */
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantUuid: string;

  @Column({ name: 'storage_key', type: 'text' })
  storageKey: string;

  @Column({ name: 'content_type', type: 'varchar', length: 64 })
  contentType: string;

  @Column({ type: 'integer' })
  bytes: number;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs: number;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

export type NewClip = Omit<Clip, 'createdAt'>;
