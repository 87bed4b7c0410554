// Step logs (drone handler/api/repos/builds/logs): `GET` answers the JSON array of lines
// `{pos, out, time}`: the log the runner uploaded when the step ended, or the live lines stored so
// far while it runs. `DELETE` (repo admins) purges both.
import { Type } from 'typebox';
import type { App, RouteContext } from '../../app.js';
import { authorizeRepo } from '../../auth/access.js';
import type { Repo, Step } from '../../store/models.js';
import { deleteLines, deleteLog, findLog, readLines } from '../../store/queries/logs.js';
import { findStageByNumber } from '../../store/queries/stages.js';
import { findStepByNumber } from '../../store/queries/steps.js';
import type { Db } from '../../store/schema.js';
import { buildOf } from './builds.js';
import { notFound } from './errors.js';

const LogParams = Type.Object({
  owner: Type.String({ minLength: 1, maxLength: 250 }),
  name: Type.String({ minLength: 1, maxLength: 250 }),
  number: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
  stage: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  step: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
});

/** Live lines are read in pages of this many. */
const PAGE = 5000;

async function stepOf(db: Db, repo: Repo, number: number, stage: number, step: number): Promise<Step> {
  const build = await buildOf(db, repo, number);
  const st = await findStageByNumber(db, build.id, stage);
  if (!st) throw notFound('Stage not found');
  const sp = await findStepByNumber(db, st.id, step);
  if (!sp) throw notFound('Step not found');
  return sp;
}

/** `GET|DELETE /api/repos/{owner}/{name}/builds/{n}/logs/{stage}/{step}`. */
export function logRoutes(app: App, { store }: RouteContext): void {
  const db = store.db;
  const path = '/api/repos/:owner/:name/builds/:number/logs/:stage/:step';

  app.get(path, { schema: { params: LogParams } }, async (request, reply) => {
    const { owner, name, number, stage, step } = request.params;
    const { repo } = await authorizeRepo(db, request.user, owner, name, 'read');
    const sp = await stepOf(db, repo, number, stage, step);
    reply.header('content-type', 'application/json; charset=utf-8');
    const stored = await findLog(db, sp.id);
    // The uploaded log is already the JSON array (Drone stores the upload body verbatim).
    if (stored) return reply.send(stored);
    const lines = [];
    for (let from = 0; ; ) {
      const page = await readLines(db, sp.id, from, PAGE);
      lines.push(...page);
      if (page.length < PAGE) break;
      from = (page.at(-1)?.pos ?? from) + 1;
    }
    return reply.send(JSON.stringify(lines));
  });

  app.delete(path, { schema: { params: LogParams } }, async (request, reply) => {
    const { owner, name, number, stage, step } = request.params;
    const { repo } = await authorizeRepo(db, request.user, owner, name, 'admin');
    const sp = await stepOf(db, repo, number, stage, step);
    await deleteLog(db, sp.id);
    await deleteLines(db, sp.id);
    return reply.code(204).send();
  });
}
