// Shared set-up of the cron tests: a git repository whose pipeline runs on `cron` events, a repo
// owned by an active user reading it, and the trigger wired to local git with statuses recorded.
import { newRepoKey } from '../../src/server/auth/tokens.js';
import type { Cron, Repo, User } from '../../src/server/store/models.js';
import { createCron, type NewCron } from '../../src/server/store/queries/crons.js';
import { createRepo } from '../../src/server/store/queries/repos.js';
import { createUser } from '../../src/server/store/queries/users.js';
import type { Db } from '../../src/server/store/schema.js';
import { pipeline, pipelines, triggerDeps, type WorkRepo, workRepo } from './trigger-support.js';

/** The pipeline file of the cron tests: `nightly` runs on cron events only, `test` on pushes. */
export const CRON_PIPELINES = pipelines(
  pipeline('nightly', 'trigger:\n  event: [cron]'),
  pipeline('test', 'trigger:\n  event: [push]'),
);

/** A repository with one commit on `main` carrying CRON_PIPELINES. */
export async function cronRepository(): Promise<{ work: WorkRepo; head: string }> {
  const work = await workRepo();
  const head = await work.commit('ci: nightly', { '.drone.yml': CRON_PIPELINES });
  return { work, head };
}

/** An owner and an active `scm` repo reading `dir` in `db`. */
export async function cronRepo(
  db: Db,
  dir: string,
  fields: Partial<Repo> = {},
): Promise<{ owner: User; repo: Repo }> {
  const owner = await createUser(db, { login: `owner-${Math.random().toString(36).slice(2, 8)}` });
  const repo = await createRepo(db, {
    namespace: 'acme',
    name: `app-${Math.random().toString(36).slice(2, 8)}`,
    scm: 'github',
    active: true,
    git_http_url: dir,
    default_branch: 'main',
    signer: newRepoKey(),
    secret: newRepoKey(),
    user_id: owner.id,
    ...fields,
  });
  return { owner, repo };
}

/** A cron of `repo` (branch main unless given). */
export function aCron(db: Db, repo: Repo, name: string, fields: Partial<NewCron> = {}): Promise<Cron> {
  return createCron(db, { repo_id: repo.id, name, expr: '@daily', branch: 'main', ...fields });
}

/** Trigger dependencies for a ticker whose clock says `now`. */
export function cronTriggerDeps(db: Db, now: Date) {
  return triggerDeps(db, { now: () => Math.floor(now.getTime() / 1000) });
}
