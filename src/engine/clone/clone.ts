// Hangar's built-in clone: drone/git's behaviour (drone-reference.md §4.2) with the host's `git`.
// commit: fetch the branch, check out the commit as that branch; pull request: check out the target
// branch, fetch the PR ref and merge it; tag: fetch the tag, check it out. Fetches are retried.
// Credentials live in a netrc file inside a private, temporary HOME; never in argv or output.
// skip_verify is `http.sslVerify=false` in that HOME's gitconfig.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloneSpec } from '../../spec/plan.js';
import type { CloneSource } from '../engine.js';
import { netrcFile, netrcSecrets, splitCredentials } from './credentials.js';
import { type GitContext, git, KILLED_EXIT } from './git.js';
import { cloneKind } from './kind.js';
import { copyTree } from './copy.js';

export interface CloneOptions {
  /** Receives the trace lines and git's output (stdout and stderr). */
  output: (chunk: string) => void;
  signal: AbortSignal;
  /** The step's environment (author identity, `GIT_*` settings); HOME is always replaced. */
  env?: Record<string, string>;
  /** Pause before retry n is n × this; default 2000 ms. */
  retryDelayMs?: number;
}

/** Clones `src` into `dir` as drone/git would; resolves with the exit code (0 = success). */
export async function cloneRepository(
  src: CloneSource,
  spec: CloneSpec,
  dir: string,
  opts: CloneOptions,
): Promise<number> {
  if (opts.signal.aborted) return KILLED_EXIT;
  if (src.copy) return copyTree(src.remote, dir, opts.output);
  const { remote, netrc } = splitCredentials(src);
  await mkdir(dir, { recursive: true });
  const home = await mkdtemp(join(tmpdir(), 'hangar-git-'));
  try {
    const env = opts.env ?? {};
    const author = env.DRONE_COMMIT_AUTHOR_NAME || 'drone';
    const email = env.DRONE_COMMIT_AUTHOR_EMAIL || 'drone@localhost';
    await writeFile(join(home, '.gitconfig'), gitconfig(author, email, spec.skipVerify), { mode: 0o600 });
    if (netrc) await writeFile(join(home, '.netrc'), netrcFile(netrc), { mode: 0o600 });
    const ctx: GitContext = {
      cwd: dir,
      env: gitEnv(env, home, spec, author, email),
      output: opts.output,
      signal: opts.signal,
      secrets: netrcSecrets(netrc),
      retryDelayMs: opts.retryDelayMs ?? 2000,
    };
    const code = await run(ctx, { ...src, remote }, spec);
    if (code !== 0 && code !== KILLED_EXIT) opts.output(`clone failed with exit code ${code}\n`);
    return code;
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** One git command of the clone; `fail` is printed when it fails (not when aborted). */
interface Op {
  args: string[];
  retries?: number;
  fail?: string;
}

/** Runs ops in order; stops at the first failure and returns its exit code. */
async function sequence(ctx: GitContext, ops: Op[]): Promise<number> {
  for (const op of ops) {
    const code = await git(ctx, op.args, { retries: op.retries ?? 0 });
    if (code !== 0) {
      if (code !== KILLED_EXIT && op.fail) ctx.output(`${op.fail}\n`);
      return code;
    }
  }
  return 0;
}

async function run(ctx: GitContext, src: CloneSource, spec: CloneSpec): Promise<number> {
  const retries = spec.retries;
  const depth = spec.depth > 0 ? [`--depth=${spec.depth}`] : [];
  const fresh = !existsSync(join(ctx.cwd, '.git'));
  const init: Op[] = fresh ? [{ args: ['init'] }, { args: ['remote', 'add', 'origin', src.remote] }] : [];
  // A fresh repository has no branch yet (`-b`, as Drone); a reused one may (`-B` resets it).
  const newBranch = fresh ? '-b' : '-B';
  const fetchBranch = (b: string, flags: string[]): Op => ({
    args: ['fetch', ...flags, 'origin', `+refs/heads/${b}:refs/remotes/origin/${b}`],
    retries,
    fail: `could not fetch branch ${b} from the remote`,
  });
  const fail = (msg: string) => {
    ctx.output(`${msg}\n`);
    return 1;
  };

  const kind = cloneKind(src.ref);
  if (kind === 'tag') {
    const tag = src.ref.slice('refs/tags/'.length);
    return sequence(ctx, [
      ...init,
      {
        args: ['fetch', ...depth, 'origin', `+refs/tags/${tag}:refs/tags/${tag}`],
        retries,
        fail: `could not fetch tag ${tag} from the remote`,
      },
      { args: ['checkout', '-qf', 'FETCH_HEAD'] },
    ]);
  }

  if (kind === 'pull_request') {
    if (!src.branch)
      return fail(`cannot build ${src.ref}: the target branch of the pull request is not known`);
    // Kept under a name (Drone fetches into FETCH_HEAD only) so a later fetch cannot lose it.
    const local = `refs/remotes/origin/${src.ref.slice('refs/'.length)}`;
    const head = src.commit || local;
    const code = await sequence(ctx, [
      ...init,
      fetchBranch(src.branch, depth),
      { args: ['checkout', '-f', newBranch, src.branch, `origin/${src.branch}`] },
      {
        args: ['fetch', 'origin', `+${src.ref}:${local}`],
        retries,
        fail: `could not fetch ${src.ref} from the remote`,
      },
    ]);
    if (code !== 0) return code;
    const ops: Op[] = [];
    if (depth.length > 0 && (await git(ctx, ['merge-base', 'HEAD', head], { quiet: true })) !== 0) {
      // A shallow target branch may not reach the merge base: fetch its full history.
      ops.push(fetchBranch(src.branch, ['--unshallow']));
    }
    ops.push({ args: ['merge', '--no-edit', head], fail: `could not merge ${src.ref} into ${src.branch}` });
    return sequence(ctx, ops);
  }

  if (!src.branch) {
    // No branch (e.g. deployment events): fetch everything and check out the commit, no depth.
    if (!src.commit) return fail('nothing to clone: neither a branch nor a commit was given');
    return sequence(ctx, [
      ...init,
      { args: ['fetch', 'origin'], retries, fail: 'could not fetch from the remote' },
      { args: ['checkout', '-qf', src.commit], fail: `could not check out commit ${src.commit}` },
    ]);
  }
  const code = await sequence(ctx, [...init, fetchBranch(src.branch, depth)]);
  if (code !== 0) return code;
  if (!src.commit)
    return sequence(ctx, [{ args: ['checkout', '-f', newBranch, src.branch, `origin/${src.branch}`] }]);
  const ops: Op[] = [];
  if ((await git(ctx, ['cat-file', '-e', `${src.commit}^{commit}`], { quiet: true })) !== 0) {
    // The commit is older than the fetched depth (or not on the branch): ask for it by id.
    ops.push({
      args: ['fetch', ...depth, 'origin', src.commit],
      retries,
      fail: `could not fetch commit ${src.commit} from the remote`,
    });
  }
  ops.push({
    args: ['checkout', '-f', newBranch, src.branch, src.commit],
    fail: `could not check out commit ${src.commit}`,
  });
  return sequence(ctx, ops);
}

function gitconfig(name: string, email: string, skipVerify: boolean): string {
  return [
    ...(skipVerify ? ['[http]', '\tsslVerify = false'] : []),
    '[user]',
    `\tname = ${quoteConfig(name)}`,
    `\temail = ${quoteConfig(email)}`,
    '[init]',
    '\tdefaultBranch = main',
    '[advice]',
    '\tdetachedHead = false',
    '[safe]',
    '\tdirectory = *',
    '',
  ].join('\n');
}

function quoteConfig(v: string): string {
  return `"${v.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, ' ')}"`;
}

function gitEnv(
  env: Record<string, string>,
  home: string,
  spec: CloneSpec,
  author: string,
  email: string,
): Record<string, string> {
  const out: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    GIT_AUTHOR_NAME: author,
    GIT_AUTHOR_EMAIL: email,
    GIT_COMMITTER_NAME: author,
    GIT_COMMITTER_EMAIL: email,
    ...env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    GIT_TERMINAL_PROMPT: '0',
  };
  // Ask for nothing interactively: a missing credential must fail, not hang.
  delete out.GIT_ASKPASS;
  delete out.SSH_ASKPASS;
  delete out.GIT_DIR;
  delete out.GIT_WORK_TREE;
  if (spec.trace) out.GIT_TRACE = '1';
  return out;
}
