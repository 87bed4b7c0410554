// The signed-in user (Drone's /api/user routes): profile, API token, repos, recent builds.
import { Type } from 'typebox';
import type { App, RouteContext } from '../../app.js';
import { requireUser } from '../../auth/access.js';
import { requestToken } from '../../auth/session.js';
import { newToken } from '../../auth/tokens.js';
import { syncUserRepos } from '../../scm/sync.js';
import { listUserRecentBuilds, listUserRepos, listUserReposWithLatest } from '../../auth/visible-repos.js';
import { setUserToken, updateUser } from '../../store/queries/users.js';
import { optionalBody } from './params.js';
import { repoJson, userJson } from './present.js';

const UserPatch = Type.Object({ email: Type.Optional(Type.String({ maxLength: 500 })) });
const TokenQuery = Type.Object({ rotate: Type.Optional(Type.String()) });
const ReposQuery = Type.Object({ latest: Type.Optional(Type.String()) });

/** `/api/user`, `/api/user/token`, `/api/user/repos`, `/api/user/builds`. */
export function userRoutes(app: App, ctx: RouteContext): void {
  const db = ctx.store.db;

  app.get('/api/user', async (request) => userJson(requireUser(request.user)));

  // Drone takes only the email from the body.
  app.patch('/api/user', { schema: { body: optionalBody(UserPatch) } }, async (request) => {
    const user = requireUser(request.user);
    const email = request.body?.email;
    if (email === undefined) return userJson(user);
    return userJson(await updateUser(db, { ...user, email }));
  });

  // Only a token's hash is stored, so the current token cannot be shown again: without
  // `rotate=true` the answer carries the token the request was authenticated with.
  app.post('/api/user/token', { schema: { querystring: TokenQuery } }, async (request) => {
    const user = requireUser(request.user);
    const rotate = request.query.rotate === 'true' || formValue(request.body, 'rotate') === 'true';
    let token = rotate ? undefined : requestToken(request);
    if (token === undefined) {
      token = newToken();
      await setUserToken(db, user.id, token);
    }
    return { ...userJson(user), token };
  });

  app.get('/api/user/repos', { schema: { querystring: ReposQuery } }, async (request) => {
    const user = requireUser(request.user);
    if (request.query.latest === 'true') {
      const list = await listUserReposWithLatest(db, user.id);
      return list.map(({ repo, build }) => repoJson(repo, build ? { build } : {}));
    }
    return (await listUserRepos(db, user.id)).map((r) => repoJson(r));
  });

  // Drone re-syncs the list from the SCM here, with the user's own SCM token (a user without one,
  // or a server without an SCM API, gets the list Hangar already has).
  const SyncQuery = Type.Object({
    scm: Type.Optional(Type.Union([Type.Literal('github'), Type.Literal('gitea'), Type.Literal('gitlab')])),
  });
  app.post('/api/user/repos', { schema: { querystring: SyncQuery } }, async (request) => {
    const user = requireUser(request.user);
    const scm = request.query.scm;
    await syncUserRepos(ctx, user, scm ? { scm } : {});
    return (await listUserRepos(db, user.id)).map((r) => repoJson(r));
  });

  const recent = async (request: { user: Parameters<typeof requireUser>[0] }) => {
    const user = requireUser(request.user);
    const list = await listUserRecentBuilds(db, user.id);
    return list.map(({ repo, build }) => repoJson(repo, { build }));
  };
  app.get('/api/user/builds', recent);
  app.get('/api/user/builds/recent', recent);
}

function formValue(body: unknown, key: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const v = (body as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : undefined;
}
