// Acting on builds (drone handler/api/repos/builds, …/stages): a custom build, restart, cancel,
// promote and rollback (write access), approve and decline (admin access). New builds go through
// the trigger as a webhook's would. A cancel is written to the database, where runners and every
// server replica see it.
import { Type } from 'typebox';
import type { App, RouteContext } from '../../app.js';
import { authorizeRepo, requireUser } from '../../auth/access.js';
import { repoPath } from '../../scm/content.js';
import { isMirrored } from '../../scm/mirror.js';
import type { Commit } from '../../scm/git.js';
import type { Repo, User } from '../../store/models.js';
import { purgeBuilds } from '../../store/queries/builds.js';
import { findUser } from '../../store/queries/users.js';
import { ApprovalError, approveStage, declineStages } from '../../trigger/approval.js';
import { schedulerOf } from '../../scheduler/index.js';
import { cancelBuild } from '../../trigger/cancel.js';
import { branchOf, customHook, deployHook, paramsFrom, restartHook } from '../../trigger/manual.js';
import { sendStatus, type TriggerResult, triggerBuild } from '../../trigger/trigger.js';
import { scmServicesOf, triggerDepsOf } from '../hooks/services.js';
import { BuildParams, buildOf } from './builds.js';
import { buildWithStagesJson } from './builds-present.js';
import { badRequest, HttpError, notFound } from './errors.js';
import { RepoParams } from './params.js';

const StageParams = Type.Object({
  owner: Type.String({ minLength: 1, maxLength: 250 }),
  name: Type.String({ minLength: 1, maxLength: 250 }),
  number: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
  stage: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
});

/** Query and (form or JSON) body values together, as Go's FormValue sees them; the query wins. */
function formValues(query: unknown, body: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) Object.assign(out, body);
  if (typeof query === 'object' && query !== null) Object.assign(out, query);
  return out;
}

function text(values: Record<string, unknown>, key: string): string | undefined {
  const v = values[key];
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === 'string' ? first : undefined;
}

/** The JSON answer of a trigger: the new build with its stages, or `null` when nothing was built. */
function created(result: TriggerResult) {
  return result.kind === 'created' ? buildWithStagesJson(result.build, result.stages, []) : null;
}

/** Build actions under `/api/repos/{owner}/{name}/builds`. */
export function buildActionRoutes(app: App, ctx: RouteContext): void {
  const db = ctx.store.db;
  const now = () => Math.floor(ctx.clock.now().getTime() / 1000);

  const ownerOf = async (repo: Repo): Promise<User | undefined> =>
    repo.user_id ? await findUser(db, repo.user_id) : undefined;

  // A custom build: `?branch=&commit=&message=&action=` and any other key as a build parameter.
  app.post('/api/repos/:owner/:name/builds', { schema: { params: RepoParams } }, async (request, reply) => {
    const { owner, name } = request.params;
    const { repo } = await authorizeRepo(db, request.user, owner, name, 'write');
    const user = requireUser(request.user);
    const values = formValues(request.query, request.body);
    const branch = branchOf(repo, text(values, 'branch'));
    const sha = text(values, 'commit') ?? '';
    const commit = await resolveCommit(ctx, repo, branch, sha);
    const hook = customHook(branch, commit, user, {
      message: text(values, 'message') ?? '',
      action: text(values, 'action') ?? '',
      params: paramsFrom(values, ['commit', 'branch']),
    });
    const result = await triggerBuild(triggerDepsOf(ctx), repo, hook);
    return reply.code(200).send(created(result));
  });

  // Restart: a new build of the same commit.
  app.post(
    '/api/repos/:owner/:name/builds/:number',
    { schema: { params: BuildParams } },
    async (request, reply) => {
      const { owner, name, number } = request.params;
      const { repo } = await authorizeRepo(db, request.user, owner, name, 'write');
      const user = requireUser(request.user);
      const prev = await buildOf(db, repo, number);
      if (prev.status === 'blocked') throw badRequest('cannot start a blocked build');
      if (prev.status === 'declined') throw badRequest('cannot start a declined build');
      const values = formValues(request.query, request.body);
      const hook = restartHook(prev, user, paramsFrom(values, ['debug']), text(values, 'debug') === 'true');
      return reply.code(200).send(created(await triggerBuild(triggerDepsOf(ctx), repo, hook)));
    },
  );

  // Cancel: pending, running (or blocked) builds become killed; unfinished stages and steps too.
  app.delete(
    '/api/repos/:owner/:name/builds/:number',
    { schema: { params: BuildParams } },
    async (request) => {
      const { owner, name, number } = request.params;
      const { repo } = await authorizeRepo(db, request.user, owner, name, 'write');
      const build = await buildOf(db, repo, number);
      const res = await cancelBuild(db, build.id, 'killed', now());
      if (res.changed) {
        schedulerOf(ctx).cancelled(build.id);
        schedulerOf(ctx).buildChanged(repo.id, build.id);
        request.log.info({ repo: repo.slug, build: build.number }, 'build cancelled');
        await sendStatus(triggerDepsOf(ctx), repo, await ownerOf(repo), res.build);
      }
      return buildWithStagesJson(res.build, res.stages, res.steps);
    },
  );

  for (const event of ['promote', 'rollback'] as const) {
    app.post(
      `/api/repos/:owner/:name/builds/:number/${event}`,
      { schema: { params: BuildParams } },
      async (request, reply) => {
        const { owner, name, number } = request.params;
        const { repo } = await authorizeRepo(db, request.user, owner, name, 'write');
        const user = requireUser(request.user);
        const prev = await buildOf(db, repo, number);
        const values = formValues(request.query, request.body);
        const target = text(values, 'target') ?? '';
        if (target === '') throw badRequest('Missing target environment');
        const hook = deployHook(prev, user, event, target, paramsFrom(values, ['target']));
        return reply.code(200).send(created(await triggerBuild(triggerDepsOf(ctx), repo, hook)));
      },
    );
  }

  app.post(
    '/api/repos/:owner/:name/builds/:number/approve/:stage',
    { schema: { params: StageParams } },
    async (request, reply) => {
      const { owner, name, number, stage } = request.params;
      const { repo } = await authorizeRepo(db, request.user, owner, name, 'admin');
      const build = await buildOf(db, repo, number);
      const res = await approving(() => approveStage(db, build.id, stage, now()));
      schedulerOf(ctx).schedule();
      schedulerOf(ctx).buildChanged(repo.id, build.id);
      if (build.status !== res.build.status)
        await sendStatus(triggerDepsOf(ctx), repo, await ownerOf(repo), res.build);
      return reply.code(204).send();
    },
  );

  // Purge: deletes the builds numbered below `before` (repo admins).
  app.delete(
    '/api/repos/:owner/:name/builds',
    { schema: { params: RepoParams, querystring: Type.Object({ before: Type.Optional(Type.String()) }) } },
    async (request, reply) => {
      const { owner, name } = request.params;
      const { repo } = await authorizeRepo(db, request.user, owner, name, 'admin');
      const before = Number.parseInt(request.query.before ?? '', 10);
      if (!Number.isSafeInteger(before)) throw badRequest('Missing or invalid before parameter');
      await purgeBuilds(db, repo.id, before);
      return reply.code(204).send();
    },
  );

  const decline = async (
    params: { owner: string; name: string; number: number; stage?: number },
    user: User | undefined,
  ): Promise<void> => {
    const { repo } = await authorizeRepo(db, user, params.owner, params.name, 'admin');
    const build = await buildOf(db, repo, params.number);
    const res = await approving(() => declineStages(db, build.id, params.stage, now()));
    schedulerOf(ctx).buildChanged(repo.id, build.id);
    await sendStatus(triggerDepsOf(ctx), repo, await ownerOf(repo), res.build);
  };
  app.post(
    '/api/repos/:owner/:name/builds/:number/decline/:stage',
    { schema: { params: StageParams } },
    async (request, reply) => {
      await decline(request.params, request.user);
      return reply.code(204).send();
    },
  );
  app.post(
    '/api/repos/:owner/:name/builds/:number/decline',
    { schema: { params: BuildParams } },
    async (request, reply) => {
      await decline(request.params, request.user);
      return reply.code(204).send();
    },
  );
}

/** Runs an approval step, answering the build's state errors with 400 (404 for a missing stage). */
async function approving<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApprovalError) {
      throw new HttpError(err.message.endsWith('not found') ? 404 : 400, err.message);
    }
    throw err;
  }
}

/** The commit a custom build runs: the one named, or the head of the branch. */
async function resolveCommit(ctx: RouteContext, repo: Repo, branch: string, sha: string): Promise<Commit> {
  const commits = scmServicesOf(ctx).commits;
  if (sha !== '' && !/^[0-9a-fA-F]{4,64}$/.test(sha))
    throw badRequest(`invalid commit "${sha.slice(0, 80)}"`);
  const found =
    sha !== '' ? await commits.find(repo, sha) : await commits.findRef(repo, `refs/heads/${branch}`);
  if (found) return found;
  // A mirrored repo's mirror was just fetched: a commit it lacks does not exist.
  const local = repoPath(repo) !== undefined || isMirrored(repo);
  if (sha !== '' && !local) {
    // Without an SCM API to ask, a commit named outright is taken at its word.
    return {
      sha,
      message: '',
      timestamp: 0,
      author: { login: '', name: '', email: '', avatar: '' },
      link: '',
    };
  }
  if (sha !== '') throw notFound(`commit ${sha} not found in ${repo.slug}`);
  if (!local) {
    throw notFound(
      `cannot resolve branch ${branch}: reading commits from ${repo.scm || 'the SCM'} is not configured (pass ?commit=SHA)`,
    );
  }
  throw notFound(`branch ${branch} not found in ${repo.slug}`);
}
