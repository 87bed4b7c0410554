// The hooks behind the build actions of the API (drone handler/api/repos/builds): a custom build,
// a restart, a promotion or rollback. They all go through the trigger like a webhook.
import { expandRef, type Hook, newHook } from '../scm/hook.js';
import type { Commit } from '../scm/git.js';
import type { Build, Repo, User } from '../store/models.js';

/** Parameters the API reads itself and never passes on as build parameters. */
const RESERVED = new Set(['access_token']);

/** Build parameters from request values (first value of each key), without `exclude` and reserved keys. */
export function paramsFrom(
  values: Record<string, unknown>,
  exclude: readonly string[] = [],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (RESERVED.has(key) || exclude.includes(key)) continue;
    const v = Array.isArray(value) ? value[0] : value;
    if (typeof v === 'string' && v !== '') out[key] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[key] = String(v);
  }
  return out;
}

/** The hook a previous build is re-run with (`POST /builds/{n}`): the same commit, a new trigger. */
export function restartHook(prev: Build, user: User, params: Record<string, string>, debug: boolean): Hook {
  return newHook({
    ...copyOf(prev),
    trigger: user.login,
    parent: prev.number,
    deploy_to: prev.deploy_to,
    deploy_id: prev.deploy_id,
    cron: prev.cron,
    debug,
    // Hangar: what the caller passes now wins over what the old build had.
    params: { ...prev.params, ...params },
    ...(prev.changed_files ? { changed_files: prev.changed_files } : {}),
  });
}

/** The hook of a promotion or rollback of `prev` to `target`. */
export function deployHook(
  prev: Build,
  user: User,
  event: 'promote' | 'rollback',
  target: string,
  params: Record<string, string>,
): Hook {
  return newHook({
    ...copyOf(prev),
    trigger: user.login,
    parent: prev.number,
    event,
    deploy_to: target,
    cron: prev.cron,
    params: { ...prev.params, ...params },
  });
}

/** The hook of a custom build of `commit` on `branch`. */
export function customHook(
  branch: string,
  commit: Commit,
  user: User,
  opts: { message?: string; action?: string; params: Record<string, string> },
): Hook {
  return newHook({
    trigger: user.login,
    event: 'custom',
    action: opts.action ?? '',
    link: commit.link,
    timestamp: commit.timestamp,
    message: opts.message || commit.message,
    before: commit.sha,
    after: commit.sha,
    ref: expandRef(branch, 'refs/heads'),
    source: branch,
    target: branch,
    author_login: commit.author.login,
    author_name: commit.author.name,
    author_email: commit.author.email,
    author_avatar: commit.author.avatar,
    sender: user.login,
    params: opts.params,
  });
}

function copyOf(prev: Build): Partial<Hook> {
  return {
    event: prev.event,
    action: prev.action,
    link: prev.link,
    timestamp: prev.timestamp,
    title: prev.title,
    message: prev.message,
    before: prev.before,
    after: prev.after,
    ref: prev.ref,
    source_repo: prev.source_repo,
    source: prev.source,
    target: prev.target,
    author_login: prev.author_login,
    author_name: prev.author_name,
    author_email: prev.author_email,
    author_avatar: prev.author_avatar,
    sender: prev.sender,
  };
}

/** The default branch a custom build runs on when none is given. */
export function branchOf(repo: Repo, branch: string | undefined): string {
  return branch && branch !== '' ? branch.replace(/^refs\/heads\//, '') : repo.default_branch || 'main';
}
