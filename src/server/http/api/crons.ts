// Cron jobs of a repo (Drone's /api/repos/{owner}/{name}/cron; write access). The expression is
// checked and the next run time stored on every change (`next`), so the ticker only reads rows.
// `POST /cron/{name}` runs a job now.
import { Type } from 'typebox';
import type { App, RouteContext } from '../../app.js';
import { authorizeRepo } from '../../auth/access.js';
import { fireCron } from '../../cron/fire.js';
import { CronExprError, nextRunSeconds, slugifyCronName } from '../../cron/schedule.js';
import type { Cron } from '../../store/models.js';
import { createCron, deleteCron, findCronByName, listCrons, updateCron } from '../../store/queries/crons.js';
import { triggerDepsOf } from '../hooks/services.js';
import { buildWithStagesJson } from './builds-present.js';
import { badRequest, conflict, notFound } from './errors.js';
import { RepoParams } from './params.js';
import { cronJson } from './present.js';

const CronCreate = Type.Object({
  name: Type.String({ maxLength: 250 }),
  expr: Type.String({ maxLength: 200 }),
  branch: Type.Optional(Type.String({ maxLength: 250 })),
  target: Type.Optional(Type.String({ maxLength: 250 })),
  disabled: Type.Optional(Type.Boolean()),
});

const CronUpdate = Type.Object({
  branch: Type.Optional(Type.String({ maxLength: 250 })),
  target: Type.Optional(Type.String({ maxLength: 250 })),
  disabled: Type.Optional(Type.Boolean()),
  /** Hangar: Drone's update ignores the expression; here it may change too. */
  expr: Type.Optional(Type.String({ maxLength: 200 })),
});

const CronParams = Type.Object({
  ...RepoParams.properties,
  cron: Type.String({ minLength: 1, maxLength: 250 }),
});

// A git branch name as `git check-ref-format --branch` would roughly accept it.
const BRANCH = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)[^\s~^:?*[\\\x00-\x1f\x7f]+(?<![./])$/;

/** `/api/repos/{owner}/{name}/cron[/{cron}]`. */
export function cronRoutes(app: App, ctx: RouteContext): void {
  const db = ctx.store.db;
  const now = () => ctx.clock.now();
  const next = (expr: string) => {
    try {
      return nextRunSeconds(expr, now());
    } catch (err) {
      if (err instanceof CronExprError) throw badRequest(`Invalid Cronjob Expression: ${err.message}`);
      throw err;
    }
  };
  const checkBranch = (branch: string) => {
    if (!BRANCH.test(branch)) throw badRequest('Invalid Cronjob Branch');
  };

  app.get('/api/repos/:owner/:name/cron', { schema: { params: RepoParams } }, async (request) => {
    const { repo } = await authorizeRepo(
      db,
      request.user,
      request.params.owner,
      request.params.name,
      'write',
    );
    return (await listCrons(db, repo.id)).map(cronJson);
  });

  app.post(
    '/api/repos/:owner/:name/cron',
    { schema: { params: RepoParams, body: CronCreate } },
    async (request) => {
      const { repo } = await authorizeRepo(
        db,
        request.user,
        request.params.owner,
        request.params.name,
        'write',
      );
      const input = request.body;
      const name = slugifyCronName(input.name);
      if (name === '') throw badRequest('Invalid Cronjob Name');
      const expr = input.expr.trim();
      const nextRun = next(expr);
      const branch = input.branch?.trim() || repo.default_branch;
      checkBranch(branch);
      if (await findCronByName(db, repo.id, name)) throw conflict(`cron ${name} already exists`);
      const cron = await createCron(db, {
        repo_id: repo.id,
        name,
        expr,
        next: nextRun,
        event: 'push',
        branch,
        target: input.target ?? '',
        disabled: input.disabled ?? false,
      });
      return cronJson(cron);
    },
  );

  const findOr404 = async (repoId: number, name: string) => {
    const cron = await findCronByName(db, repoId, name);
    if (!cron) throw notFound();
    return cron;
  };

  app.get('/api/repos/:owner/:name/cron/:cron', { schema: { params: CronParams } }, async (request) => {
    const { owner, name, cron } = request.params;
    const { repo } = await authorizeRepo(db, request.user, owner, name, 'write');
    return cronJson(await findOr404(repo.id, cron));
  });

  app.patch(
    '/api/repos/:owner/:name/cron/:cron',
    { schema: { params: CronParams, body: CronUpdate } },
    async (request) => {
      const { owner, name, cron } = request.params;
      const { repo } = await authorizeRepo(db, request.user, owner, name, 'write');
      const found = await findOr404(repo.id, cron);
      const input = request.body;
      const updated: Cron = { ...found, updated: Math.floor(now().getTime() / 1000) };
      if (input.branch !== undefined) {
        updated.branch = input.branch.trim() || repo.default_branch;
        checkBranch(updated.branch);
      }
      if (input.target !== undefined) updated.target = input.target;
      if (input.disabled !== undefined) updated.disabled = input.disabled;
      // A new expression, or a job switched back on, runs next from now rather than catching up.
      const reenabled = found.disabled && input.disabled === false;
      if (input.expr !== undefined) {
        updated.expr = input.expr.trim();
        updated.next = next(updated.expr);
      } else if (reenabled) {
        updated.next = next(updated.expr);
      }
      return cronJson(await updateCron(db, updated));
    },
  );

  // Run now (drone handler/api/repos/crons/exec.go): a build of the branch head, as the ticker
  // makes it; the job's schedule is left as it is. 404 when the branch has no head.
  app.post(
    '/api/repos/:owner/:name/cron/:cron',
    { schema: { params: CronParams } },
    async (request, reply) => {
      const { owner, name, cron } = request.params;
      const { repo } = await authorizeRepo(db, request.user, owner, name, 'write');
      const found = await findOr404(repo.id, cron);
      const result = await fireCron(triggerDepsOf(ctx), repo, found);
      if (result.kind === 'no_commit') throw notFound(result.reason);
      if (result.kind === 'skipped') {
        return reply.code(200).header('content-type', 'application/json; charset=utf-8').send('null');
      }
      return reply.code(200).send(buildWithStagesJson(result.build, result.stages, []));
    },
  );

  app.delete(
    '/api/repos/:owner/:name/cron/:cron',
    { schema: { params: CronParams } },
    async (request, reply) => {
      const { owner, name, cron } = request.params;
      const { repo } = await authorizeRepo(db, request.user, owner, name, 'write');
      await deleteCron(db, (await findOr404(repo.id, cron)).id);
      reply.code(204).send();
    },
  );
}
