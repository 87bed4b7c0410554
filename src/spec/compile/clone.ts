// The clone step Drone adds to every stage unless `clone.disable` (drone-reference.md §4.2).
import type { Clone } from '../manifest/types.js';
import type { CloneSpec } from '../plan.js';

/** Name of the clone step (reserved: a user step cannot be called `clone` while cloning is on). */
export const CLONE_STEP = 'clone';

/** Image of the clone step on every platform (`DRONE_RUNNER_CLONE_IMAGE` overrides it). */
export const DEFAULT_CLONE_IMAGE = 'drone/git:latest';

/** The drone/git plugin parameters: depth and retries when positive, TLS verification switch. */
export function cloneParams(clone: Partial<Clone>): Record<string, string> {
  const env: Record<string, string> = {};
  if ((clone.depth ?? 0) > 0) env.PLUGIN_DEPTH = String(clone.depth);
  if ((clone.retries ?? 0) > 0) env.PLUGIN_RETRIES = String(clone.retries);
  if (clone.skip_verify) {
    env.GIT_SSL_NO_VERIFY = 'true';
    env.PLUGIN_SKIP_VERIFY = 'true';
  }
  return env;
}

/** What Hangar's built-in clone needs to know. */
export function cloneSpecOf(clone: Partial<Clone>): CloneSpec {
  return {
    depth: Math.max(0, clone.depth ?? 0),
    retries: Math.max(0, clone.retries ?? 0),
    skipVerify: clone.skip_verify ?? false,
    trace: clone.trace ?? false,
  };
}
