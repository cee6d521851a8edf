import { DomainException } from '../common/errors/domain.exception';

export enum AuthErrorCode {
  MissingHeader = 'missing_authorization',
  InvalidFormat = 'invalid_authorization_format',
  InvalidKey = 'invalid_api_key',
  TenantInactive = 'tenant_inactive',
  KeyNotFound = 'api_key_not_found',
  TooManyFailures = 'too_many_auth_failures',
}

/** The exact messages the Python predecessor sent; clients match on them. */
export const AUTH_MESSAGES = {
  [AuthErrorCode.MissingHeader]: 'Authorization header required',
  [AuthErrorCode.InvalidFormat]: 'Invalid authorization format',
  [AuthErrorCode.InvalidKey]: 'Invalid API key',
  [AuthErrorCode.TenantInactive]: 'Tenant is inactive',
  [AuthErrorCode.KeyNotFound]: 'API key not found',
  [AuthErrorCode.TooManyFailures]:
    'Too many failed authentications from this address; retry after Retry-After seconds',
} as const;

const STATUS: Record<AuthErrorCode, number> = {
  [AuthErrorCode.MissingHeader]: 401,
  [AuthErrorCode.InvalidFormat]: 401,
  [AuthErrorCode.InvalidKey]: 401,
  [AuthErrorCode.TenantInactive]: 403,
  [AuthErrorCode.KeyNotFound]: 404,
  [AuthErrorCode.TooManyFailures]: 429,
};

export class AuthException extends DomainException {
  constructor(code: AuthErrorCode, message: string = AUTH_MESSAGES[code], retryAfterS?: number) {
    const headers: Record<string, string> = {};
    if (STATUS[code] === 401) headers['WWW-Authenticate'] = 'Bearer';
    if (retryAfterS !== undefined) headers['Retry-After'] = String(retryAfterS);
    super(code, message, STATUS[code], {
      headers: Object.keys(headers).length ? headers : undefined,
    });
  }
}
