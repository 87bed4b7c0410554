// Reading RPC bodies. Runners send JSON without a Content-Type (Go's http.NewRequest sets none), so
// bodies arrive as bytes and are parsed here; a body that is not what the endpoint expects is a 400
// naming the field, never a stack trace.
import type { Line, Status } from '../../store/models.js';
import type { StageReport, StepReport } from '../../scheduler/reports.js';
import { badRequest } from '../api/errors.js';

const STATUSES: ReadonlySet<string> = new Set<Status>([
  'pending',
  'running',
  'success',
  'failure',
  'killed',
  'error',
  'skipped',
  'blocked',
  'declined',
  'waiting_on_dependencies',
]);

/** The JSON value of a body; undefined for an empty body. */
export function parseBody(body: unknown): unknown {
  if (body === undefined || body === null) return undefined;
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : String(body);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('the body is not valid JSON');
  }
}

type Obj = Record<string, unknown>;

function object(v: unknown, what: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw badRequest(`${what} must be a JSON object`);
  return v as Obj;
}

function int(o: Obj, key: string, what: string): number {
  const v = o[key];
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isSafeInteger(v))
    throw badRequest(`${what}.${key} must be an integer`);
  return v;
}

function str(o: Obj, key: string, what: string): string {
  const v = o[key];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw badRequest(`${what}.${key} must be a string`);
  return v;
}

function bool(o: Obj, key: string, what: string): boolean {
  const v = o[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw badRequest(`${what}.${key} must be true or false`);
  return v;
}

function status(o: Obj, what: string): Status {
  const v = o.status;
  if (typeof v !== 'string' || !STATUSES.has(v))
    throw badRequest(`${what}.status: unknown status ${JSON.stringify(v)}`);
  return v as Status;
}

function strings(o: Obj, key: string, what: string): string[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw badRequest(`${what}.${key} must be a list of strings`);
  }
  return v as string[];
}

/** A step report (`PUT /step/{id}` body, or an element of a stage's `steps`). */
export function parseStep(value: unknown, what = 'step'): StepReport {
  const o = object(value, what);
  const number = int(o, 'number', what);
  if (number < 1) throw badRequest(`${what}.number must be 1 or more`);
  return {
    number,
    name: str(o, 'name', what),
    status: status(o, what),
    error: str(o, 'error', what),
    errignore: bool(o, 'errignore', what),
    exit_code: int(o, 'exit_code', what),
    started: int(o, 'started', what),
    stopped: int(o, 'stopped', what),
    version: int(o, 'version', what),
    depends_on: strings(o, 'depends_on', what),
    image: str(o, 'image', what),
    detached: bool(o, 'detached', what),
    schema: str(o, 'schema', what),
  };
}

/** A stage report (`PUT /stage/{id}` body). */
export function parseStage(value: unknown): StageReport {
  const o = object(value, 'stage');
  const steps = o.steps;
  if (steps !== undefined && steps !== null && !Array.isArray(steps))
    throw badRequest('stage.steps must be a list');
  return {
    status: status(o, 'stage'),
    error: str(o, 'error', 'stage'),
    errignore: bool(o, 'errignore', 'stage'),
    exit_code: int(o, 'exit_code', 'stage'),
    started: int(o, 'started', 'stage'),
    stopped: int(o, 'stopped', 'stage'),
    version: int(o, 'version', 'stage'),
    steps: ((steps as unknown[] | null | undefined) ?? []).map((s, i) => parseStep(s, `stage.steps[${i}]`)),
  };
}

/** A list of log lines (`/logs/batch` and `/logs/upload` bodies). */
export function parseLines(value: unknown): Line[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw badRequest('the body must be a JSON list of lines');
  return value.map((v, i) => {
    const o = object(v, `lines[${i}]`);
    const pos = int(o, 'pos', `lines[${i}]`);
    if (pos < 0) throw badRequest(`lines[${i}].pos must be 0 or more`);
    const time = o.time;
    if (time !== undefined && time !== null && (typeof time !== 'number' || !Number.isFinite(time))) {
      throw badRequest(`lines[${i}].time must be a number`);
    }
    return { pos, out: str(o, 'out', `lines[${i}]`), time: typeof time === 'number' ? Math.trunc(time) : 0 };
  });
}

/** A card (`{schema, data}`). */
export function parseCard(value: unknown): { schema: string; data: unknown } {
  const o = object(value, 'card');
  return { schema: str(o, 'schema', 'card'), data: o.data ?? null };
}
