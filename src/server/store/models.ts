// The records the store hands out: one interface per table, with Drone's field names (snake_case,
// drone-reference.md §5.1, §2.2) so the REST and RPC layers can serialise them with little mapping.
// Booleans are booleans and JSON columns are parsed here; on disk they are 0/1 integers and text
// (see codec.ts), which keeps rows identical on SQLite and PostgreSQL. Times are unix seconds.

/** Drone's build/stage/step statuses (§5.1). */
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

/** Statuses of a build or stage that the queue still has to handle: Drone's "incomplete". */
export const incompleteStatuses: readonly Status[] = ['pending', 'running'];

export interface User {
  id: number;
  login: string;
  email: string;
  /** A machine (bot) account. */
  machine: boolean;
  admin: boolean;
  active: boolean;
  avatar: string;
  syncing: boolean;
  synced: number;
  created: number;
  updated: number;
  last_login: number;
  /** sha256 (hex) of the user's API token; the token itself is never stored. '' = no token. */
  token_hash: string;
  /** SCM OAuth credentials of the user (for config fetches, netrc, repo sync). */
  oauth_token: string;
  oauth_refresh: string;
  oauth_expiry: number;
}

export interface Repo {
  id: number;
  /** The SCM's id of the repository. */
  uid: string;
  /** Owner of the repo in Hangar: the user whose SCM credentials are used for it. */
  user_id: number;
  namespace: string;
  name: string;
  /** `namespace/name`. */
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
  /** Minutes. */
  timeout: number;
  /** Max incomplete stages of this repo (0 = unlimited); admin only. */
  throttle: number;
  /** Last build number handed out. */
  counter: number;
  synced: number;
  created: number;
  updated: number;
  version: number;
  archived: boolean;
  /** Webhook HMAC secret. Hidden from API responses. */
  signer: string;
  /** Repo encryption/signing key. Hidden from API responses (sent to runners only). */
  secret: string;
}

/** A user's access to a repo, cached from the SCM. */
export interface Perm {
  user_id: number;
  repo_id: number;
  read: boolean;
  write: boolean;
  admin: boolean;
  synced: number;
  created: number;
  updated: number;
}

export interface Build {
  id: number;
  repo_id: number;
  /** `@hook`, `@cron` or the login of the user who started it. */
  trigger: string;
  number: number;
  parent: number;
  status: Status;
  error: string;
  event: string;
  action: string;
  link: string;
  timestamp: number;
  title: string;
  message: string;
  before: string;
  after: string;
  ref: string;
  /** Fork slug of a pull request. */
  source_repo: string;
  source: string;
  target: string;
  author_login: string;
  author_name: string;
  author_email: string;
  author_avatar: string;
  sender: string;
  params: Record<string, string>;
  cron: string;
  deploy_to: string;
  deploy_id: number;
  debug: boolean;
  /** Files changed by the build's commits; null = unknown. */
  changed_files: string[] | null;
  started: number;
  finished: number;
  created: number;
  updated: number;
  version: number;
}

export interface Stage {
  id: number;
  repo_id: number;
  build_id: number;
  number: number;
  name: string;
  kind: string;
  type: string;
  status: Status;
  error: string;
  errignore: boolean;
  exit_code: number;
  /** Runner name that accepted the stage ('' = not accepted). */
  machine: string;
  os: string;
  arch: string;
  variant: string;
  kernel: string;
  /** Pipeline `concurrency.limit` (0 = none). */
  limit: number;
  /** Repo throttle copied at build creation (Drone's `limit_repo`). */
  throttle: number;
  started: number;
  stopped: number;
  created: number;
  updated: number;
  version: number;
  on_success: boolean;
  on_failure: boolean;
  depends_on: string[];
  labels: Record<string, string>;
  /** Hangar: unix time when the owning runner's lease runs out (0 = no lease). */
  lease_expires: number;
  /** Hangar: identity of the runner process holding the lease ('' = none). */
  runner: string;
}

export interface Step {
  id: number;
  stage_id: number;
  number: number;
  name: string;
  status: Status;
  error: string;
  errignore: boolean;
  exit_code: number;
  started: number;
  stopped: number;
  version: number;
  depends_on: string[];
  image: string;
  detached: boolean;
  /** Card schema URL, set when the step emitted an adaptive card. */
  schema: string;
}

/** A live log line (Drone's Line): `time` is seconds since the step's log writer started. */
export interface Line {
  pos: number;
  out: string;
  time: number;
}

export interface Secret {
  id: number;
  /** 0 for an organisation (namespace) secret. */
  repo_id: number;
  namespace: string;
  name: string;
  type: string;
  /** The encrypted value (the secrets service seals/opens it). */
  data: Buffer;
  pull_request: boolean;
  pull_request_push: boolean;
  created: number;
  updated: number;
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

/** A runner the server has seen (Hangar: liveness and the admin view). */
export interface Runner {
  id: number;
  name: string;
  kind: string;
  type: string;
  os: string;
  arch: string;
  variant: string;
  kernel: string;
  labels: Record<string, string>;
  capacity: number;
  /** Runner software version, as reported. */
  version: string;
  last_seen: number;
  created: number;
}

/** The latest build per branch, pull request or deployment target of a repo (Drone's `latest`). */
export interface Latest {
  repo_id: number;
  type: 'branch' | 'pull_request' | 'deployment';
  name: string;
  build_id: number;
  created: number;
  updated: number;
}
