// The queue (drone handler/api/queue): `GET /api/queue` lists the incomplete stages (pending and
// running, oldest first), `DELETE /api/queue` pauses dispatch, `POST /api/queue` resumes it; all for
// system admins. The paused flag is in the database (scheduler/pause.ts), so every replica obeys it;
// Whether dispatch is paused is a Hangar extension: the `X-Hangar-Queue-Paused` header of GET, and
// `GET /api/queue/status` → `{paused, pending, running}` (for the web UI).
import type { App, RouteContext } from '../../app.js';
import { requireAdmin } from '../../auth/access.js';
import { schedulerOf } from '../../scheduler/index.js';
import { queuePaused, setQueuePaused } from '../../scheduler/pause.js';
import { listIncompleteStages } from '../../store/queries/stages.js';
import { stageJson } from './builds-present.js';

/** `GET|POST|DELETE /api/queue`. */
export function queueApiRoutes(app: App, ctx: RouteContext): void {
  const db = ctx.store.db;

  app.get('/api/queue', async (request, reply) => {
    requireAdmin(request.user);
    const stages = await listIncompleteStages(db);
    reply.header('x-hangar-queue-paused', String(await queuePaused(db)));
    return stages.map((s) => stageJson(s));
  });

  app.get('/api/queue/status', async (request) => {
    requireAdmin(request.user);
    const stages = await listIncompleteStages(db);
    const running = stages.filter((s) => s.status === 'running').length;
    return { paused: await queuePaused(db), pending: stages.length - running, running };
  });

  app.delete('/api/queue', async (request, reply) => {
    requireAdmin(request.user);
    await setQueuePaused(db, true);
    request.log.info({ user: request.user?.login }, 'queue paused');
    return reply.code(204).send();
  });

  app.post('/api/queue', async (request, reply) => {
    requireAdmin(request.user);
    await setQueuePaused(db, false);
    request.log.info({ user: request.user?.login }, 'queue resumed');
    // Runners held while paused, here and on every replica, get work now.
    schedulerOf(ctx).schedule();
    return reply.code(204).send();
  });
}
