// Drone's runner RPC v2 (drone operator/manager/rpc2, drone-reference.md §2): the endpoints an
// unmodified Drone runner — or Hangar's own — polls, accepts, reports and streams logs through.
// Every request carries `X-Drone-Token`; without a configured secret everything is 403 (Drone's
// guard against an open server), a wrong one 401. Answers follow Drone: 204 = "nothing yet, ask
// again", 409 = "someone else changed it, give up", 200 with JSON (or empty) otherwise; errors of
// ours are `{"message": …}` with a 4xx, which runners show as the error text.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TOKEN_HEADER } from '../../../protocol/types.js';
import type { App, RouteContext } from '../../app.js';
import { schedulerOf, type Scheduler } from '../../scheduler/index.js';
import { type Caller, holderOf } from '../../scheduler/leases.js';
import { registerQueueMetrics } from '../../scheduler/metrics.js';
import { normalizeFilter } from '../../scheduler/match.js';
import { isDone } from '../../scheduler/reports.js';
import { MissingError, reportStep, startStage } from '../../scheduler/setup.js';
import { endStage } from '../../scheduler/teardown.js';
import { ConfigFetchError } from '../../scm/content.js';
import { ConflictError } from '../../store/errors.js';
import { putCard } from '../../store/queries/cards.js';
import { deleteLines, findLog, putLog } from '../../store/queries/logs.js';
import { claimStage, findStage } from '../../store/queries/stages.js';
import { findRepo } from '../../store/queries/repos.js';
import { findStep } from '../../store/queries/steps.js';
import { findUser } from '../../store/queries/users.js';
import { sendStatus } from '../../trigger/trigger.js';
import { scmTokensOf } from '../../auth/oauth-renew.js';
import { scmServicesOf } from '../hooks/services.js';
import { stageJson, stepJson } from '../api/builds-present.js';
import { badRequest, HttpError, notFound } from '../api/errors.js';
import { stageContext, stageDetails } from './details.js';
import { parseBody, parseCard, parseLines, parseStage, parseStep } from './parse.js';

/** Header a Hangar runner may send to identify itself for leases (Drone runners are known by address). */
export const RUNNER_ID_HEADER = 'x-hangar-runner';

/** Largest log upload accepted (runners keep at most 5 MB of log; JSON adds overhead). */
const UPLOAD_LIMIT = 32 * 1024 * 1024;
const BATCH_LIMIT = 8 * 1024 * 1024;

/** `/rpc/v2/…`. */
export async function rpcRoutes(app: App, ctx: RouteContext): Promise<void> {
  const db = ctx.store.db;
  const scheduler = schedulerOf(ctx);
  const { settings } = scheduler;
  const now = () => Math.floor(ctx.clock.now().getTime() / 1000);
  const token = Buffer.from(ctx.config.rpcSecret, 'utf8');

  scheduler.statusReporter = async (build) => {
    const repo = await findRepo(db, build.repo_id);
    if (!repo) return;
    const owner = repo.user_id ? await findUser(db, repo.user_id) : undefined;
    await sendStatus({ scm: scmServicesOf(ctx), log: ctx.logger }, repo, owner, build);
  };

  registerQueueMetrics(ctx.metrics, scheduler);
  app.addHook('onReady', async () => {
    await scheduler.start();
  });
  // Before the server stops accepting: answer the held requests so the close does not wait 30 s.
  app.addHook('preClose', async () => {
    await scheduler.stop();
  });

  // Go runners send JSON bodies without a Content-Type; every body is read as bytes and parsed here.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/rpc/')) return;
    if (token.length === 0)
      return reply.code(403).send({ message: 'Forbidden: the server has no RPC secret' });
    const sent = request.headers[TOKEN_HEADER.toLowerCase()];
    const given = Buffer.from(typeof sent === 'string' ? sent : '', 'utf8');
    if (given.length !== token.length || !timingSafeEqual(given, token)) {
      return reply.code(401).send({ message: 'Unauthorized' });
    }
  });

  const caller = (request: FastifyRequest): Caller => {
    const id = request.headers[RUNNER_ID_HEADER];
    return { address: request.ip, ...(typeof id === 'string' && id !== '' ? { id: id.slice(0, 200) } : {}) };
  };

  app.post('/rpc/v2/ping', async (_request, reply) => reply.code(200).send());
  app.post('/rpc/v2/nodes/:machine', async (_request, reply) => reply.code(200).send());
  app.delete('/rpc/v2/nodes/:machine', async (_request, reply) => reply.code(200).send());

  // Long poll for work.
  app.post('/rpc/v2/stage', async (request, reply) => {
    const filter = normalizeFilter(parseBody(request.body));
    const machine = queryText(request, 'machine');
    const address = request.ip;
    const name = scheduler.runners.nameOf(filter, address, machine);
    scheduler.runners.seen(name, filter, address, machine);
    const gone = abortOnClose(reply);
    const stage = await scheduler.request(filter, { name, address }, settings.holdMs, gone);
    if (!stage) return gone.aborted ? reply : reply.code(204).send();
    if (gone.aborted) {
      // The runner left between the hand-off and the answer: the stage goes to someone else.
      scheduler.queue.release(stage.id);
      return reply;
    }
    return reply.code(200).send(stageJson(stage));
  });

  // Accept.
  app.post('/rpc/v2/stage/:id', async (request, reply) => {
    const id = idParam(request);
    const machine = queryText(request, 'machine') ?? '';
    if (machine === '') throw badRequest('machine is required (?machine=NAME)');
    const who = caller(request);
    const expires = scheduler.leases.expiry();
    const offer = scheduler.queue.offerOf(id);
    try {
      const stage = await claimStage(db, {
        id,
        machine,
        runner: holderOf(who, machine),
        leaseExpires: expires,
        now: now(),
      });
      scheduler.queue.accepted(id);
      scheduler.leases.noted(id, expires);
      // Now the runner has a name: show it under that name from its next poll on.
      if (offer) scheduler.runners.seen(machine, offer.filter, who.address, machine);
      scheduler.buildChanged(stage.repo_id, stage.build_id);
      return reply.code(200).send(stageJson(stage));
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      scheduler.queue.accepted(id);
      if (!(await findStage(db, id))) throw notFound(`stage ${id} not found`);
      throw new HttpError(409, `stage ${id} is taken or no longer pending`);
    }
  });

  // Details.
  app.get('/rpc/v2/stage/:id', async (request, reply) => {
    const id = idParam(request);
    const c = await stageContext(db, id);
    if (!c) throw notFound(`stage ${id} not found`);
    await scheduler.leases.renew(c.stage);
    try {
      const details = await stageDetails(
        {
          db,
          box: ctx.box,
          config: scmServicesOf(ctx).config,
          system: { proto: ctx.config.serverProto, host: ctx.config.serverHost, version: ctx.version },
          log: ctx.logger,
          freshOwner: (owner) => scmTokensOf(ctx).fresh(owner),
        },
        c,
      );
      return reply.code(200).send(details);
    } catch (err) {
      if (!(err instanceof ConfigFetchError)) throw err;
      // Without its configuration the stage cannot run anywhere: fail it rather than let it be
      // accepted again and again.
      await failStage(scheduler, db, c.stage.id, `cannot fetch the configuration: ${err.message}`, now());
      throw new HttpError(422, `cannot fetch the configuration: ${err.message}`);
    }
  });

  // Stage start (pending/running) or end (anything else).
  app.put('/rpc/v2/stage/:id', async (request, reply) => {
    const id = idParam(request);
    const report = parseStage(parseBody(request.body));
    const t = now();
    try {
      if (report.status === 'pending' || report.status === 'running') {
        const expires = scheduler.leases.expiry();
        const started = await startStage(db, id, report, t, expires);
        scheduler.leases.noted(id, expires);
        scheduler.buildChanged(started.build.repo_id, started.build.id);
        if (started.buildStarted) void scheduler.reportStatus(started.build);
        return reply.code(200).send(stageJson(started.stage, started.steps));
      }
      const ended = await endStage(db, id, { ...report, version: report.version }, t);
      await scheduler.afterTeardown(ended);
      return reply.code(200).send(stageJson(ended.stage, ended.steps));
    } catch (err) {
      throw missing(err);
    }
  });

  // Step start or end.
  app.put('/rpc/v2/step/:id', async (request, reply) => {
    const id = idParam(request);
    const report = parseStep(parseBody(request.body));
    let step: Awaited<ReturnType<typeof reportStep>>;
    try {
      step = await reportStep(db, id, report);
    } catch (err) {
      throw missing(err);
    }
    const stage = await findStage(db, step.stage_id);
    if (stage) {
      await scheduler.leases.renew(stage);
      scheduler.buildChanged(stage.repo_id, stage.build_id);
    }
    if (isDone(step.status)) {
      scheduler.logs.ended(step.id);
      // The uploaded log now stands for the live lines.
      if (await findLog(db, step.id)) await deleteLines(db, step.id);
    }
    return reply.code(200).send(stepJson(step));
  });

  // Cancel watch.
  app.post('/rpc/v2/build/:id/watch', async (request, reply) => {
    const id = idParam(request);
    const who = caller(request);
    const gone = abortOnClose(reply);
    const deadline = Date.now() + settings.holdMs;
    for (;;) {
      // Wait first, read second: a cancel landing between the two still wakes us.
      const wait = scheduler.watchers.watch(id, Math.max(0, deadline - Date.now()), gone);
      if (await cancelled(scheduler, db, id, who)) {
        wait.cancel();
        return reply.code(200).send();
      }
      if (Date.now() >= deadline) {
        wait.cancel();
        return reply.code(204).send();
      }
      const result = await wait.result;
      if (result === 'aborted' || gone.aborted) return reply;
      // The hold ran out, or the server is closing (closed watchers time out at once): the runner
      // asks again. Looping instead re-read the build without a pause until the deadline.
      if (result === 'timeout') return reply.code(204).send();
    }
  });

  // Live log lines.
  app.post('/rpc/v2/step/:id/logs/batch', { bodyLimit: BATCH_LIMIT }, async (request, reply) => {
    const id = idParam(request);
    const lines = parseLines(parseBody(request.body));
    const stageId = await scheduler.stageOfStep(id);
    if (stageId === undefined) throw notFound(`step ${id} not found`);
    await scheduler.logs.append(id, lines);
    await scheduler.leases.renewById(stageId);
    return reply.code(200).send();
  });

  // The whole log of a finished step, stored as sent.
  app.post('/rpc/v2/step/:id/logs/upload', { bodyLimit: UPLOAD_LIMIT }, async (request, reply) => {
    const id = idParam(request);
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.from('[]');
    // Checked so the log API can always serve it; stored byte for byte as Drone does.
    parseLines(parseBody(raw));
    const step = await findStep(db, id);
    if (!step) throw notFound(`step ${id} not found`);
    await putLog(db, id, raw.length > 0 ? raw : Buffer.from('[]'));
    if (isDone(step.status)) await deleteLines(db, id);
    return reply.code(200).send();
  });

  // Adaptive card.
  app.post('/rpc/v2/step/:id/card', async (request, reply) => {
    const id = idParam(request);
    const card = parseCard(parseBody(request.body));
    const step = await findStep(db, id);
    if (!step) throw notFound(`step ${id} not found`);
    await putCard(db, id, Buffer.from(JSON.stringify(card.data), 'utf8'));
    return reply.code(200).send();
  });
}

/** True when the watcher of `buildId` should stop: the build is gone or done, or its stage was taken from it. */
async function cancelled(
  scheduler: Scheduler,
  db: RouteContext['store']['db'],
  buildId: number,
  who: Caller,
): Promise<boolean> {
  const build = await db.selectFrom('builds').select('status').where('id', '=', buildId).executeTakeFirst();
  if (!build || isDone(build.status)) return true;
  const { lost } = await scheduler.leases.watched(buildId, who);
  return lost;
}

/** Ends a stage as `error` with `message` (the server's decision, not a runner's report). */
async function failStage(
  scheduler: Scheduler,
  db: RouteContext['store']['db'],
  stageId: number,
  message: string,
  now: number,
): Promise<void> {
  const stage = await findStage(db, stageId);
  if (!stage || isDone(stage.status)) return;
  try {
    const t = await endStage(
      db,
      stageId,
      {
        version: stage.version,
        status: 'error',
        error: message,
        exit_code: 0,
        started: stage.started,
        stopped: now,
        steps: [],
      },
      now,
    );
    await scheduler.afterTeardown(t);
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
  }
}

function idParam(request: FastifyRequest): number {
  const raw = (request.params as Record<string, string | undefined>).id ?? '';
  const id = Number(raw);
  if (!/^\d{1,15}$/.test(raw) || !Number.isSafeInteger(id) || id < 1) throw notFound(`no such id "${raw}"`);
  return id;
}

function queryText(request: FastifyRequest, key: string): string | undefined {
  const v = (request.query as Record<string, unknown> | undefined)?.[key];
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === 'string' && first !== '' ? first.slice(0, 250) : undefined;
}

/** A signal that aborts when the client closes the connection before the answer. */
function abortOnClose(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}

function missing(err: unknown): unknown {
  return err instanceof MissingError ? notFound(err.message) : err;
}
