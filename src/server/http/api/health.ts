// Operational endpoints outside /api: `/healthz` (the database answers), `/version` (Drone's
// shape), `/metrics` (Prometheus text, prom-client).
import { sql } from 'kysely';
import { collectDefaultMetrics } from 'prom-client';
import type { App, RouteContext } from '../../app.js';

/** `/healthz`, `/version`, `/metrics`. */
export function healthRoutes(app: App, ctx: RouteContext): void {
  collectDefaultMetrics({ register: ctx.metrics, prefix: 'hangar_' });

  app.get('/healthz', async (_request, reply) => {
    try {
      await sql`select 1`.execute(ctx.store.db);
    } catch {
      reply.code(503).type('text/plain').send('database unavailable\n');
      return;
    }
    reply.type('text/plain').send('OK\n');
  });

  app.get('/version', async () => ({
    source: 'https://github.com/hangar-ci/hangar',
    version: ctx.version,
    commit: '',
  }));

  app.get('/metrics', async (_request, reply) => {
    reply.type(ctx.metrics.contentType).send(await ctx.metrics.metrics());
  });
}
