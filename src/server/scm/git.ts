// Reads a repository on this machine with the host's `git`: the configuration file at a commit,
// commit details, changed files, refs. Arguments are argv arrays (never a shell) and every revision
// passed in is checked first, so nothing a webhook says can become a git option.
import { stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/** A git command that failed; `message` is git's own first line of complaint. */
export class GitError extends Error {
  override name = 'GitError';
}

/** A commit as the SCM services describe it. */
export interface Commit {
  sha: string;
  message: string;
  /** Unix seconds of the author date. */
  timestamp: number;
  author: { login: string; name: string; email: string; avatar: string };
  link: string;
}

// Hex object ids, or ref names without the characters git forbids (and no option look-alikes).
const REVISION = /^(?:[0-9a-f]{4,64}|refs\/[A-Za-z0-9._/-]+|[A-Za-z0-9][A-Za-z0-9._/-]*)$/;

/** True for a revision safe to hand to git: a hex id or a plain ref name. */
export function safeRevision(rev: string): boolean {
  return REVISION.test(rev) && !rev.includes('..') && !rev.endsWith('.lock') && !rev.endsWith('/');
}

function checkRevision(rev: string): void {
  if (!safeRevision(rev)) throw new GitError(`invalid revision "${rev.slice(0, 80)}"`);
}

/** The local directory of a repository URL: an absolute path or a `file://` URL; undefined otherwise. */
export function localPath(url: string): string | undefined {
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url);
    } catch {
      return undefined;
    }
  }
  return isAbsolute(url) ? url : undefined;
}

const MAX_OUTPUT = 8 * 1024 * 1024;

/** Runs `git -C dir args…` and returns stdout; GitError with git's message when it fails. */
export async function runGit(dir: string, args: string[], input?: string): Promise<string> {
  const res = await execa('git', ['-C', dir, ...args], {
    reject: false,
    stripFinalNewline: false,
    maxBuffer: MAX_OUTPUT,
    timeout: 30_000,
    ...(input !== undefined ? { input } : { stdin: 'ignore' as const }),
    // A repository's own config must not run programs on our behalf (core.fsmonitor and friends).
    env: { GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', GIT_OPTIONAL_LOCKS: '0' },
  });
  if (res.exitCode !== 0 || res.failed) {
    const first =
      String(res.stderr ?? '')
        .split('\n')
        .find((l) => l.trim() !== '') ?? `git exited with ${res.exitCode}`;
    throw new GitError(first.replace(/^fatal: /, ''));
  }
  return String(res.stdout);
}

/** The text of `file` at `rev`, or undefined when the commit has no such file. */
export async function showFile(dir: string, rev: string, file: string): Promise<string | undefined> {
  checkRevision(rev);
  if (file.startsWith('-') || file.includes('\0')) throw new GitError(`invalid path "${file}"`);
  // Resolve first, so an unknown commit is told apart from a missing file.
  const sha = await resolveRevision(dir, rev);
  if (!sha) throw new GitError(`commit ${rev.slice(0, 12)} not found in the repository`);
  try {
    return await runGit(dir, ['show', `${sha}:${file.replace(/^\.\//, '')}`]);
  } catch (err) {
    if (err instanceof GitError && /does not exist|exists on disk, but not in/.test(err.message))
      return undefined;
    throw err;
  }
}

/** The full sha `rev` names, or undefined when it names no commit. */
export async function resolveRevision(dir: string, rev: string): Promise<string | undefined> {
  checkRevision(rev);
  try {
    const out = await runGit(dir, [
      'rev-parse',
      '--verify',
      '--quiet',
      '--end-of-options',
      `${rev}^{commit}`,
    ]);
    return out.trim() || undefined;
  } catch {
    return undefined;
  }
}

const SEP = '\u001f';

/** Details of commit `rev`, or undefined when there is no such commit. */
export async function commitInfo(dir: string, rev: string): Promise<Commit | undefined> {
  const sha = await resolveRevision(dir, rev);
  if (!sha) return undefined;
  const out = await runGit(dir, ['show', '-s', `--format=%H${SEP}%an${SEP}%ae${SEP}%at${SEP}%B`, sha]);
  const [id = '', name = '', email = '', at = '0', ...body] = out.split(SEP);
  return {
    sha: id,
    message: body.join(SEP).replace(/\n+$/, '\n'),
    timestamp: Number(at) || 0,
    author: { login: '', name, email, avatar: '' },
    link: '',
  };
}

/**
 * The files that differ between `before` and `after`; for a new ref (before is all zeros or
 * unknown) the files of `after`'s own commit. Undefined when git cannot tell.
 */
export async function changedFiles(
  dir: string,
  before: string,
  after: string,
): Promise<string[] | undefined> {
  try {
    const to = await resolveRevision(dir, after);
    if (!to) return undefined;
    const from = /^0*$/.test(before) ? undefined : await resolveRevision(dir, before);
    const args = from
      ? ['diff', '--name-only', '-z', '--no-renames', from, to]
      : ['diff-tree', '--root', '--no-commit-id', '--name-only', '-z', '-r', '--no-renames', to];
    const out = await runGit(dir, args);
    return out.split('\0').filter((f) => f !== '');
  } catch {
    return undefined;
  }
}

/** Whether `dir` is a git repository, and a bare one. */
export async function inspectRepository(dir: string): Promise<{ bare: boolean; gitDir: string } | undefined> {
  try {
    if (!(await stat(dir)).isDirectory()) return undefined;
    const out = await runGit(dir, ['rev-parse', '--is-bare-repository', '--absolute-git-dir']);
    const [bare, gitDir] = out.trim().split('\n');
    if (!gitDir) return undefined;
    return { bare: bare === 'true', gitDir };
  } catch {
    return undefined;
  }
}

/** The branch HEAD points at (`main`), or undefined for a detached or unborn HEAD. */
export async function headBranch(dir: string): Promise<string | undefined> {
  try {
    const out = (await runGit(dir, ['symbolic-ref', '--quiet', '--short', 'HEAD'])).trim();
    return out || undefined;
  } catch {
    return undefined;
  }
}

/** Where a repository keeps its hooks (honours core.hooksPath). */
export async function hooksDir(dir: string, gitDir: string): Promise<string> {
  try {
    const out = (await runGit(dir, ['rev-parse', '--git-path', 'hooks'])).trim();
    if (out) return isAbsolute(out) ? out : join(dir, out);
  } catch {
    // Fall through to the default location.
  }
  return join(gitDir, 'hooks');
}
