import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { Voice } from './voice.entity';

/** A new row; its tenant is the one whose voices the transaction holds locked. */
export type NewVoice = Omit<Voice, 'id' | 'tenantUuid' | 'createdAt' | 'updatedAt'> & {
  id: string;
};

@Injectable()
export class VoicesRepository {
  constructor(
    @InjectRepository(Voice) private readonly repo: Repository<Voice>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** The voices the tenant can use: the built-ins, and its own uploads (what max_voices caps). */
  async countVisibleVoices(tenantUuid: string): Promise<{ builtin: number; uploaded: number }> {
    const row = await this.repo
      .createQueryBuilder('v')
      .select('count(*) FILTER (WHERE v.tenant_id IS NULL)::int', 'builtin')
      .addSelect('count(*) FILTER (WHERE v.tenant_id = :tenantUuid)::int', 'uploaded')
      .where('v.tenant_id IS NULL OR v.tenant_id = :tenantUuid', { tenantUuid })
      .getRawOne<{ builtin: number; uploaded: number }>();
    return { builtin: row?.builtin ?? 0, uploaded: row?.uploaded ?? 0 };
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

  /** The voices every tenant shares (seeded by migrations). */
  listBuiltinVoices(): Promise<Voice[]> {
    return this.repo
      .createQueryBuilder('v')
      .where('v.tenant_id IS NULL')
      .orderBy('v.voice_id', 'ASC')
      .getMany();
  }

  listVisibleVoices(tenantUuid: string): Promise<Voice[]> {
    return this.repo
      .createQueryBuilder('v')
      .where('v.tenant_id IS NULL OR v.tenant_id = :tenantUuid', { tenantUuid })
      .orderBy('v.source', 'ASC')
      .addOrderBy('v.created_at', 'ASC')
      .getMany();
  }

  /**
   * Runs `work` in a transaction holding the tenant's row lock, so concurrent uploads for one
   * tenant are serialized and the voice count they check cannot change under them.
   */
  withTenantVoicesLocked<T>(
    tenantUuid: string,
    work: (tx: VoicesTransaction, maxVoices: number) => Promise<T>,
  ): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      // The limit is read from the locked row, not from the (cached) tenant of the request.
      const rows: { max_voices: number }[] = await manager.query(
        'SELECT max_voices FROM tenants WHERE id = $1 FOR UPDATE',
        [tenantUuid],
      );
      return work(new VoicesTransaction(manager, tenantUuid), rows[0]?.max_voices ?? 0);
    });
  }

  /** Changes one of the tenant's own voices; false when the tenant owns no voice with that id. */
  async updateVoice(
    tenantUuid: string,
    id: string,
    changes: Partial<Pick<Voice, 'name' | 'description'>>,
  ): Promise<boolean> {
    const result = await this.repo.update({ id, tenantUuid }, changes);
    return (result.affected ?? 0) > 0;
  }

  /** Deletes one of the tenant's own voices; false when the tenant owns no voice with that id. */
  async deleteVoice(tenantUuid: string, id: string): Promise<boolean> {
    const result = await this.repo.delete({ id, tenantUuid });
    return (result.affected ?? 0) > 0;
  }
}

export class VoicesTransaction {
  constructor(
    private readonly manager: EntityManager,
    private readonly tenantUuid: string,
  ) {}

  /** The tenant's own voices (uploaded or on an engine's voice): what max_voices caps. */
  countOwnVoices(): Promise<number> {
    return this.manager.getRepository(Voice).countBy({ tenantUuid: this.tenantUuid });
  }

  insertVoice(voice: NewVoice): Promise<Voice> {
    const repo = this.manager.getRepository(Voice);
    return repo.save(repo.create({ ...voice, tenantUuid: this.tenantUuid }));
  }
}
