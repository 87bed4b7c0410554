// A runner's own limits (Drone's DRONE_LIMIT_REPOS / _EVENTS / _TRUSTED, runner-go `match`): checked
// after a stage is accepted; a stage outside them is failed with Drone's message.
import type { Build, Repository } from '../../protocol/types.js';
import { globMatch } from '../../spec/when/glob.js';

export interface Limits {
  /** Globs of repository slugs (empty = any). */
  repos: string[];
  /** Globs of build events (empty = any). */
  events: string[];
  /** Only trusted repositories. */
  trusted: boolean;
}

/** Drone's error for a stage outside the runner's limits. */
export const LIMIT_ERROR = 'insufficient permission to run the pipeline';

/** True when the runner may run a stage of this repository and build. */
export function withinLimits(
  limits: Limits,
  repo: Pick<Repository, 'slug' | 'trusted'>,
  build: Pick<Build, 'event'>,
): boolean {
  if (limits.trusted && !repo.trusted) return false;
  // Drone uses filepath.Match: `*` stays within one path component, so `octocat/*` is one owner's repos.
  if (limits.events.length > 0 && !limits.events.some((p) => globMatch(p, build.event))) return false;
  if (limits.repos.length > 0 && !limits.repos.some((p) => globMatch(p, repo.slug))) return false;
  return true;
}
