import { createHmac, timingSafeEqual } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Canonical decimal only (no leading zeros), so one expiry has exactly one spelling. */
const EXPIRES = /^[1-9][0-9]{0,11}$/;
/** HMAC-SHA256 in unpadded base64url: 43 characters. */
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

export const CLIP_URL_SIGNER = Symbol('CLIP_URL_SIGNER');

/**
 * Signs `(clip id, expiry)` so a URL can be handed to a third party (Twilio) that has no API key:
 * whoever holds the URL may fetch that one clip until it expires, and changing either part
 * breaks the signature.
 */
export class ClipUrlSigner {
  constructor(private readonly secret: Buffer) {}

  /** `expiresS`: Unix time in seconds. */
  sign(id: string, expiresS: number): string {
    return createHmac('sha256', this.secret)
      .update(`clip:v1:${id}:${expiresS}`)
      .digest('base64url');
  }

  /** Constant-time check of a signature from a URL; malformed parts never verify. */
  verify(id: string, expires: unknown, signature: unknown): boolean {
    if (!UUID.test(id) || typeof expires !== 'string' || typeof signature !== 'string')
      return false;
    if (!EXPIRES.test(expires) || !SIGNATURE.test(signature)) return false;
    const expected = Buffer.from(this.sign(id, Number(expires)));
    return timingSafeEqual(expected, Buffer.from(signature));
  }
}
