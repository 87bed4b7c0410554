// Runner-wide settings of Drone's docker runner that reach every container of a docker stage
// (drone-reference.md §4.9; drone-runner-docker `compiler.Compile`, after the steps are built):
// extra networks, bind mounts and CPU limits go to every step — clone and services included — and
// whatever a step's YAML says about them, and the stage network gets the driver options. Memory and
// shm defaults are applied where each step is built, because there the YAML value wins.
import type { Plan, PlanStep, PlanVolume } from '../plan.js';

/** A bind mount into every step (DRONE_RUNNER_VOLUMES `src:dst[:ro]`). */
export interface RunnerVolume {
  /** Host path (or a Docker volume name, which Docker creates on first use). */
  source: string;
  /** Path inside the container. */
  target: string;
  readOnly: boolean;
}

/** A host device given to every step (DRONE_RUNNER_DEVICES `/dev/x[:/dev/y]`). */
export interface RunnerDevice {
  host: string;
  container: string;
}

/** Container resource limits of every step; zero or empty leaves Docker's default. */
export interface RunnerResources {
  /** Bytes (DRONE_MEMORY_LIMIT); a step's `mem_limit` wins. */
  memLimit?: number;
  /** Bytes, -1 = unlimited swap (DRONE_MEMORY_SWAP_LIMIT); a step's `memswap_limit` wins. */
  memswapLimit?: number;
  /** Bytes of /dev/shm (DRONE_SHM_SIZE); a step's `shm_size` wins. */
  shmSize?: number;
  /** Microseconds per period (DRONE_CPU_QUOTA). */
  cpuQuota?: number;
  /** Microseconds (DRONE_CPU_PERIOD). */
  cpuPeriod?: number;
  /** Relative weight (DRONE_CPU_SHARES). */
  cpuShares?: number;
  /** CPUs, each `N` or `N-M` (DRONE_CPU_SET). */
  cpuSet?: string[];
}

/** What the runner adds to every container of a docker stage. */
export interface RunnerStageSettings {
  networks?: string[];
  networkOptions?: Record<string, string>;
  volumes?: RunnerVolume[];
  devices?: RunnerDevice[];
  resources?: RunnerResources;
}

/** Plan volume name of the runner's n-th bind mount (the `_` keeps it apart from YAML names). */
export function runnerVolumeName(n: number): string {
  return `_runner_volume_${n}`;
}

/** Plan volume name of the runner's n-th device. */
export function runnerDeviceName(n: number): string {
  return `_runner_device_${n}`;
}

function cpuLimits(steps: PlanStep[], r: RunnerResources): void {
  for (const step of steps) {
    if ((r.cpuQuota ?? 0) > 0) step.cpuQuota = r.cpuQuota;
    if ((r.cpuPeriod ?? 0) > 0) step.cpuPeriod = r.cpuPeriod;
    if ((r.cpuShares ?? 0) > 0) step.cpuShares = r.cpuShares;
    if ((r.cpuSet ?? []).length > 0) step.cpuSet = [...(r.cpuSet ?? [])];
  }
}

/** Adds the runner's networks, mounts, devices and CPU limits to every step of a docker plan. */
export function applyRunnerSettings(plan: Plan, s: RunnerStageSettings): void {
  const volumes: PlanVolume[] = [];
  (s.volumes ?? []).forEach((v, i) => {
    const name = runnerVolumeName(i + 1);
    volumes.push({ name, kind: 'host', path: v.source, ...(v.readOnly ? { readOnly: true } : {}) });
    for (const step of plan.steps) step.volumes.push({ name, path: v.target });
  });
  (s.devices ?? []).forEach((d, i) => {
    const name = runnerDeviceName(i + 1);
    volumes.push({ name, kind: 'host', path: d.host });
    for (const step of plan.steps) step.devices.push({ name, path: d.container });
  });
  plan.volumes.unshift(...volumes);
  if ((s.networks ?? []).length > 0) {
    for (const step of plan.steps) step.networks = [...(s.networks ?? [])];
  }
  if (s.networkOptions && Object.keys(s.networkOptions).length > 0) {
    plan.networkOptions = { ...s.networkOptions };
  }
  cpuLimits(plan.steps, s.resources ?? {});
}
