// The environment a step starts with: the plan's env, then the live build/stage/step values that
// Drone re-applies at execution time (drone-reference.md §4.6), the netrc variables for steps that get
// them, then secret values (appended last).
import type { Netrc } from '../../spec/context.js';
import { netrcEnviron } from '../../spec/environ/environ.js';
import type { PlanStep } from '../../spec/plan.js';

/** What the executor knows about the stage when a step starts. */
export interface LiveState {
  failing: boolean;
  failedSteps: string[];
  /** Unix seconds. */
  stageStarted: number;
  now: number;
}

/** Looks secrets up by name, case-insensitively (as Drone does). */
export function secretLookup(secrets: Record<string, string>): (name: string) => string | undefined {
  const byName = new Map<string, string>();
  for (const [k, v] of Object.entries(secrets)) byName.set(k.toLowerCase(), v);
  return (name) => byName.get(name.toLowerCase());
}

/** The final environment of a step. */
export function stepEnvironment(
  stageEnv: Record<string, string>,
  step: PlanStep,
  number: number,
  live: LiveState,
  secret: (name: string) => string | undefined,
  netrc?: Netrc,
): Record<string, string> {
  const env: Record<string, string> = { ...stageEnv, ...step.environment };
  const failure = live.failing ? 'failure' : undefined;
  env.DRONE_BUILD_STATUS = failure ?? (env.DRONE_BUILD_STATUS || 'success');
  env.DRONE_STAGE_STATUS = failure ?? 'success';
  if (live.failing) env.DRONE_FAILED_STEPS = live.failedSteps.join(',');
  env.DRONE_STEP_NAME = step.name;
  env.DRONE_STEP_NUMBER = String(number);
  if (live.stageStarted > 0) env.DRONE_STAGE_STARTED = String(live.stageStarted);
  // Drone fills unfinished times with "now".
  env.DRONE_STAGE_FINISHED = String(live.now);
  env.DRONE_BUILD_FINISHED = String(live.now);
  if (step.netrc) Object.assign(env, netrcEnviron(netrc));
  for (const ref of step.secrets) {
    const value = secret(ref.name);
    if (value !== undefined) env[ref.env] = value;
  }
  return env;
}
