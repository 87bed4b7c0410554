// Everything of the queue that lives in one server process: the event bus to the other replicas,
// the dispatcher with its waiting runners, the cancel watchers, lease bookkeeping, the reaper, live
// log fan-out and UI events. All of it can be lost at any moment without losing anything: the
// database holds the state; this holds requests waiting for it to change.
import { BuildEvents } from '../events/builds.js';
import { type EventBus, LocalBus } from '../events/bus.js';
import { PgBus } from '../events/pg.js';
import { LiveLogs } from '../logs/live.js';
import type { Build, Stage } from '../store/models.js';
import type { Db } from '../store/schema.js';
import { LeaseKeeper } from './leases.js';
import type { LabelsMatch, RunnerFilter } from './match.js';
import { queuePaused } from './pause.js';
import { Queue, type RunnerInfo } from './queue.js';
import { type Sweep, sweep } from './reaper.js';
import { RunnerRegistry } from './runners.js';
import type { Teardown } from './teardown.js';
import { Watchers } from './watch.js';

/** The queue's timings and rules. */
export interface SchedulerSettings {
  /** How long `POST /stage` and `POST /build/{id}/watch` are held before 204 (Drone: 30 s). */
  holdMs: number;
  /** Seconds a runner keeps a stage without a sign of life. */
  leaseSeconds: number;
  /** Milliseconds between reaper sweeps. */
  reaperIntervalMs: number;
  labelsMatch: LabelsMatch;
  /** How long a stage handed to a runner is kept from other runners while it accepts. */
  offerTtlMs: number;
  /** Safety-net re-read of watched builds (cancels normally arrive as events). */
  watchPollMs: number;
  /** SSE keep-alive comment interval (Drone: 30 s). */
  keepaliveMs: number;
  /** How long a hole in live log positions is waited for. */
  gapWaitMs: number;
  /** An SSE client that takes nothing for this long is disconnected (it can resume). */
  stallMs: number;
}

/** Defaults: Drone's 30 s hold and keep-alive; a stage is reaped at most lease + interval after its runner's last sign of life. */
export const defaultSettings: SchedulerSettings = {
  holdMs: 30_000,
  leaseSeconds: 60,
  reaperIntervalMs: 10_000,
  labelsMatch: 'exact',
  offerTtlMs: 15_000,
  watchPollMs: 5_000,
  keepaliveMs: 30_000,
  gapWaitMs: 2_000,
  stallMs: 30_000,
};

export interface SchedulerDeps {
  db: Db;
  dialect: 'sqlite' | 'postgres';
  /** The PostgreSQL URL for the LISTEN connection (undefined: events stay in this process). */
  pgUrl?: string;
  settings: SchedulerSettings;
  /** Unix seconds now. */
  now: () => number;
  log?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

export class Scheduler {
  readonly bus: EventBus;
  readonly queue: Queue;
  readonly watchers: Watchers;
  readonly leases: LeaseKeeper;
  readonly logs: LiveLogs;
  readonly builds: BuildEvents;
  readonly runners: RunnerRegistry;
  readonly settings: SchedulerSettings;
  private reaper: NodeJS.Timeout | undefined;
  private readonly stepStages = new Map<number, number>();
  /** Reports a build's status to its SCM (set by whoever knows the SCM: the RPC routes). */
  statusReporter: ((build: Build) => Promise<void>) | undefined;
  private sweeping = false;
  private stopped = false;
  private readonly pausedPolls = new Set<() => void>();

  constructor(private readonly deps: SchedulerDeps) {
    const { db, settings, log } = deps;
    this.settings = settings;
    this.bus =
      deps.dialect === 'postgres' && deps.pgUrl
        ? new PgBus({ url: deps.pgUrl, db, ...(log ? { log } : {}) })
        : new LocalBus();
    this.queue = new Queue({
      db,
      labelsMatch: settings.labelsMatch,
      offerTtlMs: settings.offerTtlMs,
      ...(log ? { log } : {}),
    });
    this.watchers = new Watchers(db, settings.watchPollMs);
    this.leases = new LeaseKeeper(db, settings.leaseSeconds, deps.now);
    this.logs = new LiveLogs({ db, bus: this.bus, gapWaitMs: settings.gapWaitMs, ...(log ? { log } : {}) });
    this.builds = new BuildEvents(db, this.bus, 50, log);
    this.runners = new RunnerRegistry(db, deps.now, 15, log);
    this.bus.on('queue', () => {
      this.queue.schedule();
      // A resume (or any new work) makes paused polls look at the flag again.
      for (const wake of this.pausedPolls) wake();
    });
    this.bus.on('cancel', (e) => this.watchers.wake(e.build));
    this.bus.on('resync', () => {
      this.queue.schedule();
      this.watchers.wakeAll();
    });
  }

  /** Pending stages may have appeared (a build was created, approved, a stage released): dispatch now, here and on every replica. */
  schedule(): void {
    this.bus.publish({ type: 'queue' });
  }

  /**
   * A runner's long poll: like `queue.request`, but while dispatch is paused (pause.ts) the poll is
   * held without a stage, and a stage handed out as the pause began goes back to the queue.
   */
  async request(
    filter: RunnerFilter,
    info: RunnerInfo,
    holdMs: number,
    signal?: AbortSignal,
  ): Promise<Stage | undefined> {
    const deadline = Date.now() + holdMs;
    while (await queuePaused(this.deps.db)) {
      const left = deadline - Date.now();
      if (left <= 0 || signal?.aborted || this.stopped) return undefined;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.pausedPolls.delete(done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.pausedPolls.add(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    const stage = await this.queue.request(filter, info, left, signal);
    if (stage && (await queuePaused(this.deps.db))) {
      this.queue.release(stage.id);
      return undefined;
    }
    return stage;
  }

  /** Build `buildId` was cancelled (or otherwise changed under its runners): their watch returns now. */
  cancelled(buildId: number): void {
    this.bus.publish({ type: 'cancel', build: buildId });
  }

  /** Build `buildId` of repo `repoId` changed: UI streams get its new state. */
  buildChanged(repoId: number, buildId: number): void {
    this.bus.publish({ type: 'build', repo: repoId, build: buildId });
  }

  /** The stage of step `stepId` (cached: a step never moves), or undefined when there is no such step. */
  async stageOfStep(stepId: number): Promise<number | undefined> {
    const cached = this.stepStages.get(stepId);
    if (cached !== undefined) return cached;
    const row = await this.deps.db
      .selectFrom('steps')
      .select('stage_id')
      .where('id', '=', stepId)
      .executeTakeFirst();
    if (!row) return undefined;
    if (this.stepStages.size > 50_000) this.stepStages.clear();
    this.stepStages.set(stepId, row.stage_id);
    return row.stage_id;
  }

  /** Reports a build's status to its SCM; failures are logged, never raised. */
  async reportStatus(build: Build): Promise<void> {
    if (!this.statusReporter) return;
    try {
      await this.statusReporter(build);
    } catch (err) {
      this.deps.log?.warn(
        { build: build.id, err: (err as Error).message },
        'queue: cannot report the build status',
      );
    }
  }

  /** Connects to the other replicas and starts the reaper. */
  async start(): Promise<void> {
    if (this.bus instanceof PgBus) await this.bus.start();
    if (this.stopped) return;
    this.reaper = setInterval(() => void this.reap(), this.settings.reaperIntervalMs);
    this.reaper.unref();
    // Whatever happened while no server was running is in the rows: look once.
    this.queue.schedule();
  }

  /** Answers every waiting request (204) and stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reaper) clearInterval(this.reaper);
    for (const wake of this.pausedPolls) wake();
    this.queue.close();
    this.watchers.close();
    this.logs.close();
    this.builds.close();
    await this.bus.close();
  }

  /** One reaper sweep (also called by tests). */
  async reap(): Promise<Sweep | undefined> {
    if (this.sweeping || this.stopped) return undefined;
    this.sweeping = true;
    try {
      const result = await sweep({
        db: this.deps.db,
        now: this.deps.now,
        leaseSeconds: this.settings.leaseSeconds,
      });
      for (const stage of result.requeued) {
        this.deps.log?.warn(
          { stage: stage.id },
          'queue: runner vanished before starting the stage; queued again',
        );
        this.buildChanged(stage.repo_id, stage.build_id);
        this.cancelled(stage.build_id);
      }
      if (result.requeued.length > 0) this.schedule();
      for (const t of result.failed) {
        this.deps.log?.warn(
          { stage: t.stage.id, machine: t.stage.machine },
          'queue: runner stopped responding; stage failed',
        );
        await this.afterTeardown(t);
      }
      return result;
    } catch (err) {
      this.deps.log?.warn({ err: (err as Error).message }, 'queue: reaper sweep failed');
      return undefined;
    } finally {
      this.sweeping = false;
    }
  }

  /** What follows a stage's end once it is committed: release downstream, streams, UI, SCM status. */
  async afterTeardown(t: Teardown): Promise<void> {
    this.leases.forget(t.stage.id);
    if (t.released.length > 0) this.schedule();
    for (const step of t.steps) this.logs.ended(step.id);
    this.buildChanged(t.build.repo_id, t.build.id);
    // Runners watching this build learn that it is over, or that their stage was taken from them.
    this.cancelled(t.build.id);
    if (t.finished) await this.reportStatus(t.build);
  }
}
