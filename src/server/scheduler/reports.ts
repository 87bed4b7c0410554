// What a runner reports about a stage or a step (the bodies of `PUT /rpc/v2/stage/{id}` and
// `PUT /rpc/v2/step/{id}`), reduced to the fields the server takes from it. Everything else — which
// repo, build, number and name a stage has — the server already knows and keeps.
import type { Status } from '../store/models.js';

/** A step as the runner reports it. Steps are matched by `number` (drone-reference.md §2.3). */
export interface StepReport {
  number: number;
  name: string;
  status: Status;
  error: string;
  errignore: boolean;
  exit_code: number;
  started: number;
  stopped: number;
  /** The version the runner last saw (step updates are optimistic-locked on it). */
  version: number;
  depends_on: string[];
  image: string;
  detached: boolean;
  schema: string;
}

/** A stage as the runner reports it. */
export interface StageReport {
  status: Status;
  error: string;
  errignore: boolean;
  exit_code: number;
  started: number;
  stopped: number;
  /** The version the runner last saw: a stage changed since (cancelled, reaped) answers 409. */
  version: number;
  steps: StepReport[];
}

/** Drone truncates error messages to 500 bytes before saving them. */
export function clipError(text: string): string {
  return text.length > 500 ? text.slice(0, 500) : text;
}

/** Statuses a stage or step will not leave (Drone's IsDone: all but waiting, pending, running, blocked). */
export function isDone(status: Status): boolean {
  return (
    status !== 'pending' &&
    status !== 'running' &&
    status !== 'waiting_on_dependencies' &&
    status !== 'blocked'
  );
}

/** Drone's IsFailed. */
export function isFailed(status: Status): boolean {
  return status === 'failure' || status === 'error' || status === 'killed';
}
