// Webhook authenticity checks, always over the raw request body and in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Hex HMAC of `body` with `key`. */
export function hmacHex(algorithm: 'sha1' | 'sha256', key: string, body: Buffer | string): string {
  return createHmac(algorithm, key).update(body).digest('hex');
}

/** Compares two strings in time that depends only on their lengths. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  if (x.length !== y.length) {
    // Still do the work of one comparison, so a wrong length is not measurably faster.
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

/** True when `signature` (hex, optionally `algo=`-prefixed) is the HMAC of `body` with `key`. */
export function validHmac(
  algorithm: 'sha1' | 'sha256',
  key: string,
  body: Buffer,
  signature: string,
  prefix = '',
): boolean {
  if (!signature.startsWith(prefix)) return false;
  const given = signature.slice(prefix.length).trim().toLowerCase();
  return safeEqual(given, hmacHex(algorithm, key, body));
}
