// What holds a pending stage back even when a runner is free (drone scheduler/queue/queue.go):
// the pipeline's `concurrency.limit` (among incomplete stages of the same repo and pipeline name,
// count the older ones and those already running) and the repo throttle (count the repo's older
// incomplete stages). Counted over every incomplete (pending or running) stage, as Drone does.
import type { Stage } from '../store/models.js';

/** Stage fields the limits look at. */
export type LimitStage = Pick<Stage, 'id' | 'repo_id' | 'name' | 'status' | 'limit' | 'throttle'>;

/** A limit that holds a stage back: which one, and the stages it counted. */
export interface Hold {
  kind: 'concurrency' | 'throttle';
  limit: number;
  /** Ids of the incomplete stages counted against the limit. */
  ahead: number[];
}

/** Why `stage` may not be dispatched now, or undefined. `incomplete` = all pending/running stages. */
export function holdOf(stage: LimitStage, incomplete: readonly LimitStage[]): Hold | undefined {
  if (stage.limit > 0) {
    const ahead = incomplete
      .filter(
        (s) =>
          s.repo_id === stage.repo_id &&
          s.id !== stage.id &&
          s.name === stage.name &&
          (s.id < stage.id || s.status === 'running'),
      )
      .map((s) => s.id);
    if (ahead.length >= stage.limit) return { kind: 'concurrency', limit: stage.limit, ahead };
  }
  if (stage.throttle > 0 && stage.status !== 'running') {
    const ahead = incomplete.filter((s) => s.repo_id === stage.repo_id && s.id < stage.id).map((s) => s.id);
    if (ahead.length >= stage.throttle) return { kind: 'throttle', limit: stage.throttle, ahead };
  }
  return undefined;
}

/**
 * Pending stages in dispatch order: each repo's stages oldest first, the repos taking turns in the
 * order of their oldest stage. One repo with a thousand queued stages then delays another repo's
 * single stage by one turn, not by a thousand (Drone hands out strictly by id).
 */
export function fairOrder<T extends Pick<Stage, 'id' | 'repo_id'>>(pending: readonly T[]): T[] {
  const byRepo = new Map<number, T[]>();
  for (const s of [...pending].sort((a, b) => a.id - b.id)) {
    const list = byRepo.get(s.repo_id);
    if (list) list.push(s);
    else byRepo.set(s.repo_id, [s]);
  }
  // Map iteration follows insertion, i.e. each repo's oldest stage.
  const queues = [...byRepo.values()];
  const out: T[] = [];
  for (let round = 0; out.length < pending.length; round++) {
    for (const q of queues) {
      const s = q[round];
      if (s) out.push(s);
    }
  }
  return out;
}
