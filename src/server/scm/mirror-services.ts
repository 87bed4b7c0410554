// How the server uses the mirrors of remote git repositories (mirror.ts): one Mirrors per app under
// DATA/mirrors, the content sources that read mirrored repos from their mirror (fetching first
// when a branch head is asked for — custom and cron builds — or when a commit is not there yet — a
// push webhook), registering a remote when a repo is added, and the netrc runners clone it with.
import { join } from 'node:path';
import type { Netrc } from '../../protocol/types.js';
import type { SecretBox } from '../secrets/box.js';
import type { Repo } from '../store/models.js';
import {
  deleteRepoCredentials,
  findRepoCredentials,
  putRepoCredentials,
} from '../store/queries/repo-credentials.js';
import type { Db } from '../store/schema.js';
import {
  type ChangeSource,
  type CommitSource,
  ConfigFetchError,
  type ConfigSource,
  localConfig,
} from './content.js';
import { changedFiles, commitInfo, resolveRevision } from './git.js';
import {
  checkCredentials,
  checkRemoteUrl,
  isMirrored,
  MirrorError,
  Mirrors,
  type RemoteCredentials,
} from './mirror.js';

/** What the mirrors of a server are made from (a RouteContext has it all). */
export interface MirrorDeps {
  config: { dataDir: string };
  store: { db: Db };
  box: SecretBox;
}

const cache = new WeakMap<object, Mirrors>();

/** The mirrors of the server `deps` belongs to (one instance per app, so fetches are serialized). */
export function mirrorsFor(deps: MirrorDeps): Mirrors {
  let mirrors = cache.get(deps);
  if (!mirrors) {
    mirrors = new Mirrors({
      root: join(deps.config.dataDir, 'mirrors'),
      credentials: (repo) => remoteCredentials(deps.store.db, deps.box, repo),
    });
    cache.set(deps, mirrors);
  }
  return mirrors;
}

/** The stored credentials of a mirrored repo's remote, opened; undefined when it has none. */
export async function remoteCredentials(
  db: Db,
  box: SecretBox,
  repo: Pick<Repo, 'id'>,
): Promise<RemoteCredentials | undefined> {
  const stored = await findRepoCredentials(db, repo.id);
  if (!stored) return undefined;
  return { username: stored.username, password: box.open(stored.password).toString('utf8') };
}

/**
 * The clone credentials runners get for a mirrored repo: its remote's, for the remote's host; null
 * when it has none (never the owner's SCM token: the remote is not their SCM).
 */
export async function remoteNetrc(db: Db, box: SecretBox, repo: Repo): Promise<Netrc | null> {
  let creds: RemoteCredentials | undefined;
  try {
    creds = await remoteCredentials(db, box, repo);
  } catch {
    // Sealed under another key: the clone goes without, and fails with the remote's own answer.
    return null;
  }
  if (!creds) return null;
  try {
    return { machine: new URL(repo.git_http_url).hostname, login: creds.username, password: creds.password };
  } catch {
    return null;
  }
}

/** The body fields of a repo creation that concern a remote. */
export interface RemoteInput {
  username?: string;
  password?: string;
  default_branch?: string;
}

/**
 * Prepares a repo being enabled: a mirrored one is fetched (cloned on first use), with the given
 * credentials, which are stored only once the remote accepted them; a new repo without a default
 * branch takes the remote's HEAD. MirrorError (400) for a bad URL, an unreachable remote, one that
 * is no repository or refuses the credentials. Other repos are returned as they are.
 */
export async function prepareRemote(
  deps: MirrorDeps,
  repo: Repo,
  input: RemoteInput,
  created: boolean,
): Promise<Repo> {
  const given = input.username !== undefined || input.password !== undefined;
  if (!isMirrored(repo)) {
    if (given) throw new MirrorError('a username and password are only taken for git remotes (scm "git")');
    return repo;
  }
  checkRemoteUrl(repo.git_http_url);
  const creds = given ? { username: input.username ?? '', password: input.password ?? '' } : undefined;
  if (creds) checkCredentials(creds);
  const mirrors = mirrorsFor(deps);
  await mirrors.fetch(repo, creds);
  if (creds) {
    await putRepoCredentials(deps.store.db, {
      repo_id: repo.id,
      username: creds.username,
      password: deps.box.seal(creds.password),
    });
  }
  if (!created || input.default_branch !== undefined) return repo;
  const head = await mirrors.defaultBranch(repo);
  return head ? { ...repo, default_branch: head } : repo;
}

/** Forgets what this server keeps of a removed repo's remote: the mirror and the credentials. */
export async function forgetRemote(deps: MirrorDeps, repo: Repo): Promise<void> {
  if (!isMirrored(repo)) return;
  await deleteRepoCredentials(deps.store.db, repo.id);
  await mirrorsFor(deps).remove(repo);
}

/** The content sources with mirrored repos read from their mirror; every other repo from `base`. */
export function mirroredSources(
  base: { config: ConfigSource; commits: CommitSource; changes: ChangeSource },
  mirrors: Mirrors,
): { config: ConfigSource; commits: CommitSource; changes: ChangeSource } {
  const asLocal = (repo: Repo, dir: string): Repo => ({ ...repo, scm: 'local', git_http_url: dir, uid: dir });
  return {
    config: {
      async find(repo, build) {
        if (!isMirrored(repo)) return base.config.find(repo, build);
        let dir: string;
        try {
          ({ dir } = await mirrors.resolve(repo, build.after || build.ref));
        } catch (err) {
          if (err instanceof MirrorError)
            throw new ConfigFetchError(`cannot read ${repo.config_path}: ${err.message}`);
          throw err;
        }
        return localConfig.find(asLocal(repo, dir), build);
      },
    },
    commits: {
      async find(repo, sha) {
        if (!isMirrored(repo)) return base.commits.find(repo, sha);
        const { dir, sha: found } = await mirrors.resolve(repo, sha);
        return found ? commitInfo(dir, found) : undefined;
      },
      // A branch head is always fetched first: custom and cron builds build what the remote has now.
      async findRef(repo, ref) {
        if (!isMirrored(repo)) return base.commits.findRef(repo, ref);
        const dir = await mirrors.fetch(repo);
        const sha = await resolveRevision(dir, ref).catch(() => undefined);
        return sha ? commitInfo(dir, sha) : undefined;
      },
    },
    changes: {
      async list(repo, before, after) {
        if (!isMirrored(repo)) return base.changes.list(repo, before, after);
        const resolved = await mirrors.resolve(repo, after).catch(() => undefined);
        return resolved?.sha ? changedFiles(resolved.dir, before, after) : undefined;
      },
    },
  };
}
