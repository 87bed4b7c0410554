// The latest build per branch, pull request and deployment target (Drone's `latest` index, behind
// `/builds/branches|pulls|deployments` and badges), kept as builds are created.
import type { Build } from '../store/models.js';
import { deleteLatest, upsertLatest } from '../store/queries/latest.js';
import type { Db } from '../store/schema.js';

/** The pull request number a ref names (`refs/pull/7/head`, `refs/merge-requests/7/head`). */
export function pullNumberOf(ref: string): string | undefined {
  return /^refs\/(?:pull|merge-requests)\/(\d+)\//.exec(ref)?.[1];
}

/** Points the index entries of `build` at it. */
export async function indexBuild(db: Db, build: Build, now: number): Promise<void> {
  let entry: { type: 'branch' | 'pull_request' | 'deployment'; name: string } | undefined;
  if (build.event === 'push' && build.target !== '') entry = { type: 'branch', name: build.target };
  else if (build.event === 'pull_request') {
    const n = pullNumberOf(build.ref);
    if (n) entry = { type: 'pull_request', name: n };
  } else if ((build.event === 'promote' || build.event === 'rollback') && build.deploy_to !== '') {
    entry = { type: 'deployment', name: build.deploy_to };
  }
  if (entry) await upsertLatest(db, { repo_id: build.repo_id, ...entry, build_id: build.id }, now);
}

/** Retires an entry: a deleted branch or a closed pull request. */
export async function retireLatest(
  db: Db,
  repoId: number,
  type: 'branch' | 'pull_request',
  name: string,
): Promise<void> {
  await deleteLatest(db, repoId, type, name);
}
