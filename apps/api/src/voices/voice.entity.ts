import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

/** `engine`: a tenant's voice on one of an engine's own voices (no reference audio). */
export type VoiceSource = 'builtin' | 'uploaded' | 'engine';
export type VoiceCloning = 'native' | 'approximate' | 'none';

@Entity({ name: 'voices' })
export class Voice {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Public id: a built-in name, or a random id for uploaded voices. */
  @Column({ name: 'voice_id', type: 'varchar', length: 64 })
  voiceId: string;

  /** Owner; null for built-in voices. */
  @Column({ name: 'tenant_id', type: 'uuid', nullable: true })
  tenantUuid: string | null;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'varchar', length: 16 })
  language: string;

  @Column({ type: 'varchar', length: 16, nullable: true })
  gender: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  accent: string | null;

  @Column({ type: 'varchar', length: 16 })
  source: VoiceSource;

  @Column({ type: 'varchar', length: 32 })
  engine: string;

  /** The engine's own name for the voice (an upstream's `af_heart`), when it has one. */
  @Column({ name: 'engine_voice', type: 'varchar', length: 200, nullable: true })
  engineVoice: string | null;

  @Column({ name: 'reference_storage_key', type: 'text', nullable: true })
  referenceStorageKey: string | null;

  @Column({ name: 'reference_sha256', type: 'char', length: 64, nullable: true })
  referenceSha256: string | null;

  @Column({ name: 'reference_duration_ms', type: 'integer', nullable: true })
  referenceDurationMs: number | null;

  @Column({ name: 'reference_sample_rate', type: 'integer', nullable: true })
  referenceSampleRate: number | null;

  @Column({ name: 'reference_channels', type: 'smallint', nullable: true })
  referenceChannels: number | null;

  @Column({ name: 'reference_format', type: 'varchar', length: 16, nullable: true })
  referenceFormat: string | null;

  @Column({ type: 'varchar', length: 16 })
  cloning: VoiceCloning;

  /** Per engine id, that engine's parameters: `{espeak: {...preset}, xtts: {...latents}}`. */
  @Column({ type: 'jsonb' })
  conditioning: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
