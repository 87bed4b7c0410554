// Real git repositories in temp dirs for the trigger and webhook tests, and a trigger wired to
// read them.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { localChanges, localCommits, localConfig } from '../../src/server/scm/content.js';
import { StatusRecorder } from '../../src/server/scm/status/status.js';
import type { ScmServices, TriggerDeps } from '../../src/server/trigger/trigger.js';
import type { Db } from '../../src/server/store/schema.js';
import { git } from '../support/git.js';

export { git };

/** A working repository with commits made through `commit`. */
export interface WorkRepo {
  dir: string;
  /** Writes `files` (path → content; null deletes), commits them with `message`, returns the sha. */
  commit(message: string, files: Record<string, string | null>): Promise<string>;
  remove(): Promise<void>;
}

/** A fresh non-bare repository on branch `main`. */
export async function workRepo(): Promise<WorkRepo> {
  const root = await mkdtemp(join(tmpdir(), 'hangar-git-'));
  const dir = join(root, 'work');
  await mkdir(dir);
  await git(dir, 'init', '-q', '-b', 'main');
  return {
    dir,
    async commit(message, files) {
      for (const [path, content] of Object.entries(files)) {
        const full = join(dir, path);
        if (content === null) {
          await git(dir, 'rm', '-q', path);
          continue;
        }
        await mkdir(dirname(full), { recursive: true });
        await writeFile(full, content);
        await git(dir, 'add', path);
      }
      await git(dir, 'commit', '-q', '--allow-empty', '-m', message);
      return git(dir, 'rev-parse', 'HEAD');
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/** SCM services reading local repositories, with statuses recorded. */
export function localServices(): ScmServices & { status: StatusRecorder } {
  return {
    config: localConfig,
    commits: localCommits,
    changes: localChanges,
    status: new StatusRecorder({ link: 'https://ci.example.com' }),
  };
}

/** Trigger dependencies over `db` with local services and a fixed clock. */
export function triggerDeps(
  db: Db,
  extra: Partial<TriggerDeps> = {},
): TriggerDeps & { scm: ReturnType<typeof localServices> } {
  return {
    db,
    scm: localServices(),
    system: { proto: 'https', host: 'ci.example.com', version: '0.0.0-test' },
    now: () => 1_700_000_000,
    ...extra,
  } as TriggerDeps & { scm: ReturnType<typeof localServices> };
}

/** A pipeline file with the given documents. */
export function pipelines(...docs: string[]): string {
  return docs.map((d) => `---\n${d.trim()}\n`).join('');
}

/** One `kind: pipeline` document. */
export function pipeline(name: string, extra = ''): string {
  return `kind: pipeline
type: docker
name: ${name}
steps:
- name: test
  image: alpine
  commands: [echo ${name}]
${extra}`;
}
