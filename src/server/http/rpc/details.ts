// `GET /rpc/v2/stage/{id}`: everything a runner needs to run an accepted stage (drone operator/manager
// Details + rpc2 HandleInfo, drone-reference.md §2.2). The configuration is read again at the build's
// commit, as Drone does, and sent as a Go `[]byte` would be: `{"Data": base64, "Hash": null}`.
// Secrets: the repo's, then its namespace's, decrypted; for pull requests only those allowed there.
// The build also carries the files its commits changed, when known (`changed_files`, Hangar's).
// The netrc carries the repo owner's SCM token, and only for private repositories on an SCM.
import type { Details, Netrc, Secret as WireSecret } from '../../../protocol/types.js';
import { withOpenOAuth } from '../../auth/oauth-token.js';
import type { SecretBox } from '../../secrets/box.js';
import type { ConfigSource } from '../../scm/content.js';
import { isMirrored } from '../../scm/mirror.js';
import { remoteNetrc } from '../../scm/mirror-services.js';
import type { Build, Repo, Stage, User } from '../../store/models.js';
import { findBuild } from '../../store/queries/builds.js';
import { findRepo } from '../../store/queries/repos.js';
import { listSecretsForRepo } from '../../store/queries/secrets.js';
import { findStage, listStagesOfBuild } from '../../store/queries/stages.js';
import { findUser } from '../../store/queries/users.js';
import type { Db } from '../../store/schema.js';
import { buildJson, repoJson } from '../api/present.js';
import { stageJson } from '../api/builds-present.js';

export interface DetailsDeps {
  db: Db;
  box: SecretBox;
  config: ConfigSource;
  system: { proto: string; host: string; version: string };
  log?: { warn(obj: object, msg: string): void };
  /** The repo owner with their SCM token opened and renewed when due (default: opened only). */
  freshOwner?: (owner: User) => Promise<User>;
}

/** What the details of a stage are made of (the stage and build are also needed when the config fails). */
export interface StageContext {
  stage: Stage;
  build: Build;
  repo: Repo;
  owner: User | undefined;
}

/** The stage, its build, repo and the repo's owner; undefined when the stage (or its build/repo) is gone. */
export async function stageContext(db: Db, stageId: number): Promise<StageContext | undefined> {
  const stage = await findStage(db, stageId);
  if (!stage) return undefined;
  const build = await findBuild(db, stage.build_id);
  if (!build) return undefined;
  const repo = await findRepo(db, build.repo_id);
  if (!repo) return undefined;
  const owner = repo.user_id ? await findUser(db, repo.user_id) : undefined;
  return { stage, build, repo, owner };
}

/** The Details answer; the configuration fetch may throw (ConfigFetchError). */
export async function stageDetails(deps: DetailsDeps, c: StageContext): Promise<Details> {
  const { db } = deps;
  const yaml = await deps.config.find(c.repo, c.build);
  const stages = await listStagesOfBuild(db, c.build.id);
  const { proto, host, version } = deps.system;
  return {
    repository: { ...repoJson(c.repo), secret: c.repo.secret },
    build: {
      ...buildJson(c.build),
      stages: stages.map((s) => stageJson(s)),
      // Hangar's addition (Drone sends none): step-level `when: paths` needs the changed files.
      ...(c.build.changed_files ? { changed_files: c.build.changed_files } : {}),
    },
    stage: stageJson(c.stage),
    config: { Data: Buffer.from(yaml, 'utf8').toString('base64'), Hash: null },
    secrets: await secretsFor(deps, c.repo, c.build),
    system: { proto, host, link: `${proto}://${host}`, version },
    // The owner's SCM token is sealed at rest (auth/oauth-token.ts).
    // A repo mirrored from a plain git remote is cloned with that remote's own credentials.
    netrc: isMirrored(c.repo)
      ? await remoteNetrc(deps.db, deps.box, c.repo)
      : netrcFor(c.repo, c.owner && (await (deps.freshOwner?.(c.owner) ?? withOpenOAuth(deps.box, c.owner)))),
  };
}

async function secretsFor(deps: DetailsDeps, repo: Repo, build: Build): Promise<WireSecret[]> {
  const out: WireSecret[] = [];
  for (const s of await listSecretsForRepo(deps.db, repo.id, repo.namespace)) {
    if (build.event === 'pull_request' && !s.pull_request) continue;
    let data: string;
    try {
      data = deps.box.open(s.data).toString('utf8');
    } catch {
      // Never the value, only which secret could not be opened (the server key changed?).
      deps.log?.warn({ repo: repo.slug, secret: s.name }, 'rpc: cannot decrypt a secret; left out');
      continue;
    }
    out.push({
      id: s.id,
      repo_id: s.repo_id,
      namespace: s.namespace,
      name: s.name,
      type: s.type,
      data,
      pull_request: s.pull_request,
      pull_request_push: s.pull_request_push,
    });
  }
  return out;
}

/**
 * Clone credentials (drone service/netrc): none for public repos or repos on this machine; for a
 * private repo on an SCM, the owner's token in the form that SCM expects.
 */
export function netrcFor(repo: Repo, owner: User | undefined): Netrc | null {
  if (!repo.private || !owner?.oauth_token) return null;
  let machine: string;
  try {
    const url = new URL(repo.git_http_url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    machine = url.hostname;
  } catch {
    return null;
  }
  if (repo.scm === 'gitlab') return { machine, login: 'oauth2', password: owner.oauth_token };
  if (repo.scm === 'bitbucket') return { machine, login: 'x-token-auth', password: owner.oauth_token };
  return { machine, login: owner.oauth_token, password: 'x-oauth-basic' };
}
