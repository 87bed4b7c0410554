// Request signing of Drone's extension clients (drone-go plugin/internal/client with
// 99designs/httpsignatures-go, draft-cavage HTTP Signatures): a `Digest: SHA-256=<base64>` of the
// body, a `Date`, and a `Signature` header whose hmac-sha256 — keyed with the secret's bytes as
// they are — covers `accept`, `accept-encoding`, `content-type`, `date` and `digest`, each as a
// `name: value` line. Drone leaves out (request-target) because proxies rewrite it.
import { createHash, createHmac } from 'node:crypto';

/** The headers Drone signs, in order. */
export const SIGNED_HEADERS = ['accept', 'accept-encoding', 'content-type', 'date', 'digest'] as const;

/** The headers of a signed JSON POST of `body` (`date` as HTTP's IMF-fixdate). */
export function signedHeaders(body: string, secret: string, date: Date): Record<string, string> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'accept-encoding': 'identity',
    'content-type': 'application/json',
    date: date.toUTCString(),
    digest: `SHA-256=${createHash('sha256').update(body, 'utf8').digest('base64')}`,
  };
  const signingString = SIGNED_HEADERS.map((h) => `${h}: ${headers[h]}`).join('\n');
  const signature = createHmac('sha256', Buffer.from(secret, 'utf8')).update(signingString).digest('base64');
  headers.signature = `keyId="hmac-key",algorithm="hmac-sha256",signature="${signature}",headers="${SIGNED_HEADERS.join(' ')}"`;
  return headers;
}
