// Drone's normalized webhook (core.Hook): what every provider's payload is reduced to before the
// trigger decides whether it becomes a build. Field names are the Build's (drone-reference.md §5.1),
// so a hook maps onto a build row field by field.

/** The SCM providers Hangar reads webhooks from. `local` is Hangar's own git push notifier. */
export type Provider = 'github' | 'gitea' | 'gitlab' | 'local';

export interface Hook {
  /** `@hook`, `@cron`, or the login of the user who asked for the build. */
  trigger: string;
  /** Number of the build this one re-runs or promotes (0 = none). */
  parent: number;
  event: string;
  action: string;
  link: string;
  /** Unix seconds of the commit (or pull request), 0 when unknown. */
  timestamp: number;
  title: string;
  message: string;
  before: string;
  after: string;
  ref: string;
  /** Slug of the repository a pull request comes from (Drone's `fork`). */
  source_repo: string;
  source: string;
  target: string;
  author_login: string;
  author_name: string;
  author_email: string;
  author_avatar: string;
  sender: string;
  deploy_to: string;
  deploy_id: number;
  cron: string;
  debug: boolean;
  params: Record<string, string>;
  /** Files the pushed commits touched, when the payload lists them; undefined = unknown. */
  changed_files?: string[];
}

/** The repository a webhook names, as the payload describes it. */
export interface HookRepo {
  /** The SCM's id of the repository ('' when the payload has none). */
  uid: string;
  namespace: string;
  name: string;
  slug: string;
  git_http_url: string;
  git_ssh_url: string;
  link: string;
  default_branch: string;
  private: boolean;
}

/** A hook with Drone's zero values, overlaid with `fields`. */
export function newHook(fields: Partial<Hook> = {}): Hook {
  return {
    trigger: '@hook',
    parent: 0,
    event: '',
    action: '',
    link: '',
    timestamp: 0,
    title: '',
    message: '',
    before: '',
    after: '',
    ref: '',
    source_repo: '',
    source: '',
    target: '',
    author_login: '',
    author_name: '',
    author_email: '',
    author_avatar: '',
    sender: '',
    deploy_to: '',
    deploy_id: 0,
    cron: '',
    debug: false,
    params: {},
    ...fields,
  };
}

/** Why a webhook was answered without a build, though it was understood and authentic. */
export type IgnoreReason =
  | 'unknown_event'
  | 'unsupported_action'
  | 'ref_deleted'
  | 'pull_request_closed'
  | 'tag_via_push';

/**
 * What a webhook means: a hook to build, or a reason to do nothing. `cleanup` names the entry of
 * the "latest build per branch / pull request" index that a deleted branch or closed pull request
 * retires.
 */
export type WebhookOutcome =
  | { kind: 'build'; provider: Provider; hook: Hook; repo: HookRepo }
  | {
      kind: 'ignored';
      provider: Provider;
      reason: IgnoreReason;
      detail: string;
      repo?: HookRepo;
      cleanup?: { type: 'branch' | 'pull_request'; name: string };
    };

/** Why a webhook was refused (answered 4xx, nothing written). */
export type WebhookErrorReason =
  | 'unknown_provider'
  | 'malformed'
  | 'missing_signature'
  | 'bad_signature'
  | 'unknown_repo'
  | 'wrong_provider';

/** A webhook the server refuses. The message is safe to send back: it never holds the secret. */
export class WebhookError extends Error {
  override name = 'WebhookError';
  constructor(
    readonly reason: WebhookErrorReason,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}

/** The all-zero sha GitHub, Gitea and GitLab send for the missing side of a created or deleted ref. */
export const EMPTY_COMMIT = '0000000000000000000000000000000000000000';

/** True for a sha made of zeros only (a ref created from nothing or deleted). */
export function isEmptyCommit(sha: string): boolean {
  return /^0+$/.test(sha);
}

/** `refs/heads/main` → `main`, `refs/tags/v1` → `v1`; anything else unchanged (go-scm TrimRef). */
export function trimRef(ref: string): string {
  if (ref.startsWith('refs/heads/')) return ref.slice('refs/heads/'.length);
  if (ref.startsWith('refs/tags/')) return ref.slice('refs/tags/'.length);
  return ref;
}

/** `main` → `refs/heads/main` unless it already is a full ref (go-scm ExpandRef). */
export function expandRef(name: string, prefix: 'refs/heads' | 'refs/tags'): string {
  if (name.startsWith('refs/')) return name;
  return `${prefix}/${name.replace(/^\/+/, '')}`;
}
