// Stages whose runner stopped showing signs of life (its lease ran out): a stage that had not started
// any step goes back to the queue for another runner; one that had is failed with a message naming
// the runner, and the build's teardown runs as if the runner had reported it. Every replica sweeps;
// the version checks make sure each stage is handled once.
import { ConflictError } from '../store/errors.js';
import type { Stage } from '../store/models.js';
import { findStage, listExpiredLeases, updateStage } from '../store/queries/stages.js';
import { listStepsOfStage } from '../store/queries/steps.js';
import type { Db } from '../store/schema.js';
import { transaction } from '../store/transaction.js';
import { lockBuild } from './lock.js';
import { endStage, type Teardown } from './teardown.js';

/** What a sweep did. */
export interface Sweep {
  requeued: Stage[];
  failed: Teardown[];
}

export interface ReaperOptions {
  db: Db;
  /** Unix seconds now. */
  now: () => number;
  /** The lease length, for the failure message. */
  leaseSeconds: number;
}

/** Handles every stage whose lease ran out before now. */
export async function sweep(options: ReaperOptions): Promise<Sweep> {
  const { db } = options;
  const now = options.now();
  const out: Sweep = { requeued: [], failed: [] };
  for (const stage of await listExpiredLeases(db, now)) {
    try {
      const requeued = await requeue(db, stage, now);
      if (requeued) {
        out.requeued.push(requeued);
        continue;
      }
      out.failed.push(
        await endStage(
          db,
          stage.id,
          {
            version: stage.version,
            status: 'error',
            error: `runner ${stage.machine || 'unknown'} stopped responding (no sign of life for ${options.leaseSeconds} s or more)`,
            exit_code: 0,
            started: stage.started,
            stopped: now,
            steps: [],
          },
          now,
        ),
      );
    } catch (err) {
      // Someone else (another replica, a cancel, the runner itself) got there first.
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  return out;
}

/** Puts a stage that never started a step back in the queue; undefined when a step had started. */
async function requeue(db: Db, expired: Stage, now: number): Promise<Stage | undefined> {
  return transaction(db, async (tx) => {
    await lockBuild(tx, expired.build_id);
    const stage = await findStage(tx, expired.id);
    if (!stage || stage.version !== expired.version) {
      throw new ConflictError('stage', expired.id, expired.version);
    }
    const steps = await listStepsOfStage(tx, stage.id);
    if (steps.some((s) => s.started > 0 || s.status !== 'pending')) return undefined;
    const requeued = await updateStage(tx, {
      ...stage,
      status: 'pending',
      machine: '',
      runner: '',
      lease_expires: 0,
      started: 0,
      stopped: 0,
      error: '',
      updated: now,
    });
    // The next runner reports its own steps.
    await tx.deleteFrom('steps').where('stage_id', '=', stage.id).execute();
    return requeued;
  });
}
