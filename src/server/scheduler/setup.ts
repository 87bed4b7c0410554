// A runner starts a stage or reports a step (drone operator/manager setup.go, updater.go). The
// stage report is optimistic-locked on the version the runner holds, so a stage cancelled or taken
// away since it was accepted answers 409 and the runner gives it up. Step rows are created when the
// stage first reports running — or refreshed, matched by number, when a stage that was put back in
// the queue starts again — and the build turns `running` with its first running stage.
import { sql } from 'kysely';
import { ConflictError } from '../store/errors.js';
import type { Build, Stage, Step } from '../store/models.js';
import { findBuild } from '../store/queries/builds.js';
import { findStage, updateStage } from '../store/queries/stages.js';
import { createSteps, findStep, listStepsOfStage, updateStep } from '../store/queries/steps.js';
import type { Db } from '../store/schema.js';
import { transaction } from '../store/transaction.js';
import { clipError, type StageReport, type StepReport } from './reports.js';
import { lockBuild } from './lock.js';

/** A stage, step or build the request names does not exist. */
export class MissingError extends Error {
  override name = 'MissingError';
}

/** The outcome of a stage's start. */
export interface Started {
  build: Build;
  stage: Stage;
  steps: Step[];
  /** True when this report moved the build from pending to running. */
  buildStarted: boolean;
}

/** Drone's BeforeAll: saves the stage as reported, creates its steps, starts the build. */
export async function startStage(
  db: Db,
  stageId: number,
  report: StageReport,
  now: number,
  leaseExpires: number,
): Promise<Started> {
  return transaction(db, async (tx) => {
    const first = await findStage(tx, stageId);
    if (!first) throw new MissingError(`stage ${stageId} not found`);
    await lockBuild(tx, first.build_id);
    const stage = await findStage(tx, stageId);
    if (!stage) throw new MissingError(`stage ${stageId} not found`);
    if (stage.version !== report.version) throw new ConflictError('stage', stageId, report.version);
    const saved = await updateStage(tx, {
      ...stage,
      status: report.status,
      error: clipError(report.error),
      errignore: report.errignore,
      exit_code: report.exit_code,
      started: report.started || (report.status === 'running' ? now : stage.started),
      stopped: report.stopped,
      updated: now,
      lease_expires: stage.machine !== '' ? leaseExpires : stage.lease_expires,
    });
    const existing = new Map((await listStepsOfStage(tx, stageId)).map((s) => [s.number, s]));
    const fresh: StepReport[] = [];
    for (const r of report.steps) {
      const row = existing.get(r.number);
      if (row) await updateStep(tx, { ...row, ...stepFields(r) });
      else fresh.push(r);
    }
    await createSteps(
      tx,
      fresh.map((r) => ({ stage_id: stageId, number: r.number, ...stepFields(r) })),
    );
    const buildStarted = saved.status === 'running' && (await markBuildRunning(tx, saved.build_id, now));
    const build = await findBuild(tx, saved.build_id);
    if (!build) throw new MissingError(`build ${saved.build_id} not found`);
    return { build, stage: saved, steps: await listStepsOfStage(tx, stageId), buildStarted };
  });
}

/** Drone's Before/After of a step: saves it as reported if the runner saw its latest version. */
export async function reportStep(db: Db, stepId: number, report: StepReport): Promise<Step> {
  const step = await findStep(db, stepId);
  if (!step) throw new MissingError(`step ${stepId} not found`);
  if (step.version !== report.version) throw new ConflictError('step', stepId, report.version);
  // Steps are matched by number; a report under another number is not this step.
  return updateStep(db, { ...step, ...stepFields(report), number: step.number });
}

function stepFields(r: StepReport): Omit<Step, 'id' | 'stage_id' | 'number' | 'version'> {
  return {
    name: r.name,
    status: r.status,
    error: clipError(r.error),
    errignore: r.errignore,
    exit_code: r.exit_code,
    started: r.started,
    stopped: r.stopped,
    depends_on: r.depends_on,
    image: r.image,
    detached: r.detached,
    schema: r.schema,
  };
}

/** pending → running, once, whoever of several concurrently starting stages gets there first. */
async function markBuildRunning(db: Db, buildId: number, now: number): Promise<boolean> {
  const res = await db
    .updateTable('builds')
    .set({ status: 'running', started: now, updated: now, version: sql`version + 1` })
    .where('id', '=', buildId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return res.numUpdatedRows > 0n;
}
