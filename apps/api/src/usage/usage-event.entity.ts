import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type UsageStatus = 'completed' | 'cancelled' | 'failed';

@Entity({ name: 'usage_events' })
export class UsageEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantUuid: string;

  @Column({ name: 'api_key_id', type: 'uuid', nullable: true })
  apiKeyId: string | null;

  @Column({ name: 'request_id', type: 'varchar', length: 128 })
  requestId: string;

  @Column({ type: 'varchar', length: 64 })
  endpoint: string;

  @Column({ name: 'voice_id', type: 'varchar', length: 64, nullable: true })
  voiceId: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  engine: string | null;

  @Column({ type: 'integer' })
  characters: number;

  /** Audio actually delivered to the client, in milliseconds. */
  @Column({ name: 'audio_ms', type: 'integer' })
  audioMs: number;

  @Column({ type: 'bigint' })
  bytes: number;

  @Column({ name: 'ttfb_ms', type: 'integer', nullable: true })
  ttfbMs: number | null;

  @Column({ name: 'total_ms', type: 'integer' })
  totalMs: number;

  @Column({ type: 'boolean' })
  streaming: boolean;

  /** Answered from the phrase cache: delivered and metered, no engine time spent. */
  @Column({ type: 'boolean', default: false })
  cached: boolean;

  @Column({ type: 'varchar', length: 16 })
  status: UsageStatus;

  @Column({ name: 'error_code', type: 'varchar', length: 64, nullable: true })
  errorCode: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

export type NewUsageEvent = Omit<UsageEvent, 'id' | 'createdAt'> & { createdAt: Date };
