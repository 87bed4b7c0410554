// A stage ended (drone operator/manager/teardown.go, drone-reference.md §1.2): save it and its steps,
// skip or release the stages waiting on it, and when nothing is left to run give the build its
// final status. One transaction that first locks the build row, so two stages of one build ending
// at the same moment on two replicas cannot both miss that the build is complete.
//
// Downstream rules are Drone's: `failed` is build-wide (any failure/error/killed stage); a waiting
// stage whose dependencies are all done is skipped when (failed and not on_failure) or (not failed
// and not on_success), otherwise made pending. The build's status is where Hangar differs: the most
// severe outcome (killed, then error, then failure) rather than the first failing stage in order.
import { ConflictError } from '../store/errors.js';
import type { Build, Stage, Status, Step } from '../store/models.js';
import { findBuild, updateBuild } from '../store/queries/builds.js';
import { findStage, listStagesOfBuild, updateStage } from '../store/queries/stages.js';
import { createSteps, listStepsOfStage, updateStep } from '../store/queries/steps.js';
import type { Db } from '../store/schema.js';
import { transaction } from '../store/transaction.js';
import { clipError, isDone, isFailed, type StepReport } from './reports.js';
import { lockBuild } from './lock.js';
import { MissingError } from './setup.js';

/** How the ending stage itself changes, decided inside the transaction on the fresh row. */
export interface StageEnding {
  /** The runner's version: a stage changed since answers 409 (undefined: the server's own decision). */
  version?: number;
  status: Status;
  error: string;
  exit_code: number;
  started: number;
  stopped: number;
  errignore?: boolean;
  /** Steps as reported (matched by number); steps left unfinished end as `error`/`killed` or `skipped`. */
  steps: StepReport[];
}

/** The outcome of a teardown. */
export interface Teardown {
  build: Build;
  stage: Stage;
  /** Every stage of the build afterwards, by number. */
  stages: Stage[];
  /** Steps of the ended stage afterwards. */
  steps: Step[];
  /** Stages this teardown released to the queue. */
  released: Stage[];
  /** True when this teardown gave the build its final status. */
  finished: boolean;
}

/** The runner's report is stale (its stage changed since): 409 without a retry. */
class StaleReport extends ConflictError {}

/** Ends stage `stageId` as `ending` says and runs Drone's teardown; retried on concurrent writes. */
export async function endStage(db: Db, stageId: number, ending: StageEnding, now: number): Promise<Teardown> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction(db, (tx) => endOnce(tx, stageId, ending, now));
    } catch (err) {
      if (err instanceof StaleReport || !(err instanceof ConflictError) || attempt >= 5) throw err;
    }
  }
}

async function endOnce(tx: Db, stageId: number, ending: StageEnding, now: number): Promise<Teardown> {
  const first = await findStage(tx, stageId);
  if (!first) throw new MissingError(`stage ${stageId} not found`);
  await lockBuild(tx, first.build_id);
  const stage = await findStage(tx, stageId);
  if (!stage) throw new MissingError(`stage ${stageId} not found`);
  if (ending.version !== undefined && stage.version !== ending.version) {
    throw new StaleReport('stage', stageId, ending.version);
  }

  const steps = await endSteps(tx, stage, ending, now);
  const saved = await updateStage(tx, {
    ...stage,
    status: ending.status,
    error: clipError(ending.error),
    exit_code: ending.exit_code,
    errignore: ending.errignore ?? stage.errignore,
    started: ending.started || stage.started || now,
    stopped: ending.stopped || now,
    updated: now,
    lease_expires: 0,
  });

  const stages = (await listStagesOfBuild(tx, stage.build_id)).map((s) => (s.id === saved.id ? saved : s));
  const released = await downstream(tx, stages, now);

  let build = await findBuild(tx, stage.build_id);
  if (!build) throw new MissingError(`build ${stage.build_id} not found`);
  let finished = false;
  if (!isDone(build.status) && isComplete(stages)) {
    build = await updateBuild(tx, {
      ...build,
      status: buildStatus(stages),
      started: build.started || now,
      finished: now,
      updated: now,
    });
    finished = true;
  }
  return { build, stage: saved, stages, steps, released, finished };
}

/** Saves the reported steps; steps the report leaves unfinished end too (never "running" for ever). */
async function endSteps(tx: Db, stage: Stage, ending: StageEnding, now: number): Promise<Step[]> {
  const rows = new Map((await listStepsOfStage(tx, stage.id)).map((s) => [s.number, s]));
  const reported = new Map(ending.steps.map((s) => [s.number, s]));
  const fresh: StepReport[] = [];
  for (const r of ending.steps) {
    const row = rows.get(r.number);
    if (!row) fresh.push(r);
    // A step already ended (by its own report, or a cancel) keeps that ending.
    else if (!isDone(row.status)) {
      await updateStep(tx, {
        ...row,
        name: r.name || row.name,
        status: isDone(r.status) ? r.status : leftover(row.started || r.started, ending.status),
        error: clipError(r.error),
        errignore: r.errignore,
        exit_code: r.exit_code,
        started: r.started || row.started,
        stopped: r.stopped || now,
        image: r.image || row.image,
        detached: r.detached,
        schema: r.schema || row.schema,
      });
    }
  }
  for (const row of rows.values()) {
    if (reported.has(row.number) || isDone(row.status)) continue;
    const status = leftover(row.started, ending.status);
    await updateStep(tx, {
      ...row,
      status,
      started: row.started || now,
      stopped: now,
      ...(status === 'skipped' ? {} : { exit_code: row.exit_code || 255 }),
    });
  }
  await createSteps(
    tx,
    fresh.map((r) => ({
      stage_id: stage.id,
      number: r.number,
      name: r.name,
      status: isDone(r.status) ? r.status : leftover(r.started, ending.status),
      error: clipError(r.error),
      errignore: r.errignore,
      exit_code: r.exit_code,
      started: r.started,
      stopped: r.stopped || now,
      depends_on: r.depends_on,
      image: r.image,
      detached: r.detached,
      schema: r.schema,
    })),
  );
  return listStepsOfStage(tx, stage.id);
}

/** How an unfinished step of an ended stage ends: skipped if it never started, else as the stage failed. */
function leftover(started: number, stageStatus: Status): Status {
  if (!started) return 'skipped';
  return stageStatus === 'killed' ? 'killed' : 'error';
}

/** Drone's cancelDownstream then scheduleDownstream, on `stages` (updated in place, in order). */
async function downstream(tx: Db, stages: Stage[], now: number): Promise<Stage[]> {
  const failed = stages.some((s) => isFailed(s.status));
  for (let i = 0; i < stages.length; i++) {
    const s = stages[i] as Stage;
    if (s.status !== 'waiting_on_dependencies') continue;
    const skip = (failed && !s.on_failure) || (!failed && !s.on_success);
    if (!skip || !depsComplete(s, stages)) continue;
    stages[i] = await updateStage(tx, { ...s, status: 'skipped', started: now, stopped: now, updated: now });
  }
  const released: Stage[] = [];
  for (let i = 0; i < stages.length; i++) {
    const s = stages[i] as Stage;
    if (s.status !== 'waiting_on_dependencies' || s.depends_on.length === 0) continue;
    if (!depsComplete(s, stages)) continue;
    const pending = await updateStage(tx, { ...s, status: 'pending', updated: now });
    stages[i] = pending;
    released.push(pending);
  }
  return released;
}

function depsComplete(stage: Stage, stages: readonly Stage[]): boolean {
  const deps = new Set(stage.depends_on);
  return stages.every((s) => !deps.has(s.name) || isDone(s.status));
}

/** Drone's isBuildComplete: nothing pending, running, waiting, blocked or declined. */
export function isComplete(stages: readonly Stage[]): boolean {
  return stages.every(
    (s) =>
      s.status !== 'pending' &&
      s.status !== 'running' &&
      s.status !== 'waiting_on_dependencies' &&
      s.status !== 'blocked' &&
      s.status !== 'declined',
  );
}

/** The final status of a complete build: its most severe stage outcome. */
export function buildStatus(stages: readonly Pick<Stage, 'status'>[]): Status {
  for (const worst of ['killed', 'error', 'failure'] as const) {
    if (stages.some((s) => s.status === worst)) return worst;
  }
  return 'success';
}
