// The latest build per branch, pull request and deployment target (drone handler/api/repos/builds/
// branches, pulls, deploys): `GET …/builds/branches|pulls|deployments` (read access) list the builds
// the `latest` index points at, by name; `DELETE …/builds/branches/{branch}`, `…/pulls/{n}` and
// `…/deployments/{target}` (write access) drop an entry (204, also when there was none).
import { Type } from 'typebox';
import type { App, RouteContext } from '../../app.js';
import { authorizeRepo } from '../../auth/access.js';
import type { Latest } from '../../store/models.js';
import { findBuild } from '../../store/queries/builds.js';
import { deleteLatest, listLatest } from '../../store/queries/latest.js';
import { badRequest } from './errors.js';
import { RepoParams } from './params.js';
import { buildJson } from './present.js';

const kinds: ReadonlyArray<[string, Latest['type']]> = [
  ['branches', 'branch'],
  ['pulls', 'pull_request'],
  ['deployments', 'deployment'],
];

// Checked by hand: TypeBox cannot validate a property named `*` (it builds the regex /^*$/).
function wildParams(params: unknown): { owner: string; name: string; entry: string } {
  const p = params as Record<string, string | undefined>;
  const owner = p.owner ?? '';
  const name = p.name ?? '';
  const entry = p['*'] ?? '';
  if (owner === '' || name === '' || owner.length > 250 || name.length > 250)
    throw badRequest('bad repository name');
  if (entry.length > 500) throw badRequest('name too long');
  return { owner, name, entry };
}

const PullParams = Type.Object({
  owner: Type.String({ minLength: 1, maxLength: 250 }),
  name: Type.String({ minLength: 1, maxLength: 250 }),
  pull: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
});

/** `GET|DELETE …/builds/branches|pulls|deployments`. */
export function latestBuildRoutes(app: App, ctx: RouteContext): void {
  const db = ctx.store.db;

  for (const [path, type] of kinds) {
    app.get(`/api/repos/:owner/:name/builds/${path}`, { schema: { params: RepoParams } }, async (request) => {
      const { owner, name } = request.params;
      const { repo } = await authorizeRepo(db, request.user, owner, name, 'read');
      const out = [];
      for (const entry of await listLatest(db, repo.id, type)) {
        const build = await findBuild(db, entry.build_id);
        if (build) out.push(buildJson(build));
      }
      return out;
    });
  }

  for (const [path, type] of [kinds[0]!, kinds[2]!]) {
    app.delete(`/api/repos/:owner/:name/builds/${path}/*`, async (request, reply) => {
      const { owner, name, entry } = wildParams(request.params);
      if (entry === '') throw badRequest(`a ${type} name is required`);
      const { repo } = await authorizeRepo(db, request.user, owner, name, 'write');
      await deleteLatest(db, repo.id, type, entry);
      return reply.code(204).send();
    });
  }

  app.delete(
    '/api/repos/:owner/:name/builds/pulls/:pull',
    { schema: { params: PullParams } },
    async (request, reply) => {
      const { owner, name, pull } = request.params;
      const { repo } = await authorizeRepo(db, request.user, owner, name, 'write');
      await deleteLatest(db, repo.id, 'pull_request', String(pull));
      return reply.code(204).send();
    },
  );
}
