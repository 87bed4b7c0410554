// The DRONE_* build variables every step receives (docs/plugins.md lists them), read into one typed
// object. Absent variables read as '' or 0: a plugin must work under `hangar exec` and `drone exec`,
// where some of them (links, authors, times) are empty.
import type { Env } from './plugin.js';

/** What a plugin usually wants to know about the build it runs in. */
export interface BuildMetadata {
  repo: { slug: string; link: string; defaultBranch: string };
  build: { number: number; event: string; action: string; link: string; created: string; started: string };
  commit: {
    sha: string;
    ref: string;
    branch: string;
    message: string;
    author: string;
    authorEmail: string;
    link: string;
  };
  /** Tag builds only; `semver` is set when the tag is a semantic version (`v1.2.3` → `1.2.3`). */
  tag?: { name: string; semver?: string };
  /** Pull request builds only. */
  pullRequest?: number;
  /** Promote and rollback builds only. */
  deployTo?: string;
  stage: { name: string; number: number };
  step: { name: string; number: number };
  /** The workspace (also the step's working directory unless the pipeline sets another). */
  workspace: string;
}

function int(v: string | undefined): number {
  const n = Number.parseInt(v ?? '', 10);
  return Number.isFinite(n) ? n : 0;
}

/** Unix seconds as an ISO time, or '' when the variable is absent or 0. */
function time(v: string | undefined): string {
  const s = int(v);
  return s > 0 ? new Date(s * 1000).toISOString() : '';
}

/** Reads the build metadata from DRONE_* variables. */
export function buildMetadata(env: Env, cwd: string): BuildMetadata {
  const e = (name: string) => env[name] ?? '';
  const meta: BuildMetadata = {
    repo: { slug: e('DRONE_REPO'), link: e('DRONE_REPO_LINK'), defaultBranch: e('DRONE_REPO_BRANCH') },
    build: {
      number: int(env.DRONE_BUILD_NUMBER),
      event: e('DRONE_BUILD_EVENT'),
      action: e('DRONE_BUILD_ACTION'),
      link: e('DRONE_BUILD_LINK'),
      created: time(env.DRONE_BUILD_CREATED),
      started: time(env.DRONE_BUILD_STARTED),
    },
    commit: {
      sha: e('DRONE_COMMIT_SHA'),
      ref: e('DRONE_COMMIT_REF'),
      branch: e('DRONE_COMMIT_BRANCH'),
      message: e('DRONE_COMMIT_MESSAGE'),
      author: e('DRONE_COMMIT_AUTHOR'),
      authorEmail: e('DRONE_COMMIT_AUTHOR_EMAIL'),
      link: e('DRONE_COMMIT_LINK'),
    },
    stage: { name: e('DRONE_STAGE_NAME'), number: int(env.DRONE_STAGE_NUMBER) },
    step: { name: e('DRONE_STEP_NAME'), number: int(env.DRONE_STEP_NUMBER) },
    workspace: e('DRONE_WORKSPACE') || cwd,
  };
  if (e('DRONE_TAG')) {
    meta.tag = { name: e('DRONE_TAG') };
    if (e('DRONE_SEMVER')) meta.tag.semver = e('DRONE_SEMVER');
  }
  if (e('DRONE_PULL_REQUEST')) meta.pullRequest = int(env.DRONE_PULL_REQUEST);
  if (e('DRONE_DEPLOY_TO')) meta.deployTo = e('DRONE_DEPLOY_TO');
  return meta;
}
