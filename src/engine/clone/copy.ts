// `hangar exec` without --clone: the workspace starts as a copy of the user's working directory
// (uncommitted changes included), so a pipeline sees what is on disk and cannot damage it.
import { cp, mkdir } from 'node:fs/promises';

/** Copies a directory tree into `dir` (symlinks kept as links); resolves with an exit code. */
export async function copyTree(from: string, dir: string, output: (chunk: string) => void): Promise<number> {
  output(`+ copy ${from} → workspace\n`);
  try {
    await mkdir(dir, { recursive: true });
    await cp(from, dir, { recursive: true, verbatimSymlinks: true, force: true, errorOnExist: false });
    return 0;
  } catch (err) {
    output(`copy failed: ${(err as Error).message}\n`);
    return 1;
  }
}
