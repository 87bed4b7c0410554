// Builds Plans directly for engine and executor tests (no YAML compiler involved).
import type { Plan, PlanStep } from '../../../src/spec/plan.js';
import { planStep } from '../../support/plan-step.js';

let counter = 0;

/** A step with Drone's defaults; `name` is required, the rest may be overridden. */
export const step = planStep;

/** A clone step as the compiler makes it (run policy always). */
export function cloneStep(over: Partial<PlanStep> = {}): PlanStep {
  return step('clone', {
    runPolicy: 'always',
    clone: { depth: 0, retries: 0, skipVerify: false, trace: false },
    ...over,
  });
}

/** An exec stage of the given steps. */
export function plan(steps: PlanStep[], over: Partial<Plan> = {}): Plan {
  counter++;
  return {
    id: `test-${process.pid}-${counter}`,
    type: 'exec',
    name: 'default',
    platform: { os: 'linux', arch: 'amd64', variant: '', version: '' },
    workspace: { base: '/drone/src', path: '', full: '/drone/src' },
    environment: {},
    volumes: [],
    steps,
    timeout: 3600,
    secretNames: [],
    labels: {},
    ...over,
  };
}
