// The JSON the REST API answers (drone-reference.md §5.1, src/server/http/api/present.ts and
// builds-present.ts): Drone's field names; fields Go leaves out when empty are optional here.

/** A build, stage or step status. */
export type Status =
  | 'pending'
  | 'running'
  | 'success'
  | 'failure'
  | 'killed'
  | 'error'
  | 'skipped'
  | 'blocked'
  | 'declined'
  | 'waiting_on_dependencies';

export interface User {
  id: number;
  login: string;
  email: string;
  machine: boolean;
  admin: boolean;
  active: boolean;
  avatar: string;
  created: number;
  updated: number;
  last_login: number;
}

export interface Permissions {
  read: boolean;
  write: boolean;
  admin: boolean;
}

export interface Repo {
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
  visibility: 'public' | 'private' | 'internal';
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
  throttle?: number;
  counter: number;
  created: number;
  updated: number;
  version: number;
  archived?: boolean;
  build?: Build;
  permissions?: Permissions;
}

export interface Build {
  id: number;
  repo_id: number;
  trigger: string;
  number: number;
  parent?: number;
  status: Status;
  error?: string;
  event: string;
  action: string;
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
}

export interface Stage {
  id: number;
  repo_id: number;
  build_id: number;
  number: number;
  name: string;
  kind?: string;
  type?: string;
  status: Status;
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

export interface Step {
  id: number;
  /** Drone's quirk: the id of the step's stage. */
  step_id: number;
  number: number;
  name: string;
  status: Status;
  error?: string;
  errignore?: boolean;
  exit_code: number;
  started?: number;
  stopped?: number;
  version: number;
  depends_on?: string[];
  image?: string;
  detached?: boolean;
}

/** One log line: `pos` counts from 0, `time` is seconds since the step started logging. */
export interface Line {
  pos: number;
  out: string;
  time: number;
}

/** A runner as the pending-stage explanation shows it. */
export interface RunnerView {
  name: string;
  kind: string;
  type: string;
  os: string;
  arch: string;
  variant: string;
  kernel: string;
  labels: Record<string, string>;
  last_seen: number;
  /** Requests of it waiting for work right now. */
  waiting: number;
  /** Incomplete stages it holds. */
  busy: number;
  matches: boolean;
  mismatch?: string;
}

/** What a stage waits for (`GET …/builds/{n}/stages/{stage}/pending`). */
export interface PendingExplanation {
  stage: { id: number; number: number; name: string; status: string; machine?: string };
  summary: string;
  reasons: string[];
  /** Dispatchable stages ahead of this one. */
  ahead?: number;
  runners: RunnerView[];
}

export interface Secret {
  id: number;
  repo_id: number;
  namespace: string;
  name: string;
  type: string;
  pull_request: boolean;
  pull_request_push: boolean;
}

export interface Cron {
  id: number;
  repo_id: number;
  name: string;
  expr: string;
  next: number;
  prev: number;
  event: string;
  branch: string;
  target: string;
  disabled: boolean;
  created: number;
  updated: number;
  version: number;
}
