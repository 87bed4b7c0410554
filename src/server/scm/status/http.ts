// Commit-status clients for GitHub, Gitea and GitLab: the request each SCM's API expects (as go-scm
// sends it), and a StatusService that routes a build's status to the client of its repo's SCM.
import type { Build, Repo, User } from '../../store/models.js';
import {
  type CommitStatus,
  commitStatusOf,
  type ScmState,
  type StatusOptions,
  type StatusService,
} from './status.js';

/** An SCM with a commit-status API. */
export type StatusProvider = 'github' | 'gitea' | 'gitlab';

/** One HTTP request, as handed to fetch. */
export interface StatusRequest {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
}

/** go-scm's state names per SCM (GitHub and Gitea have no "canceled"; GitLab calls failure "failed"). */
export function providerState(provider: StatusProvider, state: ScmState): string {
  if (provider === 'gitlab') {
    if (state === 'pending' || state === 'running' || state === 'success' || state === 'canceled')
      return state;
    return 'failed';
  }
  if (state === 'pending' || state === 'running') return 'pending';
  if (state === 'success' || state === 'failure') return state;
  return 'error';
}

const trimBase = (url: string) => url.replace(/\/+$/, '');

/** The request that sets `status` on `apiUrl` (GitHub: the API root, e.g. https://api.github.com). */
export function statusRequest(
  provider: StatusProvider,
  apiUrl: string,
  token: string,
  status: CommitStatus,
): StatusRequest {
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    accept: 'application/json',
  };
  const state = providerState(provider, status.state);
  const sha = encodeURIComponent(status.sha);
  switch (provider) {
    case 'github':
      return {
        url: `${trimBase(apiUrl)}/repos/${status.slug}/statuses/${sha}`,
        method: 'POST',
        headers: { ...headers, accept: 'application/vnd.github+json' },
        body: JSON.stringify({
          state,
          target_url: status.target,
          description: status.description,
          context: status.context,
        }),
      };
    case 'gitea':
      return {
        url: `${trimBase(apiUrl)}/api/v1/repos/${status.slug}/statuses/${sha}`,
        method: 'POST',
        headers,
        body: JSON.stringify({
          state,
          target_url: status.target,
          description: status.description,
          context: status.context,
        }),
      };
    case 'gitlab':
      return {
        url: `${trimBase(apiUrl)}/api/v4/projects/${encodeURIComponent(status.slug)}/statuses/${sha}`,
        method: 'POST',
        headers,
        body: JSON.stringify({
          state,
          name: status.context,
          target_url: status.target,
          description: status.description,
        }),
      };
  }
}

/**
 * GitHub deployment builds update the deployment instead of the commit, and only once they finish
 * (drone service/status).
 */
export function deploymentStatusRequest(
  apiUrl: string,
  token: string,
  repo: Repo,
  build: Build,
  target: string,
  state: ScmState,
  description: string,
): StatusRequest {
  return {
    url: `${trimBase(apiUrl)}/repos/${repo.slug}/deployments/${build.deploy_id}/statuses`,
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/vnd.github+json',
    },
    body: JSON.stringify({
      state: providerState('github', state),
      target_url: target,
      description,
      environment: build.target,
    }),
  };
}

/** Settings of the HTTP status service. */
export interface HttpStatusOptions extends StatusOptions {
  /** API base per SCM; an SCM without one gets no statuses. */
  endpoints: Partial<Record<StatusProvider, string>>;
  /** Token per SCM for repositories whose owner has no SCM token of their own. */
  tokens?: Partial<Record<StatusProvider, string>>;
  /** fetch (tests pass a recording one). */
  fetch?: typeof fetch;
  /** Per-request timeout in ms (default 10 s). */
  timeoutMs?: number;
}

/** The error an SCM answered a status with; the message holds no token. */
export class StatusSendError extends Error {
  override name = 'StatusSendError';
}

/** Sends statuses with the repo owner's SCM token to the SCM the repo belongs to. */
export class HttpStatusService implements StatusService {
  constructor(private readonly options: HttpStatusOptions) {}

  async send({ repo, build, owner }: { repo: Repo; build: Build; owner?: User }): Promise<void> {
    const provider = repo.scm as StatusProvider;
    const apiUrl = this.options.endpoints[provider];
    const token = owner?.oauth_token || this.options.tokens?.[provider] || '';
    if (!apiUrl || token === '') return;
    const status = commitStatusOf(repo, build, this.options);
    if (!status) return;
    let req: StatusRequest;
    if (provider === 'github' && build.deploy_id !== 0) {
      if (build.finished === 0) return;
      req = deploymentStatusRequest(
        apiUrl,
        token,
        repo,
        build,
        status.target,
        status.state,
        status.description,
      );
    } else {
      req = statusRequest(provider, apiUrl, token, status);
    }
    const doFetch = this.options.fetch ?? fetch;
    const res = await doFetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    if (!res.ok) {
      const text = (await res.text().catch(() => '')).slice(0, 200);
      throw new StatusSendError(
        `${provider} answered ${res.status} to the commit status of ${repo.slug}#${build.number}: ${text}`,
      );
    }
  }
}
