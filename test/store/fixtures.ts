// Small builders for store tests.
import type { Build, Repo, Stage } from '../../src/server/store/models.js';
import { createBuildWithStages } from '../../src/server/store/queries/builds.js';
import { createRepo } from '../../src/server/store/queries/repos.js';
import type { Db } from '../../src/server/store/schema.js';

let n = 0;

/** A repo with a unique slug. */
export async function aRepo(db: Db, fields: Partial<Repo> = {}): Promise<Repo> {
  n += 1;
  return createRepo(db, { namespace: 'octocat', name: `hello-${n}`, ...fields });
}

/** A build of `repo` with `stages` default stages (numbered 1..n). */
export async function aBuild(
  db: Db,
  repo: Repo,
  stages = 1,
  fields: Partial<Build> = {},
): Promise<{ build: Build; stages: Stage[] }> {
  return createBuildWithStages(
    db,
    { repo_id: repo.id, event: 'push', ref: 'refs/heads/main', ...fields },
    Array.from({ length: stages }, (_, i) => ({ name: `stage-${i + 1}` })),
  );
}
