import type { IncomingHttpHeaders } from 'node:http';
import { bearerToken } from '../auth/auth.guard';
import { AuthErrorCode, AuthException } from '../auth/auth.exception';
import type { CredentialReader } from '../auth/credentials';

/**
 * The API key as Cartesia's clients send it: `X-API-Key` (LiveKit, Pipecat), `Authorization:
 * Bearer` (the official SDK), or `?api_key=` (browsers' WebSockets). The value is one of our keys.
 */
export const cartesiaApiKey: CredentialReader = (
  headers: IncomingHttpHeaders,
  query?: URLSearchParams,
): string => {
  const header = headers['x-api-key'];
  const fromHeader = (Array.isArray(header) ? header[0] : header)?.trim();
  if (fromHeader) return fromHeader;
  if (headers.authorization !== undefined) return bearerToken(headers.authorization);
  const fromQuery = query?.get('api_key');
  if (fromQuery) return fromQuery;
  throw new AuthException(
    AuthErrorCode.MissingHeader,
    'API key required: send it in the X-API-Key header, as Authorization: Bearer, or as ?api_key=',
  );
};
