// The SCM side of signing in (Drone's go-login + its user service): the authorize URL, the
// exchange of the returned code for a token at the SCM's token endpoint, the refresh of an expired
// token, and who the token belongs to (login, email, avatar) and which organisations they are in.
// Errors are OAuthError with a message fit for the sign-in page: the SCM's own words, never a token.
import type { OAuthScm, OAuthSettings } from '../config.js';

/** A token the SCM issued. `expires` is unix seconds, 0 when it does not expire (GitHub). */
export interface OAuthToken {
  access: string;
  refresh: string;
  expires: number;
}

/** The SCM account a token belongs to. */
export interface ScmAccount {
  login: string;
  email: string;
  avatar: string;
}

/** Signing in failed at the SCM; the message is safe to show. */
export class OAuthError extends Error {
  override name = 'OAuthError';
}

/** How the client reaches the SCM (tests pass their own fetch). */
export interface OAuthClientOptions {
  fetch?: typeof fetch;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  /** Unix seconds now, for token expiry. */
  now?: () => number;
}

/** Display names of the SCMs. */
export const scmNames: Record<OAuthScm, string> = { github: 'GitHub', gitea: 'Gitea', gitlab: 'GitLab' };

// Drone's scopes: GitHub's let it read private repos, set statuses and see org membership.
const scopes: Record<OAuthScm, string> = {
  github: 'repo,repo:status,user:email,read:org',
  gitea: '',
  gitlab: 'api read_user',
};

const authorizePaths: Record<OAuthScm, string> = {
  github: '/login/oauth/authorize',
  gitea: '/login/oauth/authorize',
  gitlab: '/oauth/authorize',
};

const tokenPaths: Record<OAuthScm, string> = {
  github: '/login/oauth/access_token',
  gitea: '/login/oauth/access_token',
  gitlab: '/oauth/token',
};

/** The SCM's token endpoint. */
export function tokenUrl(o: OAuthSettings): string {
  return `${o.server}${tokenPaths[o.scm]}`;
}

/** Where the browser is sent to grant access. */
export function authorizeUrl(o: OAuthSettings, redirectUri: string, state: string): string {
  const url = new URL(`${o.server}${authorizePaths[o.scm]}`);
  url.searchParams.set('client_id', o.clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('response_type', 'code');
  if (scopes[o.scm] !== '') url.searchParams.set('scope', scopes[o.scm]);
  url.searchParams.set('state', state);
  return url.toString();
}

/** Exchanges the code the SCM returned for a token. */
export function exchangeCode(
  o: OAuthSettings,
  code: string,
  redirectUri: string,
  options: OAuthClientOptions = {},
): Promise<OAuthToken> {
  return tokenRequest(o, { grant_type: 'authorization_code', code, redirect_uri: redirectUri }, options);
}

/** A new token from a refresh token (Gitea, GitLab and expiring GitHub tokens). */
export function refreshToken(
  o: OAuthSettings,
  refresh: string,
  options: OAuthClientOptions = {},
): Promise<OAuthToken> {
  return tokenRequest(o, { grant_type: 'refresh_token', refresh_token: refresh }, options);
}

async function tokenRequest(
  o: OAuthSettings,
  params: Record<string, string>,
  options: OAuthClientOptions,
): Promise<OAuthToken> {
  const name = scmNames[o.scm];
  const body = new URLSearchParams({ ...params, client_id: o.clientId, client_secret: o.clientSecret });
  const res = await send(name, tokenUrl(o), options, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
  });
  const text = await res.text();
  // GitHub answers form-encoded unless it honours Accept; errors may come with status 200.
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(text) as Record<string, unknown>;
  } catch {
    fields = Object.fromEntries(new URLSearchParams(text));
  }
  if (typeof fields !== 'object' || fields === null) fields = {};
  const access = typeof fields.access_token === 'string' ? fields.access_token : '';
  if (!res.ok || access === '') {
    const why = [fields.error, fields.error_description].filter((v) => typeof v === 'string' && v !== '');
    throw new OAuthError(
      `${name} did not accept the sign-in (HTTP ${res.status}${why.length > 0 ? `: ${why.join(': ')}` : ''})`,
    );
  }
  const expiresIn = Number(fields.expires_in);
  const now = options.now?.() ?? Math.floor(Date.now() / 1000);
  return {
    access,
    refresh: typeof fields.refresh_token === 'string' ? fields.refresh_token : '',
    expires: Number.isFinite(expiresIn) && expiresIn > 0 ? now + Math.floor(expiresIn) : 0,
  };
}

const userPaths: Record<OAuthScm, string> = {
  github: '/user',
  gitea: '/api/v1/user',
  gitlab: '/api/v4/user',
};

/** The account the token belongs to (GitHub: the primary verified email when the profile's is private). */
export async function fetchAccount(
  o: OAuthSettings,
  access: string,
  options: OAuthClientOptions = {},
): Promise<ScmAccount> {
  const user = await getJson(o, userPaths[o.scm], access, options);
  if (typeof user !== 'object' || user === null || Array.isArray(user)) {
    throw new OAuthError(`${scmNames[o.scm]} answered the user request with something that is not a user`);
  }
  const u = user as Record<string, unknown>;
  const login = str(o.scm === 'gitlab' ? u.username : u.login);
  if (login === '') throw new OAuthError(`${scmNames[o.scm]} answered a user without a login`);
  let email = str(u.email);
  if (email === '' && o.scm === 'github') {
    const emails = await getJson(o, '/user/emails', access, options).catch(() => []);
    if (Array.isArray(emails)) {
      const list = emails as Record<string, unknown>[];
      const best =
        list.find((e) => e?.primary === true && e?.verified === true) ?? list.find((e) => e?.primary);
      email = str(best?.email);
    }
  }
  return { login, email, avatar: str(u.avatar_url) };
}

const orgPaths: Record<OAuthScm, string> = {
  github: '/user/orgs?per_page=100',
  gitea: '/api/v1/user/orgs?limit=50',
  gitlab: '/api/v4/groups?per_page=100',
};

/** Names of the organisations (GitLab: groups, by path and full path) the token's user is in, lower case. */
export async function fetchOrgs(
  o: OAuthSettings,
  access: string,
  options: OAuthClientOptions = {},
): Promise<string[]> {
  const list = await getJson(o, orgPaths[o.scm], access, options);
  if (!Array.isArray(list))
    throw new OAuthError(`${scmNames[o.scm]} answered the organisation list with no list`);
  const names = new Set<string>();
  for (const item of list as Record<string, unknown>[]) {
    if (typeof item !== 'object' || item === null) continue;
    const keys =
      o.scm === 'github' ? ['login'] : o.scm === 'gitea' ? ['username', 'name'] : ['path', 'full_path'];
    for (const k of keys) {
      const v = str(item[k]);
      if (v !== '') names.add(v.toLowerCase());
    }
  }
  return [...names];
}

async function getJson(o: OAuthSettings, path: string, access: string, options: OAuthClientOptions) {
  const name = scmNames[o.scm];
  const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${access}` };
  if (o.scm === 'github') headers.accept = 'application/vnd.github+json';
  const res = await send(name, `${o.api}${path}`, options, { method: 'GET', headers });
  const text = await res.text();
  if (!res.ok) {
    let message = '';
    try {
      const m = (JSON.parse(text) as { message?: unknown }).message;
      if (typeof m === 'string') message = m;
    } catch {}
    throw new OAuthError(
      `${name} refused ${path.split('?')[0]} (HTTP ${res.status}${message ? `: ${message}` : ''})`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new OAuthError(`${name} answered ${path.split('?')[0]} with something that is not JSON`);
  }
}

async function send(
  name: string,
  url: string,
  options: OAuthClientOptions,
  init: RequestInit,
): Promise<Response> {
  const doFetch = options.fetch ?? fetch;
  try {
    return await doFetch(url, {
      ...init,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (err) {
    const timeout = (err as Error).name === 'TimeoutError';
    throw new OAuthError(`cannot reach ${name} at ${new URL(url).origin}${timeout ? ' (timed out)' : ''}`);
  }
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
