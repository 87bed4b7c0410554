// The typed form of a `.drone.yml` file: what the parser produces from the YAML documents, with
// Drone's field names (snake_case, as users write them) so that a resource can be printed back as the
// user would recognise it. Defaults are applied by the parser (see drone-reference.md §3.2–§3.3).

/** One include/exclude glob list of a condition (`branch: [a, b]` is an include list). */
export interface Condition {
  include: string[];
  exclude: string[];
}

/** The keys of a `when` or `trigger` block. A missing key matches everything. */
export interface Conditions {
  branch?: Condition;
  event?: Condition;
  ref?: Condition;
  repo?: Condition;
  status?: Condition;
  target?: Condition;
  instance?: Condition;
  cron?: Condition;
  action?: Condition;
  /** Hangar extension (Drone parses but never evaluates it): globs over the build's changed files. */
  paths?: Condition;
}

/** A value that is either written in the YAML or taken from a named secret (`{from_secret: NAME}`). */
export type EnvValue = { value: string } | { fromSecret: string };

/** A `settings` value: any YAML value, or a secret reference. */
export type SettingValue = { value: unknown } | { fromSecret: string };

export interface VolumeMount {
  name: string;
  path: string;
}

export interface StepDevice {
  name: string;
  path: string;
}

/** A step or a service of a pipeline (services are steps that run detached). */
export interface Step {
  name: string;
  image: string;
  pull: '' | 'always' | 'never' | 'if-not-exists' | 'default';
  commands: string[];
  entrypoint: string[];
  command: string[];
  environment: Record<string, EnvValue>;
  settings: Record<string, SettingValue>;
  when: Conditions;
  depends_on: string[];
  detach: boolean;
  privileged: boolean;
  /** '' (fail), 'ignore', or 'fast' (also spelled fast-fail / fail-fast in YAML). */
  failure: '' | 'ignore' | 'fast';
  volumes: VolumeMount[];
  devices: StepDevice[];
  network_mode: string;
  dns: string[];
  dns_search: string[];
  extra_hosts: string[];
  /** Bytes; 0 = engine default. */
  shm_size: number;
  /** Bytes; 0 = no limit. */
  mem_limit: number;
  memswap_limit: number;
  user: string;
  working_dir: string;
  shell: string;
  /** Hangar extension: per-step timeout in minutes (0 = only the stage timeout applies). */
  timeout: number;
  /** Image pull secrets of the step (exec/ssh ignore it). */
  image_pull_secrets?: string[];
  /** Kubernetes step resources, kept for routing and display. */
  resources?: unknown;
  /** Ports (services), parsed and otherwise ignored by the docker engine as in Drone. */
  ports?: unknown[];
  /** True for entries of `services:`. */
  service: boolean;
}

export interface Platform {
  os: string;
  arch: string;
  variant: string;
  version: string;
}

export interface Workspace {
  base: string;
  path: string;
}

export interface Clone {
  disable: boolean;
  depth: number;
  retries: number;
  skip_verify: boolean;
  trace: boolean;
}

export type PipelineVolume =
  | { name: string; temp: { medium: string; size_limit: number } }
  | { name: string; host: { path: string } }
  /** Kinds other runners define (claim, config_map, secret, …), kept for lint and display. */
  | { name: string; other: string };

/** `kind: pipeline` — one document, compiled into one stage. */
export interface Pipeline {
  kind: 'pipeline';
  /** `docker` by default; `exec`, `kubernetes`, `ssh`, `vm`, … route to other runners. */
  type: string;
  name: string;
  version: string;
  platform: Platform;
  workspace: Workspace;
  clone: Clone;
  steps: Step[];
  services: Step[];
  volumes: PipelineVolume[];
  node: Record<string, string>;
  trigger: Conditions;
  depends_on: string[];
  concurrency: { limit: number };
  image_pull_secrets: string[];
  environment: Record<string, EnvValue>;
  /** `type: ssh`: the server to run on. */
  server?: Record<string, EnvValue>;
  /** Index of the document in the file (0-based), used to point diagnostics at it. */
  docIndex: number;
}

/** `kind: secret` — an encrypted value (`data`) or an external lookup (`get`). */
export interface SecretResource {
  kind: 'secret';
  name: string;
  data: string;
  get?: { path: string; name: string; key: string };
  docIndex: number;
}

/** `kind: signature` — the HMAC of the file's other documents. */
export interface SignatureResource {
  kind: 'signature';
  hmac: string;
  docIndex: number;
}

/** Any other `kind` (cron, registry, template, …), kept so it can be reported and routed. */
export interface OtherResource {
  kind: string;
  name: string;
  docIndex: number;
  raw: Record<string, unknown>;
}

export type Resource = Pipeline | SecretResource | SignatureResource | OtherResource;

/** A parsed configuration file. */
export interface Manifest {
  resources: Resource[];
}
