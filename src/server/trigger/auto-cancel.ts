// Auto-cancel (drone service/canceler, drone-reference.md §5.5): a new push or pull-request build
// supersedes the older builds of the same repo with the same event and ref that have not run yet
// (pending, or awaiting approval), or are running too when the repo sets auto_cancel_running.
// They end as `skipped`, with their stages and steps as a cancel leaves them.
import type { Build, Repo, Status, User } from '../store/models.js';
import { listSupersededBuilds } from '../store/queries/builds.js';
import { cancelBuild } from './cancel.js';
import { sendStatus, type TriggerDeps } from './trigger.js';

/** Cancels what `build` supersedes; returns the cancelled builds. */
export async function autoCancel(
  deps: Pick<TriggerDeps, 'db' | 'scm' | 'log' | 'now' | 'queue'>,
  repo: Repo,
  owner: User | undefined,
  build: Build,
): Promise<Build[]> {
  const wanted =
    (build.event === 'push' && repo.auto_cancel_pushes) ||
    (build.event === 'pull_request' && repo.auto_cancel_pull_requests);
  if (!wanted) return [];
  const statuses: Status[] = repo.auto_cancel_running
    ? ['pending', 'blocked', 'running']
    : ['pending', 'blocked'];
  const older = await listSupersededBuilds(deps.db, {
    repoId: repo.id,
    event: build.event,
    ref: build.ref,
    below: build.number,
    statuses,
  });
  const done: Build[] = [];
  for (const old of older) {
    const res = await cancelBuild(deps.db, old.id, 'skipped', deps.now(), statuses);
    if (!res.changed) continue;
    deps.queue?.cancelled(old.id);
    deps.queue?.buildChanged(repo.id, old.id);
    deps.log?.info(
      { repo: repo.slug, build: old.number, by: build.number },
      'trigger: superseded build skipped',
    );
    await sendStatus(deps, repo, owner, res.build);
    done.push(res.build);
  }
  return done;
}
