// Who has access to a repo (Drone's /collaborators): the cached perms rows with each user's login
// and avatar. Listing and looking up need read access; removing one needs admin on the repo.
import { Type } from 'typebox';
import type { App, RouteContext } from '../../app.js';
import { authorizeRepo } from '../../auth/access.js';
import { deletePerm, findPerm, listPermsOfRepo } from '../../store/queries/perms.js';
import { findUserByLogin } from '../../store/queries/users.js';
import { notFound } from './errors.js';
import { RepoParams } from './params.js';
import { collaboratorJson } from './present.js';

const MemberParams = Type.Object({
  ...RepoParams.properties,
  member: Type.String({ minLength: 1, maxLength: 250 }),
});

/** `/api/repos/{owner}/{name}/collaborators[/{member}]`. */
export function collaboratorRoutes(app: App, ctx: RouteContext): void {
  const db = ctx.store.db;

  app.get('/api/repos/:owner/:name/collaborators', { schema: { params: RepoParams } }, async (request) => {
    const { repo } = await authorizeRepo(db, request.user, request.params.owner, request.params.name, 'read');
    const perms = await listPermsOfRepo(db, repo.id);
    if (perms.length === 0) return [];
    const users = await db
      .selectFrom('users')
      .select(['id', 'login', 'avatar'])
      .where(
        'id',
        'in',
        perms.map((p) => p.user_id),
      )
      .execute();
    const byId = new Map(users.map((u) => [u.id, u]));
    return perms.flatMap((p) => {
      const u = byId.get(p.user_id);
      return u ? [{ ...collaboratorJson(p, u), repo_uid: repo.uid }] : [];
    });
  });

  const find = async (repoId: number, login: string) => {
    const user = await findUserByLogin(db, login);
    const perm = user ? await findPerm(db, user.id, repoId) : undefined;
    if (!user || !perm) throw notFound();
    return { user, perm };
  };

  app.get(
    '/api/repos/:owner/:name/collaborators/:member',
    { schema: { params: MemberParams } },
    async (request) => {
      const { owner, name, member } = request.params;
      const { repo } = await authorizeRepo(db, request.user, owner, name, 'read');
      const { user, perm } = await find(repo.id, member);
      return { ...collaboratorJson(perm, user), repo_uid: repo.uid };
    },
  );

  app.delete(
    '/api/repos/:owner/:name/collaborators/:member',
    { schema: { params: MemberParams } },
    async (request, reply) => {
      const { owner, name, member } = request.params;
      const { repo } = await authorizeRepo(db, request.user, owner, name, 'admin');
      const { user } = await find(repo.id, member);
      await deletePerm(db, user.id, repo.id);
      reply.code(204).send();
    },
  );
}
