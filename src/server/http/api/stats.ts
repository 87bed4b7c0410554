// `GET /api/system/stats` (drone handler/api/system/stats.go; system admins): counts of users, active
// repos, builds and stages (Drone's "pipelines") by state, read from the database, and the runner
// polls waiting on this replica (`pipelines.watchers`).
import type { App, RouteContext } from '../../app.js';
import { requireAdmin } from '../../auth/access.js';
import { schedulerOf } from '../../scheduler/index.js';
import type { Db } from '../../store/schema.js';

const n = (row: { n: number | string | bigint } | undefined) => Number(row?.n ?? 0);

async function statusCounts(db: Db, table: 'builds' | 'stages'): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom(table)
    .select((eb) => ['status', eb.fn.countAll<number | string | bigint>().as('n')])
    .groupBy('status')
    .execute();
  return new Map(rows.map((r) => [r.status, n(r)]));
}

/** `GET /api/system/stats`. */
export function statsRoutes(app: App, ctx: RouteContext): void {
  const db = ctx.store.db;
  app.get('/api/system/stats', async (request) => {
    requireAdmin(request.user);
    const users = await db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .executeTakeFirst();
    // Booleans are stored as 0/1 in both dialects (store/codec.ts).
    const active = await db
      .selectFrom('repos')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .where('active', '=', 1)
      .executeTakeFirst();
    const builds = await statusCounts(db, 'builds');
    const stages = await statusCounts(db, 'stages');
    return {
      users: { total: n(users) },
      repos: { active: n(active) },
      builds: {
        pending: builds.get('pending') ?? 0,
        running: builds.get('running') ?? 0,
        total: [...builds.values()].reduce((a, b) => a + b, 0),
      },
      pipelines: {
        watchers: schedulerOf(ctx).queue.waiting().length,
        pending: stages.get('pending') ?? 0,
        running: stages.get('running') ?? 0,
      },
    };
  });
}
