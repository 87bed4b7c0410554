// A compiled stage: everything an engine needs to run it, and nothing about YAML. It is plain JSON
// (no classes, no functions) so it can be logged, diffed against goldens and sent over the wire.
// Secrets appear only by name; the runner resolves them right before a step starts.

export type RunPolicy = 'on-success' | 'on-failure' | 'always' | 'never';
export type ErrPolicy = 'fail' | 'fail-fast' | 'ignore';
export type PullPolicy = 'default' | 'always' | 'if-not-exists' | 'never';

/** An environment variable whose value is the named secret's (masked in logs). */
export interface SecretRef {
  /** Secret name as written in `from_secret`. */
  name: string;
  /** Environment variable that receives the value. */
  env: string;
}

/** What the clone step must fetch; the engine performs it with Hangar's built-in clone. */
export interface CloneSpec {
  depth: number;
  retries: number;
  skipVerify: boolean;
  trace: boolean;
}

export interface PlanStep {
  /** Unique within the stage; also the network alias of the container. */
  name: string;
  /** Stable, engine-friendly id (letters, digits, dashes). */
  id: string;
  image: string;
  pull: PullPolicy;
  /** Original `commands` after `${VAR}` substitution (for display; the script is in the env). */
  commands: string[];
  entrypoint: string[];
  command: string[];
  /** This step's own plain (non-secret) variables; they override `Plan.environment`. */
  environment: Record<string, string>;
  secrets: SecretRef[];
  runPolicy: RunPolicy;
  errPolicy: ErrPolicy;
  dependsOn: string[];
  detach: boolean;
  /** True for services (declared under `services:`). */
  service: boolean;
  /** Set for the clone step. */
  clone?: CloneSpec;
  privileged: boolean;
  user: string;
  workingDir: string;
  volumes: { name: string; path: string }[];
  devices: { name: string; path: string }[];
  networkMode: string;
  dns: string[];
  dnsSearch: string[];
  extraHosts: string[];
  shmSize: number;
  memLimit: number;
  memswapLimit: number;
  /** CFS quota in microseconds per period (runner DRONE_CPU_QUOTA); absent or 0 = none. */
  cpuQuota?: number;
  /** CFS period in microseconds (runner DRONE_CPU_PERIOD); absent or 0 = Docker's default. */
  cpuPeriod?: number;
  /** Relative CPU weight (runner DRONE_CPU_SHARES); absent or 0 = Docker's default. */
  cpuShares?: number;
  /** CPUs the step may run on, each `N` or `N-M` (runner DRONE_CPU_SET). */
  cpuSet?: string[];
  /**
   * Existing networks the container joins besides the stage network, with alias = network name
   * (runner DRONE_RUNNER_NETWORKS); not joined when `networkMode` is set.
   */
  networks?: string[];
  /** Shell for exec/ssh steps (`/bin/sh` by default). */
  shell: string;
  /** Per-step timeout in seconds; 0 = only the stage timeout applies. */
  timeout: number;
  /** Pull secret names (docker `config.json` contents) usable for this step's image. */
  pullSecrets: string[];
  /**
   * True when the step receives the build's netrc credentials (docker: the `DRONE_NETRC_*` variables,
   * see `netrcEnviron` in spec/environ; exec: `$HOME/.netrc`). The credentials never enter the plan.
   */
  netrc?: boolean;
}

export type PlanVolume =
  | { name: string; kind: 'temp'; medium: string; sizeLimit: number }
  | { name: string; kind: 'host'; path: string; readOnly?: boolean };

/** One compiled stage. */
export interface Plan {
  /** Stage-unique id used to name and label engine resources. */
  id: string;
  /** Pipeline type: `docker`, `exec`, … — chooses the engine. */
  type: string;
  name: string;
  platform: { os: string; arch: string; variant: string; version: string };
  workspace: { base: string; path: string; full: string };
  /**
   * Plain variables every step gets (pipeline `environment`, every `DRONE_*`/`CI_*` variable known at
   * compile time, workspace variables); kept once per stage rather than copied into each step.
   */
  environment: Record<string, string>;
  volumes: PlanVolume[];
  /** Driver options of the stage network (runner DRONE_RUNNER_NETWORK_OPTS). */
  networkOptions?: Record<string, string>;
  /** Every step in execution order: clone, services, steps. Steps left out by `when` are absent. */
  steps: PlanStep[];
  /** Stage timeout in seconds. */
  timeout: number;
  /** Secret names referenced anywhere in the stage (their values are masked in every step). */
  secretNames: string[];
  /** Engine resource labels (repo, build, stage) for cleanup and inspection. */
  labels: Record<string, string>;
}
