// Encryption of secret values at rest: AES-256-GCM, stored as nonce(12) ‖ ciphertext ‖ tag(16), the
// layout Drone uses for DRONE_DATABASE_SECRET (store/shared/encrypt/aesgcm.go) and for `kind: secret`
// documents. A fresh random nonce per value: a GCM nonce must never be reused under one key.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const NONCE = 12;
const TAG = 16;

/** A sealed value could not be opened: wrong key, or the bytes were changed. Carries no data. */
export class SecretOpenError extends Error {
  override name = 'SecretOpenError';
  constructor() {
    super('cannot decrypt secret: wrong key or corrupted data');
  }
}

/** Seals and opens secret values with one 32-byte key. */
export interface SecretBox {
  seal(plain: string | Buffer): Buffer;
  open(sealed: Buffer): Buffer;
}

/** A SecretBox over a 32-byte AES-256 key. */
export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error(`secret key must be 32 bytes, got ${key.length}`);
  const k = Buffer.from(key);
  return {
    seal: (plain) => seal(k, typeof plain === 'string' ? Buffer.from(plain, 'utf8') : plain),
    open: (sealed) => open(k, sealed),
  };
}

/** AES-256-GCM: nonce ‖ ciphertext ‖ tag. */
export function seal(key: Buffer, plain: Buffer): Buffer {
  const nonce = randomBytes(NONCE);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

/** Opens what `seal` made; SecretOpenError when the key is wrong or the bytes were changed. */
export function open(key: Buffer, sealed: Buffer): Buffer {
  if (sealed.length < NONCE + TAG) throw new SecretOpenError();
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
    return Buffer.concat([decipher.update(sealed.subarray(NONCE, sealed.length - TAG)), decipher.final()]);
  } catch {
    throw new SecretOpenError();
  }
}
