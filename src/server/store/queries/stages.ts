// Stages: the queue's rows (drone-reference.md §1.2). Pending stages are dispatched in id order;
// a runner owns a stage once `machine` is set by an atomic claim, and keeps it through a lease.
import type { Insertable } from 'kysely';
import { decodeRow, encodeRow, unixNow } from '../codec.js';
import { ConflictError, uniquely } from '../errors.js';
import { incompleteStatuses, type Stage } from '../models.js';
import { columns, type Db, type StageTable } from '../schema.js';

/**
 * Fields of a new stage: repo and build are required; `number` defaults to the position in the
 * batch (1-based), and kind/type/os/arch/name to Drone's defaults (pipeline, docker, linux, amd64,
 * default).
 */
export type NewStage = Pick<Stage, 'repo_id' | 'build_id'> & Partial<Omit<Stage, 'id' | 'version'>>;

/** How a runner claims a stage (Drone's accept). */
export interface StageClaim {
  id: number;
  /** Runner name (Drone's `machine` query parameter). */
  machine: string;
  /** Hangar: identity of the runner process that holds the lease. */
  runner?: string;
  /** Hangar: unix time the lease runs out unless renewed (0 = no lease). */
  leaseExpires?: number;
  /** When given, the claim also fails if the stage's version moved on. */
  version?: number;
  /** Time to record as `updated` (default now). */
  now?: number;
}

const decode = (row: object): Stage => decodeRow(columns.stages, row);
const encode = (stage: Partial<Stage>) => encodeRow(columns.stages, stage) as Insertable<StageTable>;

/** Inserts stages (version 1) and returns them by number; DuplicateError on a repeated number. */
export async function createStages(db: Db, input: NewStage[]): Promise<Stage[]> {
  if (input.length === 0) return [];
  const now = unixNow();
  const stages = input.map(
    (s, i): Omit<Stage, 'id'> => ({
      number: i + 1,
      name: 'default',
      kind: 'pipeline',
      type: 'docker',
      status: 'pending',
      error: '',
      errignore: false,
      exit_code: 0,
      machine: '',
      os: 'linux',
      arch: 'amd64',
      variant: '',
      kernel: '',
      limit: 0,
      throttle: 0,
      started: 0,
      stopped: 0,
      created: now,
      updated: now,
      on_success: true,
      on_failure: false,
      depends_on: [],
      labels: {},
      lease_expires: 0,
      runner: '',
      ...s,
      version: 1,
    }),
  );
  const rows = await uniquely('stage', `of build ${input[0]?.build_id}`, () =>
    db.insertInto('stages').values(stages.map(encode)).returningAll().execute(),
  );
  return rows.map(decode).sort((a, b) => a.build_id - b.build_id || a.number - b.number);
}

/** The stage with this id, if any. */
export async function findStage(db: Db, id: number): Promise<Stage | undefined> {
  const row = await db.selectFrom('stages').selectAll().where('id', '=', id).executeTakeFirst();
  return row && decode(row);
}

/** Stage `number` of a build, if any. */
export async function findStageByNumber(db: Db, buildId: number, number: number): Promise<Stage | undefined> {
  const row = await db
    .selectFrom('stages')
    .selectAll()
    .where('build_id', '=', buildId)
    .where('number', '=', number)
    .executeTakeFirst();
  return row && decode(row);
}

/** The stages of a build, by number. */
export async function listStagesOfBuild(db: Db, buildId: number): Promise<Stage[]> {
  const rows = await db
    .selectFrom('stages')
    .selectAll()
    .where('build_id', '=', buildId)
    .orderBy('number')
    .execute();
  return rows.map(decode);
}

/** The stages of several builds (a page of the build list), by build id then number. */
export async function listStagesOfBuilds(db: Db, buildIds: readonly number[]): Promise<Stage[]> {
  if (buildIds.length === 0) return [];
  const rows = await db
    .selectFrom('stages')
    .selectAll()
    .where('build_id', 'in', buildIds)
    .orderBy('build_id')
    .orderBy('number')
    .execute();
  return rows.map(decode);
}

/** Stages waiting for a runner (pending, not yet accepted), oldest (lowest id) first: Drone's FIFO. */
export async function listPendingStages(db: Db): Promise<Stage[]> {
  const rows = await db
    .selectFrom('stages')
    .selectAll()
    .where('status', '=', 'pending')
    .where('machine', '=', '')
    .orderBy('id')
    .execute();
  return rows.map(decode);
}

/**
 * Incomplete (pending or running) stages in id order, optionally of one repo: what concurrency
 * limits and repo throttles are counted against, and the admin's queue view.
 */
export async function listIncompleteStages(db: Db, repoId?: number): Promise<Stage[]> {
  let q = db.selectFrom('stages').selectAll().where('status', 'in', incompleteStatuses);
  if (repoId !== undefined) q = q.where('repo_id', '=', repoId);
  const rows = await q.orderBy('id').execute();
  return rows.map(decode);
}

/**
 * Saves every field of `stage` if nobody changed it since it was read (`version` matches), and
 * returns it with the new version; ConflictError otherwise.
 */
export async function updateStage(db: Db, stage: Stage): Promise<Stage> {
  const { id, version, ...fields } = stage;
  const row = await db
    .updateTable('stages')
    .set({ ...encode(fields), version: version + 1 })
    .where('id', '=', id)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new ConflictError('stage', id, version);
  return decode(row);
}

/**
 * A runner accepts a stage. One conditional UPDATE: it succeeds only while the stage is still
 * pending and unclaimed (and at `version`, when given), so of any number of concurrent claimers —
 * in one process or on several servers sharing PostgreSQL — exactly one wins; the others get a
 * ConflictError (Drone's 409). Unlike Drone it also checks the status, so a stage cancelled after
 * hand-off cannot be revived by a late accept (drone-reference.md §8.14).
 */
export async function claimStage(db: Db, claim: StageClaim): Promise<Stage> {
  let q = db
    .updateTable('stages')
    .set((eb) => ({
      machine: claim.machine,
      runner: claim.runner ?? '',
      lease_expires: claim.leaseExpires ?? 0,
      updated: claim.now ?? unixNow(),
      version: eb('version', '+', 1),
    }))
    .where('id', '=', claim.id)
    .where('status', '=', 'pending')
    .where('machine', '=', '');
  if (claim.version !== undefined) q = q.where('version', '=', claim.version);
  const row = await q.returningAll().executeTakeFirst();
  if (!row) throw new ConflictError('stage', claim.id, claim.version);
  return decode(row);
}

/**
 * Extends the lease of a stage held by `runner`. Leaves `version` alone: the lease is Hangar's
 * bookkeeping, invisible to Drone runners, whose next stage update must not conflict because of
 * it. False when the stage is no longer incomplete or no longer held by this runner.
 */
export async function renewStageLease(db: Db, id: number, runner: string, expires: number): Promise<boolean> {
  const res = await db
    .updateTable('stages')
    .set({ lease_expires: expires })
    .where('id', '=', id)
    .where('runner', '=', runner)
    .where('status', 'in', incompleteStatuses)
    .executeTakeFirst();
  return res.numUpdatedRows > 0n;
}

/** Extends the leases of every incomplete stage held by `runner` (one heartbeat); returns how many. */
export async function renewRunnerLeases(db: Db, runner: string, expires: number): Promise<number> {
  if (runner === '') return 0;
  const res = await db
    .updateTable('stages')
    .set({ lease_expires: expires })
    .where('runner', '=', runner)
    .where('status', 'in', incompleteStatuses)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** Incomplete stages whose lease ran out before `now` (their runner went silent), oldest first. */
export async function listExpiredLeases(db: Db, now: number): Promise<Stage[]> {
  const rows = await db
    .selectFrom('stages')
    .selectAll()
    .where('status', 'in', incompleteStatuses)
    .where('lease_expires', '>', 0)
    .where('lease_expires', '<', now)
    .orderBy('id')
    .execute();
  return rows.map(decode);
}

/**
 * Puts a claimed stage back in the queue (pending, no machine, no lease) if it is still at
 * `stage.version`; ConflictError otherwise. Used when a lease expires before the stage ran.
 */
export async function releaseStage(db: Db, stage: Stage, now = unixNow()): Promise<Stage> {
  return updateStage(db, {
    ...stage,
    status: 'pending',
    machine: '',
    runner: '',
    lease_expires: 0,
    updated: now,
  });
}
