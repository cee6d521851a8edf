import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

@Entity({ name: 'tenants' })
export class Tenant {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Public slug, e.g. `callwaiting_demo`. */
  @Column({ name: 'tenant_id', type: 'varchar', length: 64, unique: true })
  tenantId: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ name: 'rate_limit_per_minute', type: 'integer' })
  rateLimitPerMinute: number;

  @Column({ name: 'rate_limit_per_hour', type: 'integer' })
  rateLimitPerHour: number;

  @Column({ name: 'max_voices', type: 'integer' })
  maxVoices: number;

  /** Null: unlimited. */
  @Column({ name: 'monthly_quota_seconds', type: 'integer', nullable: true })
  monthlyQuotaSeconds: number | null;

  /** Null: the configured default. */
  @Column({ name: 'max_concurrent_streams', type: 'integer', nullable: true })
  maxConcurrentStreams: number | null;

  /** The built-in Nigerian lexicon applies to its synthesis unless a request says otherwise. */
  @Column({ name: 'nigerian_lexicon', type: 'boolean', default: true })
  nigerianLexicon: boolean;

  @Column({ name: 'is_active', type: 'boolean' })
  isActive: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
