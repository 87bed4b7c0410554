// The key that encrypts secrets at rest. Given in HANGAR_SECRET_KEY, or generated on the first
// start and kept in the data directory (mode 600), so a restart can still read every secret.
// Several replicas must share one key: give it to all of them in HANGAR_SECRET_KEY.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../config.js';

/** File name of the generated key inside the data directory. */
export const KEY_FILE = 'secret.key';

/**
 * The secret key: `configured` when set, else the data dir's key file (`file`, default
 * secret.key; the session cookie key uses cookie.key), created when missing.
 */
export async function loadSecretKey(
  dataDir: string,
  configured: Buffer | undefined,
  file: string = KEY_FILE,
): Promise<{ key: Buffer; created: boolean }> {
  if (configured) return { key: configured, created: false };
  const path = join(dataDir, file);
  const existing = await readKeyFile(path);
  if (existing) return { key: existing, created: false };
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  try {
    // `wx`: if another process created it meanwhile, use theirs instead of overwriting it.
    await writeFile(path, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      const theirs = await readKeyFile(path);
      if (theirs) return { key: theirs, created: false };
    }
    throw new ConfigError(`cannot write the secret key file ${path}: ${(err as Error).message}`);
  }
  return { key, created: true };
}

async function readKeyFile(path: string): Promise<Buffer | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`cannot read the secret key file ${path}: ${(err as Error).message}`);
  }
  const hex = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new ConfigError(`the secret key file ${path} is damaged (expected 64 hex digits)`);
  }
  // Someone loosened its mode: tighten it again rather than refuse to start.
  const { mode } = await stat(path);
  if ((mode & 0o077) !== 0) await chmod(path, 0o600);
  return Buffer.from(hex, 'hex');
}
