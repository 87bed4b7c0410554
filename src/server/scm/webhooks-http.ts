// A repository's webhook at its SCM (Drone's service/hook over go-scm): the hook that sends
// GitHub, Gitea and GitLab events to Hangar's /hook, signed with the repo's secret. Registering
// replaces any hook already pointing at the same URL (Drone: delete, then create), so enabling or
// repairing twice leaves exactly one; removing deletes every hook to that URL.
import { apiUrl, type HostedScm, nextPageUrl, type ScmApi, ScmApiError, scmCall } from './api-call.js';
import { arr, int, obj, str } from './json.js';

/** The events Drone subscribes (branch, deployment, pull request, push, tag), as each SCM names them. */
export const HOOK_EVENTS: Record<HostedScm, readonly string[]> = {
  github: ['create', 'delete', 'deployment', 'pull_request', 'push'],
  gitea: ['create', 'delete', 'pull_request', 'push'],
  gitlab: ['push_events', 'tag_push_events', 'merge_requests_events'],
};

/** A webhook as the SCM lists it. */
export interface RemoteHook {
  id: number;
  url: string;
}

function hooksPath(provider: HostedScm, slug: string): string {
  return provider === 'gitlab' ? `/projects/${encodeURIComponent(slug)}/hooks` : `/repos/${slug}/hooks`;
}

/** The body that creates the hook (go-scm's CreateHook, with JSON for GitLab's form fields). */
export function createHookBody(provider: HostedScm, target: string, secret: string): Record<string, unknown> {
  switch (provider) {
    case 'github':
      return {
        name: 'web',
        active: true,
        events: [...HOOK_EVENTS.github],
        config: { url: target, content_type: 'json', secret, insecure_ssl: '0' },
      };
    case 'gitea':
      return {
        type: 'gitea',
        active: true,
        branch_filter: '*',
        events: [...HOOK_EVENTS.gitea],
        config: { url: target, content_type: 'json', secret },
      };
    case 'gitlab':
      return {
        url: target,
        token: secret,
        enable_ssl_verification: true,
        ...Object.fromEntries(HOOK_EVENTS.gitlab.map((e) => [e, true])),
      };
  }
}

/** The hook's id and target URL from a listing entry (GitLab: `url`; GitHub, Gitea: `config.url`). */
export function remoteHookOf(provider: HostedScm, doc: unknown): RemoteHook | undefined {
  const h = obj(doc);
  const id = int(h.id);
  const url = provider === 'gitlab' ? str(h.url) : str(obj(h.config).url);
  return id > 0 ? { id, url } : undefined;
}

/** True when two hook URLs name the same endpoint (scheme and host case-insensitive, trailing `/` ignored). */
export function sameHookUrl(a: string, b: string): boolean {
  const norm = (u: string) => {
    try {
      const url = new URL(u);
      return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}${url.search}`;
    } catch {
      return u.replace(/\/+$/, '');
    }
  };
  return norm(a) === norm(b);
}

/** Every webhook of `slug`; undefined when the SCM does not know the repository (404). */
export async function listHooks(api: ScmApi, slug: string, what: string): Promise<RemoteHook[] | undefined> {
  const hooks: RemoteHook[] = [];
  const perPage = api.provider === 'gitea' ? 50 : 100;
  const size = api.provider === 'gitea' ? 'limit' : 'per_page';
  let url: string | undefined = apiUrl(api, `${hooksPath(api.provider, slug)}?${size}=${perPage}&page=1`);
  for (let page = 1; url !== undefined && page <= 20; page++) {
    const answer = await scmCall(api, 'GET', url, what, { allow404: true });
    if (answer.status === 404) return undefined;
    const items = arr(answer.json);
    for (const item of items) {
      const hook = remoteHookOf(api.provider, item);
      if (hook) hooks.push(hook);
    }
    url = items.length === 0 ? undefined : nextPageUrl(answer, items.length, perPage);
  }
  return hooks;
}

/** Deletes every hook of `slug` pointing at `target`; returns how many. */
export async function removeHooks(api: ScmApi, slug: string, target: string): Promise<number> {
  const what = `remove the webhook of ${slug}`;
  const hooks = await listHooks(api, slug, what);
  if (!hooks) return 0;
  let removed = 0;
  for (const hook of hooks.filter((h) => sameHookUrl(h.url, target))) {
    const url = apiUrl(api, `${hooksPath(api.provider, slug)}/${hook.id}`);
    // Gone already (someone else removed it meanwhile) is what we wanted.
    await scmCall(api, 'DELETE', url, what, { allow404: true });
    removed++;
  }
  return removed;
}

/** Registers the hook of `slug` to `target` signed with `secret`, replacing any to the same URL; its id. */
export async function replaceHook(
  api: ScmApi,
  slug: string,
  target: string,
  secret: string,
): Promise<number> {
  const what = `create the webhook of ${slug}`;
  const hooks = await listHooks(api, slug, what);
  if (!hooks) {
    throw new ScmApiError(
      404,
      `cannot create the webhook of ${slug}: ${api.provider} answered 404 (unknown to the SCM, or the SCM token cannot see it)`,
      404,
    );
  }
  for (const hook of hooks.filter((h) => sameHookUrl(h.url, target))) {
    const url = apiUrl(api, `${hooksPath(api.provider, slug)}/${hook.id}`);
    await scmCall(api, 'DELETE', url, what, { allow404: true });
  }
  const answer = await scmCall(
    api,
    'POST',
    apiUrl(api, hooksPath(api.provider, slug)),
    `create the webhook of ${slug}`,
    { body: createHookBody(api.provider, target, secret) },
  );
  return int(obj(answer.json).id);
}
