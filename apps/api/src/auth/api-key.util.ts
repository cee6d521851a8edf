import { createHash } from 'node:crypto';
import { randomBase62 } from '../common/random-id';

export const LIVE_KEY_PREFIX = 'cw_live_';

/** `cw_live_` + 32 base62 characters (~190 bits), drawn with a CSPRNG without modulo bias. */
export function generateApiKey(): string {
  return LIVE_KEY_PREFIX + randomBase62(32);
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
