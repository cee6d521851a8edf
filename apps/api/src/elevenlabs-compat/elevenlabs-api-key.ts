import type { IncomingHttpHeaders } from 'node:http';
import { bearerToken } from '../auth/auth.guard';
import { AuthErrorCode, AuthException } from '../auth/auth.exception';
import type { CredentialReader } from '../auth/credentials';

/** ElevenLabs' header for the API key. */
export const XI_API_KEY = 'xi-api-key';

/**
 * The API key as ElevenLabs' clients send it: `xi-api-key` (the SDKs, LiveKit, Pipecat),
 * `Authorization: Bearer`, or `?xi_api_key=` (WebSocket clients that cannot set headers). The
 * value is one of our keys.
 */
export const elevenLabsApiKey: CredentialReader = (
  headers: IncomingHttpHeaders,
  query?: URLSearchParams,
): string => {
  const header = headers[XI_API_KEY];
  const fromHeader = (Array.isArray(header) ? header[0] : header)?.trim();
  if (fromHeader) return fromHeader;
  if (headers.authorization !== undefined) return bearerToken(headers.authorization);
  const fromQuery = query?.get('xi_api_key');
  if (fromQuery) return fromQuery;
  throw new AuthException(
    AuthErrorCode.MissingHeader,
    'API key required: send it in the xi-api-key header (or as Authorization: Bearer, or ?xi_api_key= on WebSockets)',
  );
};
