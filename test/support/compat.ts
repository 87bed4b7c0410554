// Locates ../shared/compat (read in place: its licences forbid copying it into the project).
// Outside the workplace it may be absent: suites then skip with a reason — except in CI, where a
// missing corpus is a failure, never a silent skip.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root folder. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Absolute path of the shared compat corpus, whether or not it exists. */
export const compatDir = resolve(repoRoot, '..', 'shared', 'compat');

/** True when the corpus is present. Throws in CI when it is not. */
export function haveCompat(): boolean {
  if (existsSync(compatDir)) return true;
  if (process.env.CI === 'true') throw new Error(`compat corpus missing at ${compatDir} (required in CI)`);
  return false;
}

/** Skip option for node:test: `test('x', { skip: compatSkip() }, ...)`. */
export function compatSkip(): string | false {
  return haveCompat() ? false : `../shared/compat not found at ${compatDir}`;
}

/** Path of a file inside the corpus. */
export function compatPath(...parts: string[]): string {
  return join(compatDir, ...parts);
}

/** Reads and parses a JSON file of the corpus. */
export function compatJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFileSync(compatPath(...parts), 'utf8')) as T;
}

/** Reads a text file of the corpus. */
export function compatText(...parts: string[]): string {
  return readFileSync(compatPath(...parts), 'utf8');
}
