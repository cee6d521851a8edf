import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import { Tenant } from './tenant.entity';
import { TenantErrorCode, TenantException } from './tenants.exception';
import { echo } from '../common/errors/echo';

export type NewTenant = Pick<
  Tenant,
  | 'tenantId'
  | 'name'
  | 'rateLimitPerMinute'
  | 'rateLimitPerHour'
  | 'maxVoices'
  | 'monthlyQuotaSeconds'
  | 'maxConcurrentStreams'
>;
export type TenantChanges = Partial<
  Omit<NewTenant, 'tenantId'> & { isActive: boolean; nigerianLexicon: boolean }
>;

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class TenantsRepository {
  constructor(@InjectRepository(Tenant) private readonly repo: Repository<Tenant>) {}

  findBySlug(tenantId: string): Promise<Tenant | null> {
    return this.repo.findOneBy({ tenantId });
  }

  findById(id: string): Promise<Tenant | null> {
    return this.repo.findOneBy({ id });
  }

  listAll(): Promise<Tenant[]> {
    return this.repo.find({ order: { createdAt: 'ASC' } });
  }

  async insertTenant(data: NewTenant): Promise<Tenant> {
    try {
      return await this.repo.save(this.repo.create({ ...data, isActive: true }));
    } catch (err) {
      if (err instanceof QueryFailedError && (err as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new TenantException(
          TenantErrorCode.AlreadyExists,
          `Tenant '${echo(data.tenantId)}' already exists`,
        );
      }
      throw err;
    }
  }

  async updateTenant(id: string, changes: TenantChanges): Promise<void> {
    await this.repo.update({ id }, changes);
  }
}
