// Reading builds (drone handler/api/repos/builds): the list (paged, by branch or tag), the latest
// build of a ref, one build with its stages and steps, and the admin's incomplete builds.
import { Type } from 'typebox';
import type { App, RouteContext } from '../../app.js';
import { authorizeRepo, requireAdmin } from '../../auth/access.js';
import type { Build, Repo } from '../../store/models.js';
import {
  findBuildByNumber,
  findLatestBuild,
  listBuilds,
  listIncompleteBuilds,
} from '../../store/queries/builds.js';
import { findRepo } from '../../store/queries/repos.js';
import { listStagesOfBuild } from '../../store/queries/stages.js';
import { listStepsOfStages } from '../../store/queries/steps.js';
import type { Db } from '../../store/schema.js';
import { buildWithStagesJson } from './builds-present.js';
import { notFound } from './errors.js';
import { RepoParams } from './params.js';
import { buildJson, repoJson } from './present.js';

/** `/:owner/:name/builds/:number`. */
export const BuildParams = Type.Object({
  owner: Type.String({ minLength: 1, maxLength: 250 }),
  name: Type.String({ minLength: 1, maxLength: 250 }),
  number: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
});

// Drone reads these with Atoi and falls back to defaults, so they are strings here.
const ListQuery = Type.Object({
  page: Type.Optional(Type.String({ maxLength: 20 })),
  per_page: Type.Optional(Type.String({ maxLength: 20 })),
  branch: Type.Optional(Type.String({ maxLength: 1000 })),
  tag: Type.Optional(Type.String({ maxLength: 1000 })),
});

const LatestQuery = Type.Object({
  ref: Type.Optional(Type.String({ maxLength: 1000 })),
  branch: Type.Optional(Type.String({ maxLength: 1000 })),
});

/** Paging as Drone's list handler reads it: `per_page` outside 1–100 means 25, `page` below 2 means 1. */
export function listPage(
  page: string | undefined,
  perPage: string | undefined,
): { page: number; perPage: number } {
  const limit = Number.parseInt(perPage ?? '', 10);
  const p = Number.parseInt(page ?? '', 10);
  return {
    perPage: Number.isFinite(limit) && limit >= 1 && limit <= 100 ? limit : 25,
    page: Number.isFinite(p) && p > 1 ? p : 1,
  };
}

/** Build `number` of `repo`; 404 when there is none. */
export async function buildOf(db: Db, repo: Repo, number: number): Promise<Build> {
  const build = await findBuildByNumber(db, repo.id, number);
  if (!build) throw notFound('Build not found');
  return build;
}

/** A build with its stages and their steps, as JSON. */
export async function fullBuildJson(db: Db, build: Build) {
  const stages = await listStagesOfBuild(db, build.id);
  const steps = await listStepsOfStages(
    db,
    stages.map((s) => s.id),
  );
  return buildWithStagesJson(build, stages, steps);
}

/** `GET …/builds`, `…/builds/latest`, `…/builds/{n}` and `GET /api/builds/incomplete`. */
export function buildRoutes(app: App, { store }: RouteContext): void {
  const db = store.db;

  app.get(
    '/api/repos/:owner/:name/builds',
    { schema: { params: RepoParams, querystring: ListQuery } },
    async (request) => {
      const { owner, name } = request.params;
      const { repo } = await authorizeRepo(db, request.user, owner, name, 'read');
      const { branch, tag } = request.query;
      const { page, perPage } = listPage(request.query.page, request.query.per_page);
      let ref: string | undefined;
      if (branch) ref = `refs/heads/${branch}`;
      else if (tag) ref = `refs/tags/${tag}`;
      const builds = await listBuilds(db, repo.id, { page, perPage, ...(ref !== undefined && { ref }) });
      return builds.map(buildJson);
    },
  );

  app.get(
    '/api/repos/:owner/:name/builds/latest',
    { schema: { params: RepoParams, querystring: LatestQuery } },
    async (request) => {
      const { owner, name } = request.params;
      const { repo } = await authorizeRepo(db, request.user, owner, name, 'read');
      let ref = request.query.ref ?? '';
      if (ref === '' && request.query.branch) ref = `refs/heads/${request.query.branch}`;
      if (ref === '') ref = `refs/heads/${repo.default_branch}`;
      const build = await findLatestBuild(db, repo.id, ref);
      if (!build) throw notFound('Build not found');
      return fullBuildJson(db, build);
    },
  );

  app.get('/api/repos/:owner/:name/builds/:number', { schema: { params: BuildParams } }, async (request) => {
    const { owner, name, number } = request.params;
    const { repo } = await authorizeRepo(db, request.user, owner, name, 'read');
    return fullBuildJson(db, await buildOf(db, repo, number));
  });

  // Drone's v1 answer: one repo per incomplete build, with that build.
  app.get('/api/builds/incomplete', async (request) => {
    requireAdmin(request.user);
    const builds = await listIncompleteBuilds(db);
    const repos = new Map<number, Repo | undefined>();
    const out = [];
    for (const build of builds) {
      if (!repos.has(build.repo_id)) repos.set(build.repo_id, await findRepo(db, build.repo_id));
      const repo = repos.get(build.repo_id);
      if (repo) out.push(repoJson(repo, { build }));
    }
    return out;
  });
}
