import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { ApiKey } from './api-key.entity';

@Injectable()
export class ApiKeysRepository {
  constructor(@InjectRepository(ApiKey) private readonly repo: Repository<ApiKey>) {}

  /** The key with this hash and its tenant, whatever its state (the caller checks it). */
  findByHashWithTenant(keyHash: string): Promise<ApiKey | null> {
    return this.repo.findOne({ where: { keyHash }, relations: { tenant: true } });
  }

  insertKey(data: Pick<ApiKey, 'tenantUuid' | 'name' | 'prefix' | 'keyHash'>): Promise<ApiKey> {
    return this.repo.save(this.repo.create({ ...data, scopes: ['*'] }));
  }

  listForTenant(tenantUuid: string): Promise<ApiKey[]> {
    return this.repo.find({ where: { tenantUuid }, order: { createdAt: 'ASC' } });
  }

  /** Returns the revoked key, or null if there is no such unrevoked key. */
  async revokeKey(id: string): Promise<ApiKey | null> {
    const result = await this.repo
      .createQueryBuilder()
      .update(ApiKey)
      .set({ revokedAt: () => 'now()' })
      .where({ id, revokedAt: IsNull() })
      .returning('*')
      .execute();
    const row = (result.raw as Record<string, unknown>[])[0];
    return row ? this.repo.create({ id: row.id as string, keyHash: row.key_hash as string }) : null;
  }

  async touchLastUsed(id: string): Promise<void> {
    await this.repo.update({ id }, { lastUsedAt: () => 'now()' });
  }

  async countActiveWithHashes(hashes: string[]): Promise<number> {
    return this.repo
      .createQueryBuilder('k')
      .where('k.key_hash IN (:...hashes)', { hashes })
      .andWhere('k.revoked_at IS NULL')
      .andWhere('(k.expires_at IS NULL OR k.expires_at > now())')
      .getCount();
  }
}
