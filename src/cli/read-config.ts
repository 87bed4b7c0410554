import { readFile } from 'node:fs/promises';
import { UsageError } from './errors.js';

/** Reads a configuration file as text; a missing or unreadable file is a usage error. */
export async function readConfig(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? 'unreadable');
    throw new UsageError(`cannot read ${file}: ${why}`);
  }
}
