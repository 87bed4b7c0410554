// `when` (steps) and `trigger` (pipelines): drone-reference.md §3.5.
import type { MatchContext } from '../context.js';
import type { Condition, Conditions } from '../manifest/types.js';
import { globMatch } from './glob.js';

/** Drone's rule: any exclude match ⇒ false; else any include match ⇒ true; else true iff no includes. */
export function conditionMatches(c: Condition | undefined, value: string): boolean {
  if (!c) return true;
  for (const p of c.exclude) if (globMatch(p, value)) return false;
  if (c.include.length === 0) return true;
  for (const p of c.include) if (globMatch(p, value)) return true;
  return false;
}

/** `paths`: true when any changed file passes the condition; unknown changes (undefined) match. */
export function pathsMatch(c: Condition | undefined, paths: string[] | undefined): boolean {
  if (!c || (c.include.length === 0 && c.exclude.length === 0)) return true;
  if (paths === undefined) return true;
  return paths.some((p) => conditionMatches(c, p));
}

/** The keys Drone's runner checks for a step (`status` only selects the run policy). */
export function stepWhenMatches(w: Conditions, m: MatchContext): boolean {
  return (
    conditionMatches(w.action, m.action) &&
    conditionMatches(w.cron, m.cron) &&
    conditionMatches(w.ref, m.ref) &&
    conditionMatches(w.repo, m.repo) &&
    conditionMatches(w.instance, m.instance) &&
    conditionMatches(w.target, m.target) &&
    conditionMatches(w.event, m.event) &&
    conditionMatches(w.branch, m.branch) &&
    pathsMatch(w.paths, m.paths)
  );
}

/**
 * The keys Drone's server checks for a pipeline `trigger` at build creation: branch, event, action,
 * ref, repo, target, cron — plus Hangar's `paths`. `instance` is checked too (runner-side in Drone).
 */
export function triggerMatches(t: Conditions, m: MatchContext): boolean {
  return (
    conditionMatches(t.branch, m.branch) &&
    conditionMatches(t.event, m.event) &&
    conditionMatches(t.action, m.action) &&
    conditionMatches(t.ref, m.ref) &&
    conditionMatches(t.repo, m.repo) &&
    conditionMatches(t.target, m.target) &&
    conditionMatches(t.cron, m.cron) &&
    conditionMatches(t.instance, m.instance) &&
    pathsMatch(t.paths, m.paths)
  );
}

/** Step run policy from `when.status` (drone-runner-docker engine/compiler/util.go). */
export function runPolicyOf(w: Conditions): 'on-success' | 'on-failure' | 'always' {
  const s = w.status;
  if (!s || (s.include.length === 0 && s.exclude.length === 0)) return 'on-success';
  const onSuccess = conditionMatches(s, 'success');
  const onFailure = conditionMatches(s, 'failure');
  if (onSuccess && onFailure) return 'always';
  if (onFailure) return 'on-failure';
  return 'on-success';
}

/** Pipeline `trigger.status` → (on_success, on_failure); on_failure is false when status is unset. */
export function stageStatusFlags(t: Conditions): { onSuccess: boolean; onFailure: boolean } {
  const s = t.status;
  if (!s || (s.include.length === 0 && s.exclude.length === 0)) return { onSuccess: true, onFailure: false };
  return { onSuccess: conditionMatches(s, 'success'), onFailure: conditionMatches(s, 'failure') };
}
