import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { Tenant } from '../../tenants/tenant.entity';
import type { SlotReservation } from '../../usage/slot-reservation';
import { requestIdOf } from '../http/request-id';

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

/** What the global AuthGuard leaves on a request it let through with a tenant key. */
export interface AuthenticatedRequest extends Request {
  tenant: Tenant;
  apiKey: AuthenticatedKey;
  /** Left by the rate-limit guard on routes marked `ReservesStreamSlot`. */
  slotReservation?: SlotReservation;
}

/**
 * Who is asking, read once per request (or WebSocket session) and passed down: every metered
 * route, the usage row and the logs take their tenant, key and request id from here.
 */
export interface RequestContext {
  tenant: Tenant;
  /** Null for work no API key asked for. */
  apiKeyId: string | null;
  requestId: string;
  /** A concurrency slot asked for before admission, which admission takes. */
  slotReservation?: SlotReservation;
}

export function requestContextOf(req: AuthenticatedRequest): RequestContext {
  return {
    tenant: req.tenant,
    apiKeyId: req.apiKey.id,
    requestId: requestIdOf(req),
    slotReservation: req.slotReservation,
  };
}

/** The caller's request context (tenant, API key id, request id), built by the global AuthGuard. */
export const Auth = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestContext =>
  requestContextOf(ctx.switchToHttp().getRequest<AuthenticatedRequest>()),
);
