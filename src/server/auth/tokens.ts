// API tokens: 32 random bytes, base64url. Only their sha256 is stored (store/queries/users.ts).
import { randomBytes } from 'node:crypto';

/** A new random API token. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A random 32-character key (Drone's repo `signer`/`secret`: used as 32 raw bytes of key). */
export function newRepoKey(): string {
  return randomBytes(24).toString('base64url');
}
