import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** One tenant's choice of voice for one OpenAI voice name. */
@Entity('openai_voice_mappings')
export class OpenAiVoiceMapping {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @PrimaryColumn({ name: 'openai_voice', type: 'varchar', length: 32 })
  openaiVoice: string;

  @Column({ name: 'voice_id', type: 'varchar', length: 64 })
  voiceId: string;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
