import { SetMetadata } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { AuthErrorCode, AuthException } from './auth.exception';

/**
 * Reads the tenant API key from a request's headers (or, for clients that cannot set headers, its
 * query); throws a 401 AuthException when absent.
 */
export type CredentialReader = (headers: IncomingHttpHeaders, query?: URLSearchParams) => string;

export const CREDENTIAL_READER = 'cw:credential-reader';

/**
 * Where a route family (a vendor-compatible surface) finds the API key, instead of our
 * `Authorization: Bearer`. The global AuthGuard uses the reader; the key itself is checked the
 * same way on every route.
 */
export const ApiKeyFrom = (reader: CredentialReader) => SetMetadata(CREDENTIAL_READER, reader);

/**
 * `Authorization: <scheme> <key>` with any of `schemes` (any case), e.g. Deepgram's `Token` and
 * `Bearer`. Missing header and bad format get the same 401s as our own routes.
 */
export function authorizationSchemes(...schemes: string[]): CredentialReader {
  const pattern = new RegExp(`^(?:${schemes.join('|')})\\s+(\\S+)\\s*$`, 'i');
  return (headers) => {
    const header = headers.authorization;
    if (header === undefined || header.trim() === '')
      throw new AuthException(AuthErrorCode.MissingHeader);
    const match = pattern.exec(header);
    if (!match) throw new AuthException(AuthErrorCode.InvalidFormat);
    return match[1];
  };
}

/** Our own routes: `Authorization: Bearer <key>`. */
export const bearerCredential: CredentialReader = authorizationSchemes('Bearer');
