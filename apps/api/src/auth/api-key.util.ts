import { createHash } from 'node:crypto';
import { DEMO_KEYS } from '@cw/db';
import { randomBase62 } from '../common/random-id';

export const LIVE_KEY_PREFIX = 'cw_live_';
const LIVE_KEY = /^cw_live_[0-9A-Za-z]{32}$/;

/** `cw_live_` + 32 base62 characters (~190 bits), drawn with a CSPRNG without modulo bias. */
export function generateApiKey(): string {
  return LIVE_KEY_PREFIX + randomBase62(32);
}

/**
 * Whether `token` could be one of our keys: a generated `cw_live_` key or a seeded demo key. Any
 * other token is refused without a database lookup.
 */
export function isWellFormedApiKey(token: string): boolean {
  return LIVE_KEY.test(token) || DEMO_KEYS.includes(token);
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** What we show of a key: the scheme prefix plus four characters. */
export function displayPrefix(key: string): string {
  return key.startsWith(LIVE_KEY_PREFIX)
    ? key.slice(0, LIVE_KEY_PREFIX.length + 4)
    : key.slice(0, 8);
}
