import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { timingSafeEqual, createHash } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@cw/config';
import { clientAddress } from '../common/http/client-address';
import { compileTrustProxy, type TrustProxy } from '../common/http/trust-proxy';
import { ApiKeysService } from './api-keys.service';
import { AuthFailureLimiter } from './auth-failure.limiter';
import {
  AUTH_MODE,
  AuthenticatedRequest,
  AuthMode,
} from '../common/request-context/request-context';
import { AuthErrorCode, AuthException } from './auth.exception';
import { bearerCredential, CREDENTIAL_READER, type CredentialReader } from './credentials';
import { echo } from '../common/errors/echo';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Reads `Authorization: Bearer <token>`; throws the predecessor's exact 401 messages. */
export function bearerToken(header: string | undefined): string {
  if (header === undefined || header.trim() === '')
    throw new AuthException(AuthErrorCode.MissingHeader);
  const match = BEARER.exec(header);
  if (!match) throw new AuthException(AuthErrorCode.InvalidFormat);
  return match[1];
}

/** The query of a request URL, parsed only when there is one (most requests have none). */
function queryOf(url: string): URLSearchParams | undefined {
  const start = url.indexOf('?');
  return start < 0 ? undefined : new URLSearchParams(url.slice(start + 1));
}

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * Global guard: every route needs a tenant key unless marked @Public() or @AdminOnly().
 * Sets `req.tenant` and `req.apiKey` for the throttler, controllers and logs.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
    private readonly failures: AuthFailureLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.trustProxy = compileTrustProxy(config.auth.trustProxy);
  }

  private readonly trustProxy: TrustProxy;

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const mode =
      this.reflector.getAllAndOverride<AuthMode>(AUTH_MODE, [
        context.getHandler(),
        context.getClass(),
      ]) ?? 'tenant';
    if (mode === 'public') return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (mode === 'admin') {
      const adminKey = this.config.auth.adminApiKey;
      // Without an admin key configured the admin API does not exist.
      if (!adminKey) throw new NotFoundException(`Cannot ${req.method} ${echo(req.path)}`);
      const token = bearerToken(req.headers.authorization);
      // Checked before comparing, so a guesser over the limit learns nothing more.
      await this.failures.assertNotBlocked(clientAddress(req, this.trustProxy));
      if (!sameSecret(token, adminKey)) {
        await this.failures.fail(
          clientAddress(req, this.trustProxy),
          new AuthException(AuthErrorCode.InvalidKey),
        );
      }
      return true;
    }
    const read =
      this.reflector.getAllAndOverride<CredentialReader>(CREDENTIAL_READER, [
        context.getHandler(),
        context.getClass(),
      ]) ?? bearerCredential;
    const { key, tenant } = await this.apiKeys.authenticate(
      read(req.headers, queryOf(req.originalUrl ?? req.url)),
      clientAddress(req, this.trustProxy),
    );
    req.tenant = tenant;
    req.apiKey = { id: key.id, prefix: key.prefix, scopes: key.scopes };
    return true;
  }
}
