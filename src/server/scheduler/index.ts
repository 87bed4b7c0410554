// The scheduler of an app: one per application (its RouteContext), created by the first module
// that asks — the RPC routes, the streams, or the trigger wanting to wake the queue — and started
// and stopped by the RPC routes with the app. Other server code uses three calls:
//   schedulerOf(ctx).schedule()              after creating/approving builds (stages became pending)
//   schedulerOf(ctx).cancelled(buildId)      after cancelling a build (its runners stop at once)
//   schedulerOf(ctx).buildChanged(repo, id)  after changing a build (UI streams)
import type { RouteContext } from '../app.js';
import { defaultSettings, Scheduler, type SchedulerSettings } from './scheduler.js';

export { Scheduler, type SchedulerSettings } from './scheduler.js';

declare module '../app.js' {
  interface AppDeps {
    /** Queue timings overriding the configuration (tests use short holds and leases). */
    queue?: Partial<SchedulerSettings>;
  }
}

const schedulers = new WeakMap<object, Scheduler>();

/** The settings of the app: configuration, then `ctx.queue` overrides. */
export function settingsOf(ctx: RouteContext): SchedulerSettings {
  return {
    ...defaultSettings,
    labelsMatch: ctx.config.labelsMatch,
    leaseSeconds: ctx.config.runnerLeaseSeconds,
    reaperIntervalMs: ctx.config.reaperIntervalSeconds * 1000,
    ...ctx.queue,
  };
}

/** The scheduler of the app `ctx` belongs to. */
export function schedulerOf(ctx: RouteContext): Scheduler {
  let scheduler = schedulers.get(ctx);
  if (scheduler) return scheduler;
  const db = ctx.store.db;
  const now = () => Math.floor(ctx.clock.now().getTime() / 1000);
  const pgUrl = /^postgres(ql)?:\/\//i.test(ctx.config.databaseUrl) ? ctx.config.databaseUrl : undefined;
  if (ctx.store.dialect === 'postgres' && !pgUrl) {
    ctx.logger.warn('queue: the database URL is not PostgreSQL; events will not reach other replicas');
  }
  scheduler = new Scheduler({
    db,
    dialect: ctx.store.dialect,
    ...(pgUrl ? { pgUrl } : {}),
    settings: settingsOf(ctx),
    now,
    log: ctx.logger,
  });
  schedulers.set(ctx, scheduler);
  return scheduler;
}
