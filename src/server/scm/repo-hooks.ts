// What enabling, repairing and disabling a repository does at its SCM (AppDeps.repoHooks):
// repositories on this machine get the post-receive hook (local-hook.ts), GitHub, Gitea and GitLab
// repositories a webhook registered through the SCM's API (webhooks-http.ts) with the repo owner's
// SCM token, else the configured one (HANGAR_*_TOKEN), as commit statuses are sent.
import type { Logger } from 'pino';
import type { RepoHooks } from '../app.js';
import type { Repo, User } from '../store/models.js';
import { type HostedScm, isHostedScm, type ScmApi, ScmApiError } from './api-call.js';
import { repoPath } from './content.js';
import { removeHooks, replaceHook } from './webhooks-http.js';

/** Settings of the SCM webhook registration. */
export interface ScmRepoHookOptions {
  /** The URL webhooks point at (`HANGAR_SERVER_PROTO://HANGAR_SERVER_HOST/hook`), read on each call. */
  hookUrl: () => string;
  /** API base per SCM (the status settings' endpoints). */
  endpoints: Partial<Record<HostedScm, string>>;
  /** Token per SCM for users without an SCM token of their own. */
  tokens?: Partial<Record<HostedScm, string>>;
  /** The user's SCM token, opened from its sealed form and renewed when due; default: as stored. */
  userToken?: (user: User) => Promise<string>;
  /** Where a webhook that could not be removed on disable is reported. */
  log?: Pick<Logger, 'warn' | 'info'>;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** True for a GitHub, Gitea or GitLab repository that does not live on this machine. */
export function isHostedRepo(repo: Repo): boolean {
  return isHostedScm(repo.scm) && repoPath(repo) === undefined;
}

/** How to call `repo`'s SCM for `user`; ScmApiError (400) when there is no API URL or token. */
async function apiFor(repo: Repo, user: User, options: ScmRepoHookOptions, what: string): Promise<ScmApi> {
  const provider = repo.scm as HostedScm;
  const NAME = provider.toUpperCase();
  const base = options.endpoints[provider];
  if (base === undefined) {
    throw new ScmApiError(
      400,
      `cannot ${what}: no ${provider} API is configured (set HANGAR_${NAME}_API and HANGAR_${NAME}_TOKEN)`,
    );
  }
  const own = options.userToken ? await options.userToken(user) : user.oauth_token;
  const token = own || options.tokens?.[provider] || '';
  if (token === '') {
    throw new ScmApiError(
      400,
      `cannot ${what}: ${user.login} has no ${provider} token and HANGAR_${NAME}_TOKEN is not set`,
    );
  }
  return {
    provider,
    base,
    token,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  };
}

/** Webhooks of GitHub, Gitea and GitLab repositories, registered through their APIs. */
export function scmRepoHooks(options: ScmRepoHookOptions): RepoHooks {
  return {
    async activate(repo, user) {
      const what = `create the webhook of ${repo.slug}`;
      if (repo.signer === '')
        throw new ScmApiError(400, `cannot ${what}: it has no webhook secret; repair it`);
      await replaceHook(await apiFor(repo, user, options, what), repo.slug, options.hookUrl(), repo.signer);
    },
    async deactivate(repo, user) {
      // The repo is disabled whatever the SCM says: a hook left behind only delivers events that
      // an inactive repo ignores.
      if (options.endpoints[repo.scm as HostedScm] === undefined) return;
      try {
        const what = `remove the webhook of ${repo.slug}`;
        await removeHooks(await apiFor(repo, user, options, what), repo.slug, options.hookUrl());
      } catch (err) {
        options.log?.warn(
          { repo: repo.slug, err: err instanceof Error ? err.message : String(err) },
          'webhook not removed from the SCM',
        );
      }
    },
  };
}

/** Local repositories to `local`, hosted ones (GitHub, Gitea, GitLab) to `scm`. */
export function routedRepoHooks(local: RepoHooks, scm: RepoHooks): RepoHooks {
  const pick = (repo: Repo) => (isHostedRepo(repo) ? scm : local);
  return {
    activate: (repo, user) => pick(repo).activate(repo, user),
    deactivate: (repo, user) => pick(repo).deactivate(repo, user),
  };
}
