// A PlanStep with the compiler's defaults, for tests that build plans directly (no YAML involved).
import type { PlanStep } from '../../src/spec/plan.js';

/** A step with Drone's defaults; `name` is required, the rest may be overridden. */
export function planStep(name: string, over: Partial<PlanStep> = {}): PlanStep {
  return {
    name,
    id: name.replace(/[^\w-]/g, '-'),
    image: '',
    pull: 'default',
    commands: [],
    entrypoint: [],
    command: [],
    environment: {},
    secrets: [],
    runPolicy: 'on-success',
    errPolicy: 'fail',
    dependsOn: [],
    detach: false,
    service: false,
    privileged: false,
    user: '',
    workingDir: '',
    volumes: [],
    devices: [],
    networkMode: '',
    dns: [],
    dnsSearch: [],
    extraHosts: [],
    shmSize: 0,
    memLimit: 0,
    memswapLimit: 0,
    shell: '/bin/sh',
    timeout: 0,
    pullSecrets: [],
    ...over,
  };
}
