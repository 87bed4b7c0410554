// What is known about a build when its configuration is evaluated: the inputs of conditions,
// `${VAR}` substitution, the `DRONE_*` environment and compilation. Times are unix seconds.
// Field names follow Drone's Repo/Build/Stage JSON (drone-reference.md §5.1), camel-cased.

export interface RepoInfo {
  /** `owner/name`. */
  slug: string;
  namespace: string;
  name: string;
  scm: string;
  link: string;
  /** Default branch. */
  branch: string;
  httpUrl: string;
  sshUrl: string;
  private: boolean;
  visibility: 'public' | 'private' | 'internal';
  trusted: boolean;
  protected: boolean;
  /** Minutes. */
  timeout: number;
  configPath: string;
}

export interface BuildInfo {
  number: number;
  parent: number;
  status: string;
  event: string;
  action: string;
  /** `@hook`, `@cron` or the login of the user who started it. */
  trigger: string;
  link: string;
  ref: string;
  /** Source branch (PR head). */
  source: string;
  /** Target branch: the pushed branch, or the PR's base branch. */
  target: string;
  /** Fork slug of a pull request (`source_repo`). */
  sourceRepo: string;
  before: string;
  after: string;
  title: string;
  message: string;
  authorLogin: string;
  authorName: string;
  authorEmail: string;
  authorAvatar: string;
  sender: string;
  deployTo: string;
  deployId: number;
  cron: string;
  debug: boolean;
  params: Record<string, string>;
  created: number;
  started: number;
  finished: number;
  /** Names of failed stages so far (for `DRONE_FAILED_STAGES`). */
  failedStages: string[];
  /** Files changed by the build's commits; undefined when not known (then `paths` conditions match). */
  changedFiles?: string[];
}

export interface StageInfo {
  name: string;
  number: number;
  kind: string;
  type: string;
  os: string;
  arch: string;
  variant: string;
  /** `platform.version` (Windows kernel). */
  kernel: string;
  machine: string;
  status: string;
  started: number;
  finished: number;
  dependsOn: string[];
  /** Names of failed steps so far (for `DRONE_FAILED_STEPS`). */
  failedSteps: string[];
}

export interface SystemInfo {
  proto: string;
  host: string;
  hostname: string;
  version: string;
}

export interface Netrc {
  machine: string;
  login: string;
  password: string;
}

/** Everything the pipeline language needs to know about one build. */
export interface BuildContext {
  repo: RepoInfo;
  build: BuildInfo;
  stage: StageInfo;
  system: SystemInfo;
  netrc?: Netrc;
}

/** The values a `when`/`trigger` condition is tested against (drone-reference.md §3.5). */
export interface MatchContext {
  branch: string;
  event: string;
  ref: string;
  repo: string;
  target: string;
  instance: string;
  cron: string;
  action: string;
  /** Changed files; undefined = unknown, in which case `paths` matches. */
  paths?: string[];
}

/** The match values Drone uses for a build (branch is the build's target branch). */
export function matchContextOf(ctx: BuildContext): MatchContext {
  const m: MatchContext = {
    branch: ctx.build.target,
    event: ctx.build.event,
    ref: ctx.build.ref,
    repo: ctx.repo.slug,
    target: ctx.build.deployTo,
    instance: ctx.system.host,
    cron: ctx.build.cron,
    action: ctx.build.action,
  };
  if (ctx.build.changedFiles) m.paths = ctx.build.changedFiles;
  return m;
}

/** A context with Drone's zero values, for callers that know only part of a build. */
export function emptyContext(): BuildContext {
  return {
    repo: {
      slug: '',
      namespace: '',
      name: '',
      scm: '',
      link: '',
      branch: 'main',
      httpUrl: '',
      sshUrl: '',
      private: false,
      visibility: 'public',
      trusted: false,
      protected: false,
      timeout: 60,
      configPath: '.drone.yml',
    },
    build: {
      number: 0,
      parent: 0,
      status: 'pending',
      event: 'push',
      action: '',
      trigger: '',
      link: '',
      ref: '',
      source: '',
      target: '',
      sourceRepo: '',
      before: '',
      after: '',
      title: '',
      message: '',
      authorLogin: '',
      authorName: '',
      authorEmail: '',
      authorAvatar: '',
      sender: '',
      deployTo: '',
      deployId: 0,
      cron: '',
      debug: false,
      params: {},
      created: 0,
      started: 0,
      finished: 0,
      failedStages: [],
    },
    stage: {
      name: 'default',
      number: 1,
      kind: 'pipeline',
      type: 'docker',
      os: 'linux',
      arch: 'amd64',
      variant: '',
      kernel: '',
      machine: '',
      status: 'pending',
      started: 0,
      finished: 0,
      dependsOn: [],
      failedSteps: [],
    },
    system: { proto: 'http', host: '', hostname: '', version: '' },
  };
}
