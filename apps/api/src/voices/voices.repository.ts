import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Voice } from './voice.entity';

@Injectable()
export class VoicesRepository {
  constructor(@InjectRepository(Voice) private readonly repo: Repository<Voice>) {}

  /** Built-in voices plus the tenant's own. */
  countVisibleVoices(tenantUuid: string): Promise<number> {
    return this.repo
      .createQueryBuilder('v')
      .where('v.tenant_id IS NULL OR v.tenant_id = :tenantUuid', { tenantUuid })
      .getCount();
  }

  /** A built-in voice, or one the tenant owns; another tenant's voice is never returned. */
  findVisibleVoice(tenantUuid: string, voiceId: string): Promise<Voice | null> {
    return this.repo
      .createQueryBuilder('v')
      .where('v.voice_id = :voiceId', { voiceId })
      .andWhere('(v.tenant_id IS NULL OR v.tenant_id = :tenantUuid)', { tenantUuid })
      .orderBy('v.tenant_id', 'ASC', 'NULLS LAST')
      .getOne();
  }

  listVisibleVoices(tenantUuid: string): Promise<Voice[]> {
    return this.repo
      .createQueryBuilder('v')
      .where('v.tenant_id IS NULL OR v.tenant_id = :tenantUuid', { tenantUuid })
      .orderBy('v.source', 'ASC')
      .addOrderBy('v.created_at', 'ASC')
      .getMany();
  }
}
