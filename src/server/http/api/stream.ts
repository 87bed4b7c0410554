// Server-Sent Events (drone-reference.md §5.11): `GET /api/stream` (build changes of every repo the
// caller may read: public ones for anyone, internal ones for signed-in users, private ones with a
// permission), `GET /api/stream/{owner}/{name}` (one repo) and
// `GET /api/stream/{owner}/{name}/{build}/{stage}/{step}` (a step's live log, one Line per message).
// Log messages carry `id: <pos>`, so a client that reconnects with `Last-Event-ID` (EventSource does
// it by itself; `?last_event_id=` works too) resumes after the last line it got, without a gap or a
// repeat. A finished step without a resume point ends at once (`event: error` / `data: eof`), as in
// Drone: the client then reads the stored log.
import { Type } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App, RouteContext } from '../../app.js';
import { authorizeRepo, effectivePerm } from '../../auth/access.js';
import { schedulerOf } from '../../scheduler/index.js';
import { isDone } from '../../scheduler/reports.js';
import type { Line, Repo, User } from '../../store/models.js';
import { findStageByNumber } from '../../store/queries/stages.js';
import { findStep, findStepByNumber } from '../../store/queries/steps.js';
import { buildOf } from './builds.js';
import { notFound } from './errors.js';
import { RepoParams } from './params.js';
import { SseStream } from './stream-sse.js';

const LogParams = Type.Object({
  owner: Type.String({ minLength: 1, maxLength: 250 }),
  name: Type.String({ minLength: 1, maxLength: 250 }),
  build: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
  stage: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  step: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
});

/** How long a repo access decision is reused on one global stream. */
const ACCESS_TTL_MS = 60_000;

/** `/api/stream…`. */
export function streamRoutes(app: App, ctx: RouteContext): void {
  const db = ctx.store.db;
  const scheduler = schedulerOf(ctx);
  const open = new Set<SseStream>();
  const sse = (reply: FastifyReply): SseStream => {
    const stream = new SseStream(reply, {
      keepaliveMs: scheduler.settings.keepaliveMs,
      stallMs: scheduler.settings.stallMs,
    });
    open.add(stream);
    stream.onClose(() => open.delete(stream));
    return stream;
  };
  // Streams never end by themselves: cut them when the server stops (clients reconnect elsewhere).
  app.addHook('preClose', async () => {
    for (const stream of [...open]) stream.drop();
  });

  app.get('/api/stream', async (request, reply) => {
    const user = request.user;
    const access = new Map<number, { ok: boolean; until: number }>();
    const stream = sse(reply);
    const off = scheduler.builds.subscribe((message) => {
      void mayRead(user, message.repo, access).then((ok) => {
        if (ok) stream.send(message.data);
      });
    });
    stream.onClose(off);
  });

  app.get('/api/stream/:owner/:name', { schema: { params: RepoParams } }, async (request, reply) => {
    const { owner, name } = request.params;
    const { repo } = await authorizeRepo(db, request.user, owner, name, 'read');
    const stream = sse(reply);
    const off = scheduler.builds.subscribe((message) => {
      if (message.repo.id === repo.id) stream.send(message.data);
    });
    stream.onClose(off);
  });

  app.get(
    '/api/stream/:owner/:name/:build/:stage/:step',
    { schema: { params: LogParams } },
    async (request, reply) => {
      const p = request.params;
      const { repo } = await authorizeRepo(db, request.user, p.owner, p.name, 'read');
      const build = await buildOf(db, repo, p.build);
      const stage = await findStageByNumber(db, build.id, p.stage);
      if (!stage) throw notFound('Stage not found');
      const step = await findStepByNumber(db, stage.id, p.step);
      if (!step) throw notFound('Step not found');
      const last = lastEventId(request);
      const stream = sse(reply);
      if (last === undefined && isDone(step.status)) {
        stream.end();
        return;
      }
      const sub = scheduler.logs.subscribe(step.id, last === undefined ? 0 : last + 1, {
        write(lines: Line[]) {
          let taken = 0;
          for (const line of lines) {
            if (!stream.ready) break;
            stream.send(JSON.stringify({ pos: line.pos, out: line.out, time: line.time }), line.pos);
            taken++;
          }
          return taken;
        },
        onDrain: (cb) => stream.onDrain(cb),
        end: () => stream.end(),
      });
      stream.onClose(() => sub.close());
      // Read the status after subscribing: an end in between is not missed.
      const now = await findStep(db, step.id);
      if (!now || isDone(now.status)) sub.markEnded();
    },
  );

  async function mayRead(
    user: User | undefined,
    repo: Repo,
    cache: Map<number, { ok: boolean; until: number }>,
  ): Promise<boolean> {
    if (repo.visibility === 'public') return true;
    if (!user) return false;
    if (repo.visibility === 'internal' || user.admin || repo.user_id === user.id) return true;
    const hit = cache.get(repo.id);
    if (hit && hit.until > Date.now()) return hit.ok;
    const ok = (await effectivePerm(db, user, repo)).read;
    cache.set(repo.id, { ok, until: Date.now() + ACCESS_TTL_MS });
    return ok;
  }
}

/** The position of the last line the client has (`Last-Event-ID` header or `?last_event_id=`). */
function lastEventId(request: FastifyRequest): number | undefined {
  const header = request.headers['last-event-id'];
  const query = (request.query as Record<string, unknown> | undefined)?.last_event_id;
  const text = typeof header === 'string' ? header : typeof query === 'string' ? query : undefined;
  if (text === undefined || !/^\d{1,9}$/.test(text.trim())) return undefined;
  return Number(text.trim());
}
