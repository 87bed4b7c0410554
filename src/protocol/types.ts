// Drone's runner RPC v2 wire shapes (drone-reference.md §2.2), key for key, so that an unmodified
// Drone runner and Hangar's own runner speak to the server the same way. Times are unix seconds.
// Optional keys are the ones Drone omits when empty (`omitempty`).

/** What a runner can run: sent with every `POST /rpc/v2/stage` poll. */
export interface Filter {
  kind: string;
  type: string;
  os: string;
  arch: string;
  variant: string;
  kernel: string;
  labels?: Record<string, string>;
}

/** A step as the runner reports it. `step_id` (sic) holds the STAGE id, as in Drone. */
export interface Step {
  id: number;
  step_id: number;
  number: number;
  name: string;
  status: string;
  error?: string;
  errignore?: boolean;
  exit_code: number;
  started?: number;
  stopped?: number;
  version: number;
  depends_on?: string[];
  image?: string;
  detached?: boolean;
  schema?: string;
}

/** A stage (one pipeline document of a build). */
export interface Stage {
  id: number;
  repo_id: number;
  build_id: number;
  number: number;
  name: string;
  kind?: string;
  type?: string;
  status: string;
  error?: string;
  errignore: boolean;
  exit_code: number;
  machine?: string;
  os: string;
  arch: string;
  variant?: string;
  kernel?: string;
  limit?: number;
  throttle?: number;
  started: number;
  stopped: number;
  created: number;
  updated: number;
  version: number;
  on_success: boolean;
  on_failure: boolean;
  depends_on?: string[];
  labels?: Record<string, string>;
  steps?: Step[];
}

/** One log line: `pos` is the 0-based line index, `time` seconds since the step's log began. */
export interface Line {
  pos: number;
  out: string;
  time: number;
}

/** Repository fields a runner sees (Drone's Repo JSON plus `secret`, the repo's signing/encryption key). */
export interface Repository {
  id: number;
  uid: string;
  user_id: number;
  namespace: string;
  name: string;
  slug: string;
  scm: string;
  git_http_url: string;
  git_ssh_url: string;
  link: string;
  default_branch: string;
  private: boolean;
  visibility: string;
  active: boolean;
  config_path: string;
  trusted: boolean;
  protected: boolean;
  ignore_forks: boolean;
  ignore_pull_requests: boolean;
  auto_cancel_pull_requests: boolean;
  auto_cancel_pushes: boolean;
  auto_cancel_running: boolean;
  timeout: number;
  counter: number;
  synced: number;
  created: number;
  updated: number;
  version: number;
  secret?: string;
}

/** Build fields a runner sees (Drone's Build JSON). */
export interface Build {
  id: number;
  repo_id: number;
  trigger: string;
  number: number;
  parent?: number;
  status: string;
  error?: string;
  event: string;
  action?: string;
  link: string;
  timestamp: number;
  title?: string;
  message: string;
  before: string;
  after: string;
  ref: string;
  source_repo: string;
  source: string;
  target: string;
  author_login: string;
  author_name: string;
  author_email: string;
  author_avatar: string;
  sender: string;
  params?: Record<string, string>;
  cron?: string;
  deploy_to?: string;
  deploy_id?: number;
  debug?: boolean;
  started: number;
  finished: number;
  created: number;
  updated: number;
  version: number;
  stages?: Stage[];
  /** Files changed by the build's commits, when the server knows them (Hangar's; Drone sends none). */
  changed_files?: string[];
}

/** A secret as sent to runners (already filtered for pull requests by the server). */
export interface Secret {
  id?: number;
  repo_id?: number;
  namespace?: string;
  name: string;
  type?: string;
  data: string;
  pull_request: boolean;
  pull_request_push?: boolean;
}

export interface Netrc {
  machine: string;
  login: string;
  password: string;
}

/** `GET /rpc/v2/stage/{id}`: everything a runner needs to run an accepted stage. */
export interface Details {
  repository: Repository;
  build: Build;
  stage: Stage;
  /** A Go `[]byte` struct without JSON tags: capitalised keys, base64 data (Drone's quirk). */
  config: { Data: string; Hash: string | null };
  secrets: Secret[];
  system: { proto: string; host: string; link: string; version: string };
  netrc: Netrc | null;
}

/** `POST /rpc/v2/step/{id}/card`. */
export interface Card {
  schema: string;
  data: unknown;
}

/** The RPC paths (under `/rpc/v2`), one place for client and server. */
export const RPC_PATHS = {
  ping: '/rpc/v2/ping',
  request: '/rpc/v2/stage',
  accept: (stage: number | string, machine: string) =>
    `/rpc/v2/stage/${stage}?machine=${encodeURIComponent(machine)}`,
  details: (stage: number | string) => `/rpc/v2/stage/${stage}`,
  updateStage: (stage: number | string) => `/rpc/v2/stage/${stage}`,
  updateStep: (step: number | string) => `/rpc/v2/step/${step}`,
  watch: (build: number | string) => `/rpc/v2/build/${build}/watch`,
  batch: (step: number | string) => `/rpc/v2/step/${step}/logs/batch`,
  upload: (step: number | string) => `/rpc/v2/step/${step}/logs/upload`,
  card: (step: number | string) => `/rpc/v2/step/${step}/card`,
} as const;

/** Header carrying the shared secret. */
export const TOKEN_HEADER = 'X-Drone-Token';

/**
 * Hangar's extension: a runner's stable self-chosen id, so the server recognises it as the holder of
 * its stages' leases whatever address its requests come from (Drone runners send none).
 */
export const RUNNER_HEADER = 'X-Hangar-Runner';
