// Repository sync (Drone's syncer, drone-reference.md §5): the repositories a user reaches on their
// SCM, read with the user's own SCM token, become Hangar repos (inactive until someone enables
// them) and the user's perms rows (read/write/admin from the SCM, with the time of the sync), so
// the per-repo authorization follows the SCM. Repos of that SCM the user no longer reaches lose
// the user's perm. The SCM is read in full before anything is written, and everything is written
// in one transaction: a failing SCM leaves the database as it was.
import type { Logger } from 'pino';
import type { Clock } from '../app.js';
import { type RenewContext, scmTokensOf } from '../auth/oauth-renew.js';
import { openOAuthToken } from '../auth/oauth-token.js';
import type { ServerConfig } from '../config.js';
import type { SecretBox } from '../secrets/box.js';
import { decodeRow, encodeRow } from '../store/codec.js';
import { ConflictError, DuplicateError } from '../store/errors.js';
import type { Repo, User } from '../store/models.js';
import { deletePerm, upsertPerm } from '../store/queries/perms.js';
import { createRepo, findRepoBySlug, updateRepo } from '../store/queries/repos.js';
import { columns, type Db } from '../store/schema.js';
import { transaction } from '../store/transaction.js';
import { type HostedScm, hostedScms, ScmApiError } from './api-call.js';
import { repoPath } from './content.js';
import { listRemoteRepos, type RemoteRepo } from './repos-http.js';

/** What a sync needs of the server: its store, SCM settings and secret box (a RouteContext will do). */
export interface SyncContext {
  store: { db: Db };
  config: Pick<ServerConfig, 'status'> & Partial<Pick<ServerConfig, 'login'>>;
  /** Opens the user's SCM token, sealed at rest (auth/oauth-token.ts). */
  box: SecretBox;
  logger?: Pick<Logger, 'info' | 'warn'>;
  clock?: Clock;
}

/** Options of a sync. */
export interface SyncOptions {
  /** The SCM the user's token belongs to; default: the sign-in SCM, else the only configured one. */
  scm?: HostedScm;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** What a sync did. */
export interface SyncResult {
  /** The SCM synced with (undefined when skipped before choosing one). */
  scm: HostedScm | undefined;
  /** Why nothing was synced (no SCM configured, no SCM token), when so. */
  skipped?: string;
  /** Repos the user reaches on the SCM (each now has the user's perm). */
  repos: number;
  added: number;
  updated: number;
  /** Perms removed because the user no longer reaches the repo. */
  revoked: number;
  /** Repos not synced because Hangar holds another repository under their name. */
  conflicts: string[];
}

// Public API roots to use when an SCM is named but has no API URL configured.
const PUBLIC_API: Partial<Record<HostedScm, string>> = {
  github: 'https://api.github.com',
  gitlab: 'https://gitlab.com',
};

// With a sign-in SCM the token may be due for renewal (GitLab's live 2 hours); without one it is
// only opened. The context object itself keys the renewer, so concurrent renewals are shared.
async function userToken(ctx: SyncContext, user: User): Promise<string> {
  if (ctx.config.login === undefined) return openOAuthToken(ctx.box, user.oauth_token);
  return (await scmTokensOf(ctx as RenewContext).fresh(user)).oauth_token;
}

/**
 * Re-reads `user`'s repositories from their SCM with their own token (users.oauth_token) and
 * stores them with the user's permissions (Drone syncs on login and on `POST /api/user/repos`).
 * Marks the user `syncing` meanwhile and `synced` after. A user without an SCM token, or a server
 * without any SCM API, is skipped (see `skipped`). SCM failures throw ScmApiError (an HttpError
 * with Hangar's status and the SCM's message) and change nothing but the `syncing` flag.
 */
export async function syncUserRepos(
  ctx: SyncContext,
  user: User,
  options: SyncOptions = {},
): Promise<SyncResult> {
  const db = ctx.store.db;
  const empty = { repos: 0, added: 0, updated: 0, revoked: 0, conflicts: [] };
  const token = await userToken(ctx, user);
  if (token === '') return { scm: undefined, skipped: `${user.login} has no SCM token`, ...empty };
  const scm = options.scm ?? ctx.config.login?.oauth?.scm ?? (await chooseScm(db, ctx.config, user));
  if (scm === undefined) return { scm, skipped: 'no SCM API is configured', ...empty };
  const base = ctx.config.status.endpoints[scm] ?? PUBLIC_API[scm];
  if (base === undefined) {
    throw new ScmApiError(
      400,
      `cannot sync with ${scm}: no ${scm} API is configured (HANGAR_${scm.toUpperCase()}_API)`,
    );
  }
  const now = Math.floor((ctx.clock?.now() ?? new Date()).getTime() / 1000);

  await setSyncing(db, user.id, { syncing: true });
  let remote: RemoteRepo[];
  try {
    remote = await listRemoteRepos({
      provider: scm,
      base,
      token,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
  } catch (err) {
    await setSyncing(db, user.id, { syncing: false }).catch(() => {});
    throw err;
  }

  let result: SyncResult = { scm, ...empty, conflicts: [] };
  // A sync running at the same moment (sign-in and `repo sync`, two users of one organisation)
  // may create or change the same rows first; the second attempt then sees them.
  for (let attempt = 1; ; attempt++) {
    result = { scm, ...empty, conflicts: [] };
    try {
      await store(db, user, scm, remote, now, result);
      break;
    } catch (err) {
      if (attempt < 3 && (err instanceof DuplicateError || err instanceof ConflictError)) continue;
      await setSyncing(db, user.id, { syncing: false }).catch(() => {});
      throw err;
    }
  }
  if (result.conflicts.length > 0) {
    ctx.logger?.warn(
      { user: user.login, scm, repos: result.conflicts },
      'repositories not synced: Hangar holds another repository under the same name',
    );
  }
  ctx.logger?.info(
    {
      user: user.login,
      scm,
      repos: result.repos,
      added: result.added,
      updated: result.updated,
      revoked: result.revoked,
    },
    'repositories synced',
  );
  return result;
}

/** Writes one sync in one transaction: the repos, the user's perms on them, the revocations. */
async function store(
  db: Db,
  user: User,
  scm: HostedScm,
  remote: RemoteRepo[],
  now: number,
  result: SyncResult,
): Promise<void> {
  await transaction(db, async (tx) => {
    const keep = new Set<number>();
    for (const r of remote) {
      if (!r.perm.read) continue;
      const saved = await saveRepo(tx, scm, r, now, result);
      if (!saved) continue;
      keep.add(saved.id);
      result.repos++;
      await upsertPerm(tx, { user_id: user.id, repo_id: saved.id, ...r.perm, synced: now, updated: now });
    }
    for (const repo of await reposWithPerm(tx, user.id, scm)) {
      if (keep.has(repo.id) || repoPath(repo) !== undefined) continue;
      await deletePerm(tx, user.id, repo.id);
      result.revoked++;
    }
    await setSyncing(tx, user.id, { syncing: false, synced: now });
  });
}

/** The SCM a user's API token belongs to without a sign-in SCM: the only configured one, else the one their repos are on. */
async function chooseScm(
  db: Db,
  config: Pick<ServerConfig, 'status'>,
  user: User,
): Promise<HostedScm | undefined> {
  const configured = hostedScms.filter((s) => config.status.endpoints[s] !== undefined);
  if (configured.length <= 1) return configured[0];
  const rows = await db
    .selectFrom('repos')
    .innerJoin('perms', 'perms.repo_id', 'repos.id')
    .select('repos.scm')
    .distinct()
    .where('perms.user_id', '=', user.id)
    .where('repos.scm', 'in', configured)
    .execute();
  if (rows.length === 1) return rows[0]?.scm as HostedScm;
  throw new ScmApiError(
    400,
    `several SCMs are configured (${configured.join(', ')}): name the one to sync with (?scm=${configured[0]})`,
  );
}

/** Creates or updates the Hangar repo of `r`; undefined when its name belongs to another repository. */
async function saveRepo(
  db: Db,
  scm: HostedScm,
  r: RemoteRepo,
  now: number,
  result: SyncResult,
): Promise<Repo | undefined> {
  const byUid = await db
    .selectFrom('repos')
    .selectAll()
    .where('scm', '=', scm)
    .where('uid', '=', r.uid)
    .orderBy('id')
    .executeTakeFirst();
  let local = byUid && decodeRow<Repo>(columns.repos, byUid);
  const bySlug = await findRepoBySlug(db, r.slug);
  if (local && bySlug && bySlug.id !== local.id) {
    // Renamed on the SCM onto a name Hangar gave another repository.
    result.conflicts.push(r.slug);
    return undefined;
  }
  if (!local && bySlug) {
    // A repo registered by hand before (no SCM yet) is adopted; one of another SCM or on this
    // machine is left alone.
    const adoptable = bySlug.scm === scm || (bySlug.scm === '' && repoPath(bySlug) === undefined);
    if (!adoptable) {
      result.conflicts.push(r.slug);
      return undefined;
    }
    local = bySlug;
  }
  if (!local) {
    result.added++;
    return createRepo(db, {
      uid: r.uid,
      scm,
      namespace: r.namespace,
      name: r.name,
      slug: r.slug,
      git_http_url: r.git_http_url,
      git_ssh_url: r.git_ssh_url,
      link: r.link,
      default_branch: r.default_branch,
      private: r.private,
      visibility: r.visibility,
      archived: r.archived,
      active: false,
      user_id: 0,
      synced: now,
    });
  }
  // Drone's merge: the SCM's names, URLs, privacy and default branch win. The visibility is a
  // Hangar setting, so it only narrows when the SCM made a public repository private.
  const next: Repo = {
    ...local,
    uid: r.uid,
    scm,
    namespace: r.namespace,
    name: r.name,
    slug: r.slug,
    git_http_url: r.git_http_url,
    git_ssh_url: r.git_ssh_url,
    link: r.link || local.link,
    default_branch: r.default_branch,
    private: r.private,
    archived: r.archived,
    visibility: r.private && local.visibility === 'public' ? r.visibility : local.visibility,
  };
  const fields = [
    'uid',
    'scm',
    'namespace',
    'name',
    'slug',
    'git_http_url',
    'git_ssh_url',
    'link',
    'default_branch',
    'private',
    'archived',
    'visibility',
  ] as const;
  if (fields.every((k) => next[k] === local[k])) return local;
  result.updated++;
  return updateRepo(db, { ...next, synced: now, updated: now });
}

/** The repos of `scm` on which the user holds a perm. */
async function reposWithPerm(db: Db, userId: number, scm: HostedScm): Promise<Repo[]> {
  const rows = await db
    .selectFrom('repos')
    .innerJoin('perms', 'perms.repo_id', 'repos.id')
    .selectAll('repos')
    .where('perms.user_id', '=', userId)
    .where('repos.scm', '=', scm)
    .execute();
  return rows.map((row) => decodeRow<Repo>(columns.repos, row));
}

async function setSyncing(
  db: Db,
  userId: number,
  state: { syncing: boolean; synced?: number },
): Promise<void> {
  await db.updateTable('users').set(encodeRow<User>(columns.users, state)).where('id', '=', userId).execute();
}
