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
 * Pending stages in dispatch order: by their place in their repo's line — how many of the repo's
 * incomplete stages (queued, accepted or running) are older — then by age. With nothing running this
 * is a round robin over repos, each oldest first; a repo whose stages are already running waits
 * behind repos with fewer. One repo with a thousand queued stages then delays another repo's single
 * stage by one turn, not by a thousand (Drone hands out strictly by id).
 */
export function fairOrder<T extends Pick<Stage, 'id' | 'repo_id'>>(
  pending: readonly T[],
  incomplete: readonly Pick<Stage, 'id' | 'repo_id'>[] = pending,
): T[] {
  const byRepo = new Map<number, number[]>();
  for (const s of incomplete) {
    const ids = byRepo.get(s.repo_id);
    if (ids) ids.push(s.id);
    else byRepo.set(s.repo_id, [s.id]);
  }
  for (const ids of byRepo.values()) ids.sort((a, b) => a - b);
  const rank = new Map<number, number>();
  for (const s of pending) rank.set(s.id, countBelow(byRepo.get(s.repo_id) ?? [], s.id));
  return [...pending].sort((a, b) => (rank.get(a.id) ?? 0) - (rank.get(b.id) ?? 0) || a.id - b.id);
}

/** How many of the sorted `ids` are below `id`. */
function countBelow(ids: readonly number[], id: number): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((ids[mid] as number) < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
