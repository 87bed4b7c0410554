// Approving and declining blocked stages (drone handler/api/repos/builds/stages). Approval sends a
// stage to the queue, or to wait for its dependencies (Drone makes every approved stage pending,
// which would run a stage before the stages it depends on). Declining ends the build as
// `declined`; Hangar also skips its other unfinished stages, which Drone leaves behind for ever.
import type { Build, Stage } from '../store/models.js';
import { findBuild, updateBuild } from '../store/queries/builds.js';
import { listStagesOfBuild, updateStage } from '../store/queries/stages.js';
import type { Db } from '../store/schema.js';
import { transaction } from '../store/transaction.js';
import { isDone } from './cancel.js';

/** A request the build's state does not allow; the message is Drone's. */
export class ApprovalError extends Error {
  override name = 'ApprovalError';
}

/** The stages of a build after an approval or decline. */
export interface StagesChanged {
  build: Build;
  stages: Stage[];
}

const FAILED = new Set(['failure', 'error', 'killed']);

/** Where an approved stage goes: the queue, waiting for its dependencies, or skipped by them. */
function approvedStatus(stage: Stage, siblings: Stage[]): Stage['status'] {
  if (stage.depends_on.length === 0) return 'pending';
  const deps = siblings.filter((s) => stage.depends_on.includes(s.name));
  if (deps.some((d) => !isDone(d.status))) return 'waiting_on_dependencies';
  // Every dependency has finished: decide now, as the scheduler's teardown would have.
  const failed = siblings.some((s) => FAILED.has(s.status));
  if ((failed && !stage.on_failure) || (!failed && !stage.on_success)) return 'skipped';
  return 'pending';
}

/** Approves blocked stage `number` of build `buildId`. */
export async function approveStage(
  db: Db,
  buildId: number,
  number: number,
  now: number,
): Promise<StagesChanged> {
  return transaction(db, async (tx) => {
    const stages = await listStagesOfBuild(tx, buildId);
    const stage = stages.find((s) => s.number === number);
    if (!stage) throw new ApprovalError('Stage not found');
    if (stage.status !== 'blocked') {
      throw new ApprovalError(`Cannot approve a Pipeline with Status "${stage.status}"`);
    }
    const status = approvedStatus(stage, stages);
    const saved = await updateStage(tx, {
      ...stage,
      status,
      updated: now,
      ...(status === 'skipped' ? { started: now, stopped: now } : {}),
    });
    const after = stages.map((s) => (s.id === saved.id ? saved : s));
    let build = await findBuild(tx, buildId);
    if (!build) throw new ApprovalError('Build not found');
    if (build.status === 'blocked' && !after.some((s) => s.status === 'blocked')) {
      build = await updateBuild(tx, { ...build, status: 'pending', updated: now });
    }
    return { build, stages: after };
  });
}

/**
 * Declines blocked stage `number` (or, with `number` undefined, every blocked stage) of build
 * `buildId`: those stages become `declined`, the build `declined`, its other unfinished stages `skipped`.
 */
export async function declineStages(
  db: Db,
  buildId: number,
  number: number | undefined,
  now: number,
): Promise<StagesChanged> {
  return transaction(db, async (tx) => {
    const stages = await listStagesOfBuild(tx, buildId);
    const targets =
      number === undefined
        ? stages.filter((s) => s.status === 'blocked')
        : stages.filter((s) => s.number === number);
    if (number !== undefined && targets.length === 0) throw new ApprovalError('Stage not found');
    if (targets.length === 0) throw new ApprovalError('Cannot decline a build with no blocked stage');
    for (const t of targets) {
      if (t.status !== 'blocked') throw new ApprovalError(`Cannot decline build with status "${t.status}"`);
    }
    const declined = new Set(targets.map((t) => t.id));
    const after: Stage[] = [];
    for (const s of stages) {
      if (declined.has(s.id)) {
        after.push(
          await updateStage(tx, {
            ...s,
            status: 'declined',
            started: s.started || now,
            stopped: now,
            updated: now,
          }),
        );
      } else if (!isDone(s.status) && !s.started) {
        after.push(
          await updateStage(tx, { ...s, status: 'skipped', started: now, stopped: now, updated: now }),
        );
      } else {
        after.push(s);
      }
    }
    const build = await findBuild(tx, buildId);
    if (!build) throw new ApprovalError('Build not found');
    const saved = await updateBuild(tx, {
      ...build,
      status: 'declined',
      started: build.started || now,
      finished: now,
      updated: now,
    });
    return { build: saved, stages: after };
  });
}
