// Cancelling a build in the database (drone handler/api/repos/builds/cancel.go, service/canceler):
// the build becomes `killed` (a user's cancel) or `skipped` (superseded by a newer build), every
// stage and step not done yet becomes `killed` when it had started and `skipped` when not, steps
// with exit code 130. The rows are the signal: a runner learns of the cancel from the database,
// so a restart or another server replica loses nothing.
import { ConflictError } from '../store/errors.js';
import type { Build, Stage, Status, Step } from '../store/models.js';
import { findBuild, updateBuild } from '../store/queries/builds.js';
import { listStagesOfBuild, updateStage } from '../store/queries/stages.js';
import { listStepsOfStages, updateStep } from '../store/queries/steps.js';
import type { Db } from '../store/schema.js';
import { transaction } from '../store/transaction.js';

/** Statuses a build, stage or step can still leave. */
const NOT_DONE: ReadonlySet<Status> = new Set(['pending', 'running', 'blocked', 'waiting_on_dependencies']);

/** True once a build, stage or step will not change any more. */
export function isDone(status: Status): boolean {
  return !NOT_DONE.has(status);
}

/** Statuses from which a build can be cancelled (Drone: pending or running; Hangar also blocked). */
export const CANCELLABLE: readonly Status[] = ['pending', 'running', 'blocked'];

/** The outcome of a cancel. */
export interface Cancelled {
  build: Build;
  stages: Stage[];
  steps: Step[];
  /** False when the build was already done (nothing changed). */
  changed: boolean;
}

const EXIT_CANCELLED = 130;

/**
 * Cancels build `id` in one transaction, as `status` (`killed` or `skipped`), if its status is one
 * of `from`. A runner writing to the same rows meanwhile makes the transaction retry on fresh rows,
 * so neither write is lost.
 */
export async function cancelBuild(
  db: Db,
  id: number,
  status: 'killed' | 'skipped',
  now: number,
  from: readonly Status[] = CANCELLABLE,
): Promise<Cancelled> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction(db, (tx) => cancelOnce(tx, id, status, now, from));
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= 5) throw err;
    }
  }
}

async function cancelOnce(
  tx: Db,
  id: number,
  status: 'killed' | 'skipped',
  now: number,
  from: readonly Status[],
): Promise<Cancelled> {
  let build = await findBuild(tx, id);
  if (!build) throw new ConflictError('build', id);
  const changed = from.includes(build.status);
  // A build that is no longer cancellable keeps its stages as they are.
  if (!changed && from !== CANCELLABLE) return { build, stages: [], steps: [], changed };
  if (changed) {
    build = await updateBuild(tx, {
      ...build,
      status,
      started: build.started || now,
      finished: now,
      updated: now,
    });
  }
  const stages: Stage[] = [];
  for (const stage of await listStagesOfBuild(tx, id)) {
    if (isDone(stage.status)) {
      stages.push(stage);
      continue;
    }
    stages.push(
      await updateStage(tx, {
        ...stage,
        status: stage.started ? 'killed' : 'skipped',
        started: stage.started || now,
        stopped: now,
        updated: now,
      }),
    );
  }
  const steps: Step[] = [];
  for (const step of await listStepsOfStages(
    tx,
    stages.map((s) => s.id),
  )) {
    if (isDone(step.status)) {
      steps.push(step);
      continue;
    }
    steps.push(
      await updateStep(tx, {
        ...step,
        status: step.started ? 'killed' : 'skipped',
        started: step.started || now,
        stopped: now,
        exit_code: EXIT_CANCELLED,
      }),
    );
  }
  return { build, stages, steps, changed };
}
