// `GET /api/runners` (system admins; a Hangar extension, Drone has no runner list): every runner the
// server has heard from (the `runners` table the RPC layer keeps on poll and accept), with what it
// offers, when it last asked for work, and the incomplete stages it holds (by `machine`).
import type { App, RouteContext } from '../../app.js';
import { requireAdmin } from '../../auth/access.js';
import type { Repo, Stage } from '../../store/models.js';
import { findBuild } from '../../store/queries/builds.js';
import { findRepo } from '../../store/queries/repos.js';
import { listRunners } from '../../store/queries/runners.js';
import { listIncompleteStages } from '../../store/queries/stages.js';

/** `GET /api/runners`. */
export function runnerRoutes(app: App, ctx: RouteContext): void {
  const db = ctx.store.db;

  app.get('/api/runners', async (request) => {
    requireAdmin(request.user);
    const runners = await listRunners(db);
    const held = new Map<string, Stage[]>();
    for (const stage of await listIncompleteStages(db)) {
      if (stage.machine === '') continue;
      const list = held.get(stage.machine) ?? [];
      list.push(stage);
      held.set(stage.machine, list);
    }
    const repos = new Map<number, Repo | undefined>();
    const builds = new Map<number, number | undefined>();
    const stageRef = async (s: Stage) => {
      if (!repos.has(s.repo_id)) repos.set(s.repo_id, await findRepo(db, s.repo_id));
      if (!builds.has(s.build_id)) builds.set(s.build_id, (await findBuild(db, s.build_id))?.number);
      return {
        id: s.id,
        repo: repos.get(s.repo_id)?.slug ?? '',
        build: builds.get(s.build_id) ?? 0,
        number: s.number,
        name: s.name,
        status: s.status,
        started: s.started,
      };
    };
    const out = [];
    for (const r of runners) {
      const stages = await Promise.all((held.get(r.name) ?? []).map(stageRef));
      out.push({
        name: r.name,
        kind: r.kind,
        type: r.type,
        os: r.os,
        arch: r.arch,
        ...(r.variant ? { variant: r.variant } : {}),
        ...(r.kernel ? { kernel: r.kernel } : {}),
        labels: r.labels,
        ...(r.capacity > 0 ? { capacity: r.capacity } : {}),
        ...(r.version ? { version: r.version } : {}),
        last_seen: r.last_seen,
        created: r.created,
        stages,
      });
    }
    return out;
  });
}
