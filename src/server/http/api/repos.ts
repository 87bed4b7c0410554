// Repositories (Drone's /api/repos): the admin listing, the public listing (/api/public/repos),
// info, settings, enable/disable, chown and repair. Enabling gives a repo its webhook signer and
// encryption key (random 32-character strings, never shown) and makes the caller its owner, as
// Drone does.
import { Type } from 'typebox';
import type { App, RouteContext } from '../../app.js';
import { authorizeRepo, requireAdmin, requireUser } from '../../auth/access.js';
import { newRepoKey } from '../../auth/tokens.js';
import { forgetRemote, prepareRemote } from '../../scm/mirror-services.js';
import { localPath } from '../../scm/git.js';
import { listPublicRepos, listPublicReposWithLatest } from '../../auth/visible-repos.js';
import { DuplicateError } from '../../store/errors.js';
import type { Repo, User } from '../../store/models.js';
import { upsertPerm } from '../../store/queries/perms.js';
import { createRepo, deleteRepo, findRepoBySlug, listRepos, updateRepo } from '../../store/queries/repos.js';
import { findUser } from '../../store/queries/users.js';
import type { Db } from '../../store/schema.js';
import { transaction } from '../../store/transaction.js';
import { badRequest, conflict, HttpError, notFound, unauthorized } from './errors.js';
import { optionalBody, PageQuery, RepoParams } from './params.js';
import { repoJson } from './present.js';

const Visibility = Type.Union([Type.Literal('public'), Type.Literal('private'), Type.Literal('internal')]);

const RepoPatch = Type.Object({
  visibility: Type.Optional(Visibility),
  config_path: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  protected: Type.Optional(Type.Boolean()),
  ignore_forks: Type.Optional(Type.Boolean()),
  ignore_pull_requests: Type.Optional(Type.Boolean()),
  auto_cancel_pull_requests: Type.Optional(Type.Boolean()),
  auto_cancel_pushes: Type.Optional(Type.Boolean()),
  auto_cancel_running: Type.Optional(Type.Boolean()),
  // System administrators only:
  trusted: Type.Optional(Type.Boolean()),
  timeout: Type.Optional(Type.Integer({ minimum: 1, maximum: 525_600 })),
  throttle: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  counter: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })),
});

/** Hangar: the SCM facts of a repo not known yet, given when enabling it creates it. */
const RepoCreate = Type.Object({
  uid: Type.Optional(Type.String({ maxLength: 250 })),
  scm: Type.Optional(Type.String({ maxLength: 50 })),
  git_http_url: Type.Optional(Type.String({ maxLength: 2000 })),
  git_ssh_url: Type.Optional(Type.String({ maxLength: 2000 })),
  link: Type.Optional(Type.String({ maxLength: 2000 })),
  default_branch: Type.Optional(Type.String({ minLength: 1, maxLength: 250 })),
  private: Type.Optional(Type.Boolean()),
  visibility: Type.Optional(Visibility),
  config_path: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  // Hangar: Basic-auth credentials of a `git` remote (scm `git`); stored sealed, never shown.
  username: Type.Optional(Type.String({ minLength: 1, maxLength: 250 })),
  password: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })),
});

const adminOnly = ['trusted', 'timeout', 'throttle', 'counter'] as const;
const patchKeys = Object.keys(RepoPatch.properties) as (keyof typeof RepoPatch.properties)[];

// A path segment that can be part of a slug: no slashes, no `.`/`..`.
const SEGMENT = /^(?!\.\.?$)[A-Za-z0-9_.-]{1,100}$/;

/** `/api/repos` and `/api/repos/{owner}/{name}[/chown|/repair]`. */
export function repoRoutes(app: App, ctx: RouteContext): void {
  const db = ctx.store.db;

  app.get('/api/repos', { schema: { querystring: PageQuery } }, async (request) => {
    requireAdmin(request.user);
    const { page, per_page } = request.query;
    return (await listRepos(db, { page, perPage: per_page })).map((r) => repoJson(r));
  });

  // Hangar extension: the active public repos, which anyone may read (Drone has no such list; its
  // UI cannot show a guest where to start). `latest=true` adds each repo's newest build.
  const PublicQuery = Type.Object({ latest: Type.Optional(Type.String()) });
  app.get('/api/public/repos', { schema: { querystring: PublicQuery } }, async (request) => {
    if (request.query.latest === 'true') {
      const list = await listPublicReposWithLatest(db);
      return list.map(({ repo, build }) => repoJson(repo, build ? { build } : {}));
    }
    return (await listPublicRepos(db)).map((r) => repoJson(r));
  });

  app.get('/api/repos/:owner/:name', { schema: { params: RepoParams } }, async (request) => {
    const { owner, name } = request.params;
    const { repo, perm } = await authorizeRepo(db, request.user, owner, name, 'read');
    return repoJson(repo, request.user ? { perm } : {});
  });

  app.patch(
    '/api/repos/:owner/:name',
    { schema: { params: RepoParams, body: RepoPatch } },
    async (request) => {
      const { owner, name } = request.params;
      const { repo } = await authorizeRepo(db, request.user, owner, name, 'admin');
      const input = request.body;
      // Drone silently ignores these from non-admins; Hangar refuses a real change so it is not
      // lost quietly, but lets clients send back the values they read.
      if (!request.user?.admin) {
        const changed = adminOnly.filter((k) => input[k] !== undefined && input[k] !== repo[k]);
        if (changed.length > 0) {
          throw new HttpError(403, `only system administrators can change ${changed.join(', ')}`);
        }
      }
      if (input.counter !== undefined && input.counter < repo.counter) {
        const last = await lastBuildNumber(db, repo.id);
        if (input.counter < last)
          throw badRequest(`counter must not be below the last build number (${last})`);
      }
      const next: Repo = { ...repo, updated: now(ctx) };
      // Only the settable fields: other keys in the body (a client echoing the whole repo) are ignored.
      for (const key of patchKeys) {
        const value = input[key];
        if (value !== undefined) (next as unknown as Record<string, unknown>)[key] = value;
      }
      return repoJson(await updateRepo(db, next));
    },
  );

  // Enable. A repo Hangar does not know yet is created: by a system admin anywhere, by a user in
  // their own namespace (their login).
  app.post(
    '/api/repos/:owner/:name',
    { schema: { params: RepoParams, body: optionalBody(RepoCreate) } },
    async (request) => {
      const { owner, name } = request.params;
      const user = request.user;
      const existing = await findRepoBySlug(db, `${owner}/${name}`);
      let repo: Repo;
      if (existing) {
        repo = (await authorizeRepo(db, user, owner, name, 'admin')).repo;
      } else {
        if (!user) throw unauthorized();
        if (!user.admin && user.login !== owner) throw notFound();
        if (!SEGMENT.test(owner) || !SEGMENT.test(name)) {
          throw badRequest('owner and name may hold letters, digits, `_`, `-` and `.` only');
        }
        const input = request.body ?? {};
        // A path on the server's machine reads whatever repository lives there (and runners clone
        // it), so only a system administrator may point a repository at one.
        if (!user.admin && onThisMachine(input)) {
          throw new HttpError(
            403,
            "only system administrators can register a repository on the server's machine",
          );
        }
        repo = await createNew(db, owner, name, user, input);
      }
      const enabler = requireUser(user);
      let prepared: Repo = { ...withDefaults(repo), active: true, user_id: enabler.id, updated: now(ctx) };
      // As Drone: the SCM hook first, then the activation, so a failing SCM leaves the repo as it was
      // (and a repo created just now is removed again).
      try {
        // A repo known by a remote URL only (scm `git`): its mirror is fetched, its credentials kept.
        prepared = await prepareRemote(ctx, prepared, request.body ?? {}, !existing);
        await ctx.repoHooks?.activate(prepared, enabler);
      } catch (err) {
        if (!existing) await deleteRepo(db, repo.id);
        throw err;
      }
      return repoJson(await enable(db, prepared, enabler));
    },
  );

  const DisableQuery = Type.Object({ remove: Type.Optional(Type.String()) });
  app.delete(
    '/api/repos/:owner/:name',
    { schema: { params: RepoParams, querystring: DisableQuery } },
    async (request) => {
      const { owner, name } = request.params;
      const { repo } = await authorizeRepo(db, request.user, owner, name, 'admin');
      const updated = await updateRepo(db, { ...repo, active: false, updated: now(ctx) });
      await ctx.repoHooks?.deactivate(updated, requireUser(request.user));
      if (request.query.remove === 'true') {
        await deleteRepo(db, repo.id);
        await forgetRemote(ctx, repo);
      }
      return repoJson(updated);
    },
  );

  app.post('/api/repos/:owner/:name/chown', { schema: { params: RepoParams } }, async (request) => {
    const { owner, name } = request.params;
    const { repo } = await authorizeRepo(db, request.user, owner, name, 'admin');
    const user = requireUser(request.user);
    const updated = await transaction(db, async (tx) => {
      const saved = await updateRepo(tx, { ...repo, user_id: user.id, updated: now(ctx) });
      await upsertPerm(tx, { user_id: user.id, repo_id: repo.id, read: true, write: true, admin: true });
      return saved;
    });
    return repoJson(updated);
  });

  // Drone re-reads the repo from the SCM and re-creates its webhook. Hangar also restores any
  // missing key or default, and re-registers the hook through the SCM layer when one is wired.
  app.post('/api/repos/:owner/:name/repair', { schema: { params: RepoParams } }, async (request) => {
    const { owner, name } = request.params;
    const { repo } = await authorizeRepo(db, request.user, owner, name, 'admin');
    const repoOwner = repo.user_id ? await findUser(db, repo.user_id) : undefined;
    if (!repoOwner) throw notFound('the repository has no owner; use chown first');
    const repaired = await updateRepo(db, { ...withDefaults(repo), updated: now(ctx) });
    if (repaired.active) await ctx.repoHooks?.activate(repaired, repoOwner);
    return repoJson(repaired);
  });
}

function now(ctx: RouteContext): number {
  return Math.floor(ctx.clock.now().getTime() / 1000);
}

async function lastBuildNumber(db: Db, repoId: number): Promise<number> {
  const row = await db
    .selectFrom('builds')
    .select((eb) => eb.fn.max('number').as('n'))
    .where('repo_id', '=', repoId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

function withDefaults(repo: Repo): Repo {
  return {
    ...repo,
    config_path: repo.config_path || '.drone.yml',
    signer: repo.signer || newRepoKey(),
    secret: repo.secret || newRepoKey(),
    timeout: repo.timeout || 60,
  };
}

async function enable(db: Db, prepared: Repo, user: User): Promise<Repo> {
  return transaction(db, async (tx) => {
    const saved = await updateRepo(tx, prepared);
    // The enabler's access is cached like an SCM permission, so the repo is in their list.
    await upsertPerm(tx, { user_id: user.id, repo_id: prepared.id, read: true, write: true, admin: true });
    return saved;
  });
}

function onThisMachine(input: { scm?: string; uid?: string; git_http_url?: string }): boolean {
  if (localPath(input.git_http_url ?? '') !== undefined) return true;
  return input.scm === 'local' && localPath(input.uid ?? '') !== undefined;
}

async function createNew(
  db: Db,
  owner: string,
  name: string,
  user: User,
  input: {
    uid?: string;
    scm?: string;
    git_http_url?: string;
    git_ssh_url?: string;
    link?: string;
    default_branch?: string;
    private?: boolean;
    visibility?: 'public' | 'private' | 'internal';
    config_path?: string;
  },
): Promise<Repo> {
  const priv = input.private ?? (input.visibility ? input.visibility !== 'public' : true);
  try {
    return await createRepo(db, {
      namespace: owner,
      name,
      user_id: user.id,
      uid: input.uid ?? '',
      scm: input.scm ?? '',
      git_http_url: input.git_http_url ?? '',
      git_ssh_url: input.git_ssh_url ?? '',
      link: input.link ?? '',
      default_branch: input.default_branch ?? 'main',
      private: priv,
      visibility: input.visibility ?? (priv ? 'private' : 'public'),
      config_path: input.config_path ?? '.drone.yml',
    });
  } catch (err) {
    // Someone enabled it at the same moment.
    if (err instanceof DuplicateError) throw conflict(`repository ${owner}/${name} was just created; retry`);
    throw err;
  }
}
