// The queue's REST face: `GET /api/repos/{owner}/{name}/builds/{n}/stages/{stage}/pending` answers
// what a stage waits for (explain.ts), for anyone who may read the repo.
import { Type } from 'typebox';
import type { App, RouteContext } from '../app.js';
import { authorizeRepo } from '../auth/access.js';
import { buildOf } from '../http/api/builds.js';
import { notFound } from '../http/api/errors.js';
import { findStageByNumber } from '../store/queries/stages.js';
import { explainStage } from './explain.js';
import { schedulerOf } from './index.js';

const StageParams = Type.Object({
  owner: Type.String({ minLength: 1, maxLength: 250 }),
  name: Type.String({ minLength: 1, maxLength: 250 }),
  number: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
  stage: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
});

/** Routes about the queue. */
export function queueRoutes(app: App, ctx: RouteContext): void {
  const db = ctx.store.db;
  app.get(
    '/api/repos/:owner/:name/builds/:number/stages/:stage/pending',
    { schema: { params: StageParams } },
    async (request) => {
      const { owner, name, number, stage } = request.params;
      const { repo } = await authorizeRepo(db, request.user, owner, name, 'read');
      const build = await buildOf(db, repo, number);
      const st = await findStageByNumber(db, build.id, stage);
      if (!st) throw notFound('Stage not found');
      const scheduler = schedulerOf(ctx);
      return explainStage(
        {
          db,
          queue: scheduler.queue,
          labelsMatch: scheduler.settings.labelsMatch,
          now: Math.floor(ctx.clock.now().getTime() / 1000),
          // A Drone runner polls every ~40 s (30 s hold + 10 s pause); allow for a missed poll.
          connectedSeconds: Math.ceil((2 * scheduler.settings.holdMs) / 1000) + 30,
        },
        st,
      );
    },
  );
}
