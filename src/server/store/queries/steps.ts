// Steps of a stage. Runners match steps by `number` (drone-reference.md §2.3), so (stage, number)
// is unique and the server creates the rows when the runner first reports the stage running.
import type { Insertable } from 'kysely';
import { decodeRow, encodeRow } from '../codec.js';
import { ConflictError, uniquely } from '../errors.js';
import type { Step } from '../models.js';
import { columns, type Db, type StepTable } from '../schema.js';

/** Fields of a new step: stage and number are required. */
export type NewStep = Pick<Step, 'stage_id' | 'number'> & Partial<Omit<Step, 'id' | 'version'>>;

const decode = (row: object): Step => decodeRow(columns.steps, row);
const encode = (step: Partial<Step>) => encodeRow(columns.steps, step) as Insertable<StepTable>;

/** Inserts steps (version 1) and returns them by stage and number; DuplicateError on a repeated number. */
export async function createSteps(db: Db, input: NewStep[]): Promise<Step[]> {
  if (input.length === 0) return [];
  const steps = input.map(
    (s): Omit<Step, 'id'> => ({
      name: '',
      status: 'pending',
      error: '',
      errignore: false,
      exit_code: 0,
      started: 0,
      stopped: 0,
      depends_on: [],
      image: '',
      detached: false,
      schema: '',
      ...s,
      version: 1,
    }),
  );
  const rows = await uniquely('step', `of stage ${input[0]?.stage_id}`, () =>
    db.insertInto('steps').values(steps.map(encode)).returningAll().execute(),
  );
  return rows.map(decode).sort((a, b) => a.stage_id - b.stage_id || a.number - b.number);
}

/** The step with this id, if any. */
export async function findStep(db: Db, id: number): Promise<Step | undefined> {
  const row = await db.selectFrom('steps').selectAll().where('id', '=', id).executeTakeFirst();
  return row && decode(row);
}

/** Step `number` of a stage, if any. */
export async function findStepByNumber(db: Db, stageId: number, number: number): Promise<Step | undefined> {
  const row = await db
    .selectFrom('steps')
    .selectAll()
    .where('stage_id', '=', stageId)
    .where('number', '=', number)
    .executeTakeFirst();
  return row && decode(row);
}

/** The steps of a stage, by number. */
export async function listStepsOfStage(db: Db, stageId: number): Promise<Step[]> {
  const rows = await db
    .selectFrom('steps')
    .selectAll()
    .where('stage_id', '=', stageId)
    .orderBy('number')
    .execute();
  return rows.map(decode);
}

/** The steps of several stages (a build's detail view), by stage id then number. */
export async function listStepsOfStages(db: Db, stageIds: readonly number[]): Promise<Step[]> {
  if (stageIds.length === 0) return [];
  const rows = await db
    .selectFrom('steps')
    .selectAll()
    .where('stage_id', 'in', stageIds)
    .orderBy('stage_id')
    .orderBy('number')
    .execute();
  return rows.map(decode);
}

/**
 * Saves every field of `step` if nobody changed it since it was read (`version` matches), and
 * returns it with the new version; ConflictError otherwise.
 */
export async function updateStep(db: Db, step: Step): Promise<Step> {
  const { id, version, ...fields } = step;
  const row = await db
    .updateTable('steps')
    .set({ ...encode(fields), version: version + 1 })
    .where('id', '=', id)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new ConflictError('step', id, version);
  return decode(row);
}
