import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { Tenant } from '../tenants/tenant.entity';

export const AUTH_MODE = 'cw:auth-mode';
export type AuthMode = 'public' | 'admin' | 'tenant';

/** No credentials needed (root, health, docs). */
export const Public = () => SetMetadata(AUTH_MODE, 'public' satisfies AuthMode);

/** Only the operator's ADMIN_API_KEY; tenant keys are refused. */
export const AdminOnly = () => SetMetadata(AUTH_MODE, 'admin' satisfies AuthMode);

export interface AuthenticatedKey {
  id: string;
  prefix: string;
  scopes: string[];
}

export interface AuthenticatedRequest extends Request {
  tenant: Tenant;
  apiKey: AuthenticatedKey;
}

/** The caller's tenant, set by the global AuthGuard. */
export const CurrentTenant = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Tenant =>
    ctx.switchToHttp().getRequest<AuthenticatedRequest>().tenant,
);

/** The API key the caller used (id and prefix only). */
export const CurrentApiKey = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): AuthenticatedKey =>
    ctx.switchToHttp().getRequest<AuthenticatedRequest>().apiKey,
);
