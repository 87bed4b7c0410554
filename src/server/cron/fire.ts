// Firing one cron job (drone trigger/cron, handler/api/repos/crons/exec.go, drone-reference.md
// §5.6): the head commit of the job's branch becomes a build with event `cron`, trigger `@cron`,
// ref `refs/heads/<branch>`, target = branch, `cron` = the job's name, and the commit author as
// author and sender. Cron builds send no SCM status (the status service skips them).
import { expandRef, type Hook, newHook } from '../scm/hook.js';
import type { Commit } from '../scm/git.js';
import { MirrorError } from '../scm/mirror.js';
import type { Cron, Repo } from '../store/models.js';
import { type TriggerDeps, type TriggerResult, triggerBuild } from '../trigger/trigger.js';

/** What became of a cron job asked to run. */
export type FireResult = TriggerResult | { kind: 'no_commit'; reason: string };

/** The branch a job builds: its own, else the repository's default. */
export function cronBranch(cron: Cron, repo: Repo): string {
  return (cron.branch || repo.default_branch || 'main').replace(/^refs\/heads\//, '');
}

/** The hook of a cron build of `commit` on `branch`, field for field as Drone makes it. */
export function cronHook(cron: Cron, branch: string, commit: Commit): Hook {
  return newHook({
    trigger: '@cron',
    event: 'cron',
    link: commit.link,
    timestamp: commit.timestamp,
    message: commit.message,
    after: commit.sha,
    ref: expandRef(branch, 'refs/heads'),
    target: branch,
    author_login: commit.author.login,
    author_name: commit.author.name,
    author_email: commit.author.email,
    author_avatar: commit.author.avatar,
    cron: cron.name,
    sender: commit.author.login,
  });
}

/**
 * The head commit of the job's branch, or undefined when the SCM cannot tell; `error` says why when
 * a mirrored remote could not be fetched (its message never holds credentials).
 */
export async function cronCommit(
  deps: Pick<TriggerDeps, 'scm'>,
  repo: Repo,
  cron: Cron,
): Promise<{ branch: string; commit: Commit | undefined; error?: string }> {
  const branch = cronBranch(cron, repo);
  let error: string | undefined;
  const commit = await deps.scm.commits.findRef(repo, expandRef(branch, 'refs/heads')).catch((err) => {
    if (err instanceof MirrorError) error = err.message;
    return undefined;
  });
  return { branch, commit, ...(error !== undefined && { error }) };
}

/**
 * Runs `cron` on `repo` now (the API's "run now", and the ticker once it has claimed the job):
 * resolves the branch head and triggers the build. `no_commit` when the branch has no head.
 */
export async function fireCron(deps: TriggerDeps, repo: Repo, cron: Cron): Promise<FireResult> {
  const { branch, commit, error } = await cronCommit(deps, repo, cron);
  if (!commit) {
    const why = error !== undefined ? `: ${error}` : '';
    return { kind: 'no_commit', reason: `cannot find the head of branch ${branch} of ${repo.slug}${why}` };
  }
  return triggerBuild(deps, repo, cronHook(cron, branch, commit));
}
