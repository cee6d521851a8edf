import { SetMetadata } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { bearerToken } from './auth.guard';

/**
 * Where a caller put its API key, for clients that cannot send `Authorization: Bearer` (vendor
 * SDKs: `xi-api-key`, `X-API-Key`, `Authorization: Token`). Returns undefined when absent.
 */
export type ApiKeySource = (req: { headers: IncomingHttpHeaders }) => string | undefined;

export const API_KEY_SOURCES = 'cw:api-key-sources';

/**
 * The routes of a controller (or one handler) also take the key from these places, tried in
 * order before `Authorization: Bearer`. Every other route keeps Bearer only.
 */
export const AcceptApiKeyFrom = (...sources: ApiKeySource[]) =>
  SetMetadata(API_KEY_SOURCES, sources);

/** The key as the whole value of a header (`xi-api-key: <key>`). */
export function headerKey(name: string): ApiKeySource {
  const header = name.toLowerCase();
  return ({ headers }) => {
    const value = headers[header];
    const key = Array.isArray(value) ? value[0] : value;
    return key?.trim() ? key.trim() : undefined;
  };
}

/** The first key a source finds, or the Bearer token (with Bearer's 401s when there is none). */
export function apiKeyOf(
  req: { headers: IncomingHttpHeaders },
  sources: readonly ApiKeySource[],
): string {
  for (const source of sources) {
    const key = source(req);
    if (key !== undefined) return key;
  }
  return bearerToken(req.headers.authorization);
}
