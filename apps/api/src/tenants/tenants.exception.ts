import { DomainException } from '../common/errors/domain.exception';

export enum TenantErrorCode {
  NotFound = 'tenant_not_found',
  AlreadyExists = 'tenant_exists',
  Inactive = 'tenant_inactive',
}

const STATUS: Record<TenantErrorCode, number> = {
  [TenantErrorCode.NotFound]: 404,
  [TenantErrorCode.AlreadyExists]: 409,
  [TenantErrorCode.Inactive]: 403,
};

export class TenantException extends DomainException {
  constructor(code: TenantErrorCode, message: string) {
    super(code, message, STATUS[code]);
  }
}
