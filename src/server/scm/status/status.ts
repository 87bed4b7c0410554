// SCM commit statuses (drone service/status, drone-reference.md §5.8): the context, state and
// description a build's status maps to, and the interface the trigger and API report through.
import type { Build, Repo, User } from '../../store/models.js';

/** go-scm's commit states. */
export type ScmState = 'pending' | 'running' | 'success' | 'failure' | 'canceled' | 'error' | 'unknown';

/** One commit status, ready to send. */
export interface CommitStatus {
  /** `owner/name`. */
  slug: string;
  /** The commit the status is attached to. */
  sha: string;
  /** `continuous-integration/drone/push` etc. */
  context: string;
  state: ScmState;
  description: string;
  /** `Build #N`. */
  title: string;
  /** Link to the build in Hangar. */
  target: string;
}

/** Sends a build's status to its SCM (Drone's StatusService). */
export interface StatusService {
  send(input: { repo: Repo; build: Build; owner?: User }): Promise<void>;
}

/** What statuses are named and linked to. */
export interface StatusOptions {
  /** DRONE_STATUS_NAME; default `continuous-integration/drone`. */
  name?: string;
  /** Public link of the server (`https://ci.example.com`). */
  link: string;
  /** DRONE_STATUS_DISABLED. */
  disabled?: boolean;
}

/** gosimple/slug as Drone uses it for deploy targets: lower case, runs of other characters → `-`. */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
}

/** The status context of a build (createLabel). */
export function statusContext(name: string | undefined, event: string, deployTo = ''): string {
  const base = name || 'continuous-integration/drone';
  switch (event) {
    case 'push':
      return `${base}/push`;
    case 'pull_request':
      return `${base}/pr`;
    case 'tag':
      return `${base}/tag`;
    case 'promote':
      return `${base}/promote/${slugify(deployTo)}`;
    default:
      return base;
  }
}

/** The description of a build status (createDesc). */
export function statusDescription(status: string): string {
  switch (status) {
    case 'blocked':
      return 'Build is pending approval';
    case 'declined':
      return 'Build was declined';
    case 'error':
      return 'Build encountered an error';
    case 'failure':
      return 'Build is failing';
    case 'killed':
      return 'Build was killed';
    case 'success':
      return 'Build is passing';
    case 'waiting_on_dependencies':
    case 'pending':
      return 'Build is pending';
    case 'running':
      return 'Build is running';
    case 'skipped':
      return 'Build was skipped';
    default:
      return 'Build is in an unknown state';
  }
}

/** The SCM state of a build status (convertStatus). */
export function statusState(status: string): ScmState {
  switch (status) {
    case 'blocked':
    case 'pending':
    case 'running':
    case 'waiting_on_dependencies':
      return 'pending';
    case 'declined':
    case 'killed':
      return 'canceled';
    case 'error':
      return 'error';
    case 'failure':
      return 'failure';
    case 'success':
      return 'success';
    default:
      return 'unknown';
  }
}

/**
 * The status a build reports, or undefined when it reports none (cron builds, statuses disabled,
 * no commit to attach it to).
 */
export function commitStatusOf(repo: Repo, build: Build, options: StatusOptions): CommitStatus | undefined {
  if (options.disabled || build.event === 'cron' || build.after === '') return undefined;
  return {
    slug: repo.slug,
    sha: build.after,
    context: statusContext(options.name, build.event, build.deploy_to),
    state: statusState(build.status),
    description: statusDescription(build.status),
    title: `Build #${build.number}`,
    target: `${options.link.replace(/\/+$/, '')}/${repo.slug}/${build.number}`,
  };
}

/** Keeps every status it is given, in order (tests; a server with no SCM to report to). */
export class StatusRecorder implements StatusService {
  readonly sent: CommitStatus[] = [];
  constructor(private readonly options: StatusOptions) {}
  async send(input: { repo: Repo; build: Build }): Promise<void> {
    const status = commitStatusOf(input.repo, input.build, this.options);
    if (status) this.sent.push(status);
  }
}
