// `kind: secret` documents (drone-reference.md §5.7): a value encrypted with the repository's own
// 32-character `secret` as the AES-256-GCM key, base64 of nonce ‖ ciphertext ‖ tag, as Drone's
// `POST /encrypt` answers and its encrypted-secret plugin reads.
import { open, seal } from './box.js';

/** The repo has no usable encryption key (it was never enabled). */
export class RepoKeyError extends Error {
  override name = 'RepoKeyError';
  constructor() {
    super('the repository has no encryption key; enable it first');
  }
}

function repoKey(repoSecret: string): Buffer {
  const key = Buffer.from(repoSecret, 'utf8');
  if (key.length !== 32) throw new RepoKeyError();
  return key;
}

/** Encrypts `plain` for the repo: the `data` of a `kind: secret` document. */
export function encryptForRepo(repoSecret: string, plain: string): string {
  return seal(repoKey(repoSecret), Buffer.from(plain, 'utf8')).toString('base64');
}

/** Decrypts a `kind: secret` document's `data`; SecretOpenError when it was not made for this repo. */
export function decryptForRepo(repoSecret: string, data: string): string {
  return open(repoKey(repoSecret), Buffer.from(data.replace(/\s+/g, ''), 'base64')).toString('utf8');
}
