// Plans, steps and a run helper for the Docker engine tests, plus the offline test images (built on
// first use by scripts/test-images.sh, which is idempotent and locked against parallel runs).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { DockerEngine, type DockerEngineOptions } from '../../src/engine/docker/index.js';
import type { StepExit, StepRunOptions } from '../../src/engine/engine.js';
import type { Plan, PlanStep } from '../../src/spec/plan.js';
import { repoRoot } from '../support/compat.js';
import { dockerSkip, dockerSocket } from '../support/docker.js';
import { planStep } from '../support/plan-step.js';

export { dockerSkip, dockerSocket };

/** The busybox test image (sh, echo, httpd, nc, wget, …). */
export const IMAGE = 'hangar-test/busybox:1';

/** A Docker client on the test socket. */
export const docker = new Docker({ socketPath: dockerSocket, version: 'v1.41' });

let imagesReady: Promise<void> | undefined;

/** Builds the offline test images once per process when they are missing. */
export function ensureTestImages(): Promise<void> {
  imagesReady ??= Promise.all([
    docker.getImage(IMAGE).inspect(),
    docker.getImage('hangar-test/redis:1').inspect(),
  ]).then(
    () => undefined,
    () => {
      execFileSync('bash', [`${repoRoot}/scripts/test-images.sh`], { stdio: 'inherit' });
    },
  );
  return imagesReady;
}

/** An engine on the test socket with a short kill grace. */
export function engine(over: DockerEngineOptions = {}): DockerEngine {
  return new DockerEngine({ socketPath: dockerSocket, killGraceMs: 500, cloneRetryDelayMs: 10, ...over });
}

/** A docker step with Drone's defaults running `script` with /bin/sh in the test image. */
export function step(name: string, script: string | null, over: Partial<PlanStep> = {}): PlanStep {
  const run = script === null ? {} : { commands: [script], entrypoint: ['/bin/sh', '-c'], command: [script] };
  return planStep(name, { image: IMAGE, pull: 'if-not-exists', workingDir: '/drone/src', ...run, ...over });
}

/** A docker stage with a unique id (tests run in parallel with other suites). */
export function plan(steps: PlanStep[], over: Partial<Plan> = {}): Plan {
  return {
    id: `t-${process.pid}-${randomBytes(4).toString('hex')}`,
    type: 'docker',
    name: 'default',
    platform: { os: 'linux', arch: 'amd64', variant: '', version: '' },
    workspace: { base: '/drone/src', path: '', full: '/drone/src' },
    environment: {},
    volumes: [],
    steps,
    timeout: 3600,
    secretNames: [],
    labels: { 'io.hangar.test': 'docker-engine' },
    ...over,
  };
}

/** The result of a step run, with everything it printed. */
export interface Run extends StepExit {
  output: string;
}

/** Runs `s` on `e` collecting its output. */
export async function run(
  e: DockerEngine,
  p: Plan,
  s: PlanStep,
  over: Partial<StepRunOptions> & { onOutput?: (all: string) => void } = {},
): Promise<Run> {
  let output = '';
  const res = await e.runStep(p, s, {
    env: s.environment,
    signal: new AbortController().signal,
    registries: [],
    ...over,
    output: (c) => {
      output += c;
      over.onOutput?.(output);
    },
  });
  return { ...res, output };
}

/** Everything labelled with the stage id that still exists in Docker. */
export async function leftovers(
  planId: string,
): Promise<{ containers: number; volumes: number; networks: number }> {
  const filters = { label: [`io.hangar.stage=${planId}`] };
  const [c, v, n] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listVolumes({ filters }),
    docker.listNetworks({ filters }),
  ]);
  return { containers: c.length, volumes: v.Volumes?.length ?? 0, networks: n.length };
}
