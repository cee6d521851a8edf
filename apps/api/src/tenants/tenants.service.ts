import { Injectable } from '@nestjs/common';
import { Tenant } from './tenant.entity';
import { NewTenant, TenantChanges, TenantsRepository } from './tenants.repository';
import { TenantErrorCode, TenantException } from './tenants.exception';
import { echo } from '../common/errors/echo';

type Listener = (tenant: Tenant) => void;

@Injectable()
export class TenantsService {
  private readonly changeListeners: Listener[] = [];

  constructor(private readonly tenants: TenantsRepository) {}

  async getBySlug(tenantId: string): Promise<Tenant> {
    const tenant = await this.tenants.findBySlug(tenantId);
    if (!tenant)
      throw new TenantException(TenantErrorCode.NotFound, `Tenant '${echo(tenantId)}' not found`);
    return tenant;
  }

  list(): Promise<Tenant[]> {
    return this.tenants.listAll();
  }

  create(data: NewTenant): Promise<Tenant> {
    return this.tenants.insertTenant(data);
  }

  async update(tenantId: string, changes: TenantChanges): Promise<Tenant> {
    const tenant = await this.getBySlug(tenantId);
    await this.tenants.updateTenant(tenant.id, changes);
    const updated = await this.getBySlug(tenantId);
    for (const listener of this.changeListeners) listener(updated);
    return updated;
  }

  /** Lets the auth cache drop a tenant's cached limits and status the moment they change. */
  onTenantChanged(listener: Listener): void {
    this.changeListeners.push(listener);
  }
}
