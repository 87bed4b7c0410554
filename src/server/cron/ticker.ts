// The cron ticker of `hangar server` (drone trigger/cron, drone-reference.md §5.6). Every interval
// it reads the enabled jobs whose `next` time has passed and fires each once:
//   - the job is claimed by an optimistic-lock update that moves `prev` to the time that came due
//     and `next` to the schedule's next time after now. Claim and build are one transaction, so
//     when two replicas (or a restarted server and its old self) see one due job, the loser's
//     update finds the version changed and it fires nothing; and a server that dies mid-way leaves
//     the job due instead of claimed without its build;
//   - a job that came due while no server ran fires once at the first tick after start, however
//     many times it was missed;
//   - jobs of inactive repositories, and jobs whose branch has no head, are moved on without a build.
// The database is the only state: a restart or a second replica needs nothing from memory.
import type { Logger } from 'pino';
import { ConflictError } from '../store/errors.js';
import type { Cron } from '../store/models.js';
import { listDueCrons, updateCron } from '../store/queries/crons.js';
import { findRepo } from '../store/queries/repos.js';
import { transaction } from '../store/transaction.js';
import { type TriggerDeps, triggerBuild } from '../trigger/trigger.js';
import { cronCommit, cronHook } from './fire.js';
import { CronExprError, parseSchedule } from './schedule.js';

/** What the ticker needs: the trigger's dependencies (with the queue to wake) and a clock. */
export interface CronTickerDeps {
  trigger: TriggerDeps;
  /** The current time (tests pass a movable one). */
  clock: () => Date;
  log?: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
}

/** What one pass did, job by job. */
export interface TickReport {
  /** Jobs found due. */
  due: number;
  /** Builds created, as `cron name → build number`. */
  fired: { cron: string; repo: number; build: number }[];
  /** Jobs another ticker claimed first. */
  lost: number;
  /** Jobs moved on without a build (inactive repo, no branch head, nothing to build, errors). */
  skipped: { cron: string; repo: number; reason: string }[];
}

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/**
 * The claimed form of a due job: `prev` = the time that came due, `next` = the first scheduled
 * time after `now`. A schedule that never runs again leaves the job disabled. CronExprError when
 * the stored expression no longer parses.
 */
export function claimOf(cron: Cron, now: Date): Cron {
  const next = parseSchedule(cron.expr).next(now);
  const nowSec = seconds(now);
  return {
    ...cron,
    prev: cron.next > 0 ? cron.next : nowSec,
    next: next ? seconds(next) : 0,
    disabled: next ? cron.disabled : true,
    updated: nowSec,
  };
}

/** One pass over the due jobs at `now`. Never throws: failures are logged and reported as skips. */
export async function runDueCrons(deps: CronTickerDeps, now: Date): Promise<TickReport> {
  const db = deps.trigger.db;
  const log = deps.log;
  // The queue hears of a cron build only once it is committed, never from inside the transaction.
  const { queue, ...quiet } = deps.trigger;
  const report: TickReport = { due: 0, fired: [], lost: 0, skipped: [] };
  let due: Cron[];
  try {
    due = await listDueCrons(db, seconds(now));
  } catch (err) {
    log?.error({ err: errText(err) }, 'cron: cannot list the due jobs');
    return report;
  }
  report.due = due.length;

  for (const cron of due) {
    const fields = { repo: cron.repo_id, cron: cron.name };
    const skip = (reason: string) => report.skipped.push({ cron: cron.name, repo: cron.repo_id, reason });
    let claim: Cron;
    try {
      claim = claimOf(cron, now);
    } catch (err) {
      const why = err instanceof CronExprError ? err.message : errText(err);
      log?.warn({ ...fields, err: why }, 'cron: the job has an invalid expression');
      skip(why);
      continue;
    }
    // Moves the job on without a build; false when another ticker had it first.
    const claimOnly = async (): Promise<boolean> => {
      try {
        await updateCron(db, claim);
        return true;
      } catch (err) {
        if (err instanceof ConflictError) return false;
        throw err;
      }
    };

    try {
      const repo = await findRepo(db, cron.repo_id);
      if (!repo?.active) {
        if (await claimOnly()) skip('the repository is not active');
        else report.lost += 1;
        continue;
      }
      const { branch, commit, error } = await cronCommit(deps.trigger, repo, cron);
      if (!commit) {
        if (await claimOnly()) {
          log?.warn(
            { ...fields, slug: repo.slug, branch, ...(error !== undefined && { err: error }) },
            'cron: cannot find the head of the branch',
          );
          skip(`cannot find the head of branch ${branch}`);
        } else report.lost += 1;
        continue;
      }
      let result: Awaited<ReturnType<typeof triggerBuild>>;
      try {
        result = await transaction(db, async (tx) => {
          await updateCron(tx, claim);
          return triggerBuild({ ...quiet, db: tx }, repo, cronHook(cron, branch, commit));
        });
      } catch (err) {
        if (err instanceof ConflictError) {
          log?.debug(fields, 'cron: another server fired the job');
          report.lost += 1;
          continue;
        }
        // A job that cannot be built now is not retried every tick: it runs again when next due.
        log?.error({ ...fields, slug: repo.slug, err: errText(err) }, 'cron: cannot trigger the build');
        if (await claimOnly()) skip(`cannot trigger the build: ${errText(err)}`);
        else report.lost += 1;
        continue;
      }
      if (result.kind === 'skipped') {
        skip(result.reason);
        continue;
      }
      log?.info(
        { ...fields, slug: repo.slug, build: result.build.number, next: claim.next },
        'cron: build created',
      );
      report.fired.push({ cron: cron.name, repo: repo.id, build: result.build.number });
      queue?.schedule();
      queue?.buildChanged(repo.id, result.build.id);
    } catch (err) {
      log?.error({ ...fields, err: errText(err) }, 'cron: cannot run the job');
      skip(errText(err));
    }
  }
  return report;
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Runs `runDueCrons` at start and then every `intervalMs`, one pass at a time. */
export class CronTicker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<TickReport> | undefined;
  private stopped = true;

  constructor(
    private readonly deps: CronTickerDeps,
    private readonly intervalMs: number,
  ) {}

  /** Starts ticking; the first pass runs now, so jobs missed while no server ran fire at once. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop();
  }

  /** One pass now (unless one is running, whose report is returned instead). */
  tick(): Promise<TickReport> {
    if (!this.running) {
      this.running = runDueCrons(this.deps, this.deps.clock()).finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  /** Stops ticking and waits for a pass in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private loop(): void {
    void this.tick()
      .catch((err) => this.deps.log?.error({ err: errText(err) }, 'cron: tick failed'))
      .finally(() => {
        if (this.stopped) return;
        this.timer = setTimeout(() => this.loop(), this.intervalMs);
        // The ticker alone never keeps a process alive.
        this.timer.unref();
      });
  }
}
