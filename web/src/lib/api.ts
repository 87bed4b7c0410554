// The REST API client of the UI: every call the pages make, over `fetch`, with the signed-in
// user's token as `Authorization: Bearer`. A failed call throws ApiError with the HTTP status and
// the server's `{"message": …}`, so pages can tell 401/403/404 apart from other failures.
import type { Build, Cron, Line, PendingExplanation, Repo, Secret, User } from './types.js';

/** A failed API call: `status` 0 means the server could not be reached. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What the client needs from its surroundings (tests pass their own). */
export interface ApiOptions {
  /** Origin of the server ('' = the page's own). */
  baseUrl?: string;
  /** The current API token, if signed in. */
  token: () => string | undefined;
  fetch?: typeof fetch;
}

type Query = Record<string, string | number | boolean | undefined>;

interface CallOptions {
  query?: Query;
  body?: unknown;
  /** Read the answer as text instead of JSON. */
  text?: boolean;
}

/** Parameters of a custom build, restart, promote or rollback: `KEY=value` pairs. */
export type Params = Record<string, string>;

/** A path built from segments, each URL-encoded. */
export function path(...segments: (string | number)[]): string {
  return segments.map((s) => encodeURIComponent(String(s))).join('/');
}

/** `?a=1&b=2` for the defined values of `query` ('' when none). */
export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.append(k, String(v));
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

/** Parses `KEY=value` lines (blank lines and `#` comments ignored); throws on a line without `=`. */
export function parseParams(text: string): Params {
  const out: Params = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`"${line}" is not KEY=value`);
    out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

/** The API client. */
export type Api = ReturnType<typeof createApi>;

/** Makes a client that calls the server at `options.baseUrl`. */
export function createApi(options: ApiOptions) {
  const base = options.baseUrl ?? '';
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));

  // A session from signing in with the SCM is a cookie; its writes carry the CSRF token the
  // server puts on every answer to that session (X-CSRF-Token).
  let csrf: string | undefined;

  async function call<T>(method: string, url: string, opts: CallOptions = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = options.token();
    if (token) headers.authorization = `Bearer ${token}`;
    const write = method !== 'GET' && method !== 'HEAD';
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    let res: Response;
    try {
      const send = () => {
        if (!token && write && csrf) headers['x-csrf-token'] = csrf;
        return doFetch(`${base}${url}${queryString(opts.query)}`, {
          method,
          headers,
          credentials: 'same-origin',
          ...(body !== undefined ? { body } : {}),
        });
      };
      res = await send();
      const given = res.headers?.get('x-csrf-token');
      // The first write of a session (or one after signing in again) learns the token from the refusal.
      if (given && res.status === 403 && !token && write && given !== csrf) {
        csrf = given;
        res = await send();
      } else if (given) {
        csrf = given;
      }
    } catch {
      throw new ApiError(0, 'Cannot reach the Hangar server. Check your connection and try again.');
    }
    const text = await res.text();
    if (!res.ok) throw new ApiError(res.status, errorMessage(res.status, text));
    if (opts.text) return text as T;
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(res.status, 'The server answered something that is not JSON.');
    }
  }

  const repoPath = (owner: string, name: string) => `/api/repos/${path(owner, name)}`;
  const buildPath = (owner: string, name: string, number: number) =>
    `${repoPath(owner, name)}/builds/${number}`;

  return {
    call,
    user: () => call<User>('GET', '/api/user'),
    /** Which SCM, if any, the server signs in with (`GET /api/system/login`, Hangar's). */
    loginOptions: () =>
      call<{ oauth: string | null; name: string | null; url: string | null }>('GET', '/api/system/login'),
    /** A new API token for the signed-in user (the old one stops working). */
    newToken: () => call<User & { token: string }>('POST', '/api/user/token', { query: { rotate: true } }),
    /** The user's repos, each with its newest build. */
    userRepos: () => call<Repo[]>('GET', '/api/user/repos', { query: { latest: true } }),
    /** The active public repos, each with its newest build (anyone may read them, guests too). */
    publicRepos: () => call<Repo[]>('GET', '/api/public/repos', { query: { latest: true } }),
    repo: (owner: string, name: string) => call<Repo>('GET', repoPath(owner, name)),
    /** Activates a repo (creating it when Hangar does not know it yet). */
    enableRepo: (owner: string, name: string, body?: Partial<Repo>) =>
      call<Repo>('POST', repoPath(owner, name), body !== undefined ? { body } : {}),
    disableRepo: (owner: string, name: string) => call<Repo>('DELETE', repoPath(owner, name)),
    updateRepo: (owner: string, name: string, patch: Partial<Repo>) =>
      call<Repo>('PATCH', repoPath(owner, name), { body: patch }),

    builds: (
      owner: string,
      name: string,
      query: { page?: number; per_page?: number; branch?: string } = {},
    ) => call<Build[]>('GET', `${repoPath(owner, name)}/builds`, { query }),
    build: (owner: string, name: string, number: number) =>
      call<Build>('GET', buildPath(owner, name, number)),
    /** A custom build of `branch` (or the default branch); answers null when no pipeline matched. */
    createBuild: (owner: string, name: string, branch: string, params: Params = {}) =>
      call<Build | null>('POST', `${repoPath(owner, name)}/builds`, {
        query: { ...params, ...(branch ? { branch } : {}) },
      }),
    restart: (owner: string, name: string, number: number, params: Params = {}) =>
      call<Build | null>('POST', buildPath(owner, name, number), { query: params }),
    cancel: (owner: string, name: string, number: number) =>
      call<Build>('DELETE', buildPath(owner, name, number)),
    deploy: (
      owner: string,
      name: string,
      number: number,
      kind: 'promote' | 'rollback',
      target: string,
      params: Params = {},
    ) =>
      call<Build | null>('POST', `${buildPath(owner, name, number)}/${kind}`, {
        query: { ...params, target },
      }),
    approve: (owner: string, name: string, number: number, stage: number) =>
      call<void>('POST', `${buildPath(owner, name, number)}/approve/${stage}`),
    decline: (owner: string, name: string, number: number, stage: number) =>
      call<void>('POST', `${buildPath(owner, name, number)}/decline/${stage}`),
    /** What a stage that has not started waits for. */
    pending: (owner: string, name: string, number: number, stage: number) =>
      call<PendingExplanation>('GET', `${buildPath(owner, name, number)}/stages/${stage}/pending`),
    logs: (owner: string, name: string, number: number, stage: number, step: number) =>
      call<Line[] | null>('GET', `${buildPath(owner, name, number)}/logs/${stage}/${step}`).then(
        (lines) => lines ?? [],
      ),

    secrets: (owner: string, name: string) => call<Secret[]>('GET', `${repoPath(owner, name)}/secrets`),
    createSecret: (owner: string, name: string, secret: SecretInput & { name: string; data: string }) =>
      call<Secret>('POST', `${repoPath(owner, name)}/secrets`, { body: secret }),
    updateSecret: (owner: string, name: string, secret: string, input: SecretInput) =>
      call<Secret>('PATCH', `${repoPath(owner, name)}/secrets/${path(secret)}`, { body: input }),
    deleteSecret: (owner: string, name: string, secret: string) =>
      call<void>('DELETE', `${repoPath(owner, name)}/secrets/${path(secret)}`),

    orgSecrets: (namespace: string) => call<Secret[]>('GET', `/api/secrets/${path(namespace)}`),
    createOrgSecret: (namespace: string, secret: SecretInput & { name: string; data: string }) =>
      call<Secret>('POST', `/api/secrets/${path(namespace)}`, { body: secret }),
    updateOrgSecret: (namespace: string, name: string, input: SecretInput) =>
      call<Secret>('PATCH', `/api/secrets/${path(namespace, name)}`, { body: input }),
    deleteOrgSecret: (namespace: string, name: string) =>
      call<void>('DELETE', `/api/secrets/${path(namespace, name)}`),

    crons: (owner: string, name: string) => call<Cron[]>('GET', `${repoPath(owner, name)}/cron`),
    createCron: (owner: string, name: string, cron: { name: string; expr: string; branch: string }) =>
      call<Cron>('POST', `${repoPath(owner, name)}/cron`, { body: cron }),
    updateCron: (
      owner: string,
      name: string,
      cron: string,
      input: { branch?: string; target?: string; disabled?: boolean; expr?: string },
    ) => call<Cron>('PATCH', `${repoPath(owner, name)}/cron/${path(cron)}`, { body: input }),
    /** Runs a cron job now; null when its pipelines skipped the build. */
    runCron: (owner: string, name: string, cron: string) =>
      call<Build | null>('POST', `${repoPath(owner, name)}/cron/${path(cron)}`),
    deleteCron: (owner: string, name: string, cron: string) =>
      call<void>('DELETE', `${repoPath(owner, name)}/cron/${path(cron)}`),

    /** Admins: every pending or running build, each with its repo (Drone's v1 shape). */
    incomplete: () => call<Repo[]>('GET', '/api/builds/incomplete'),
    users: () => call<User[]>('GET', '/api/users'),
    createUser: (input: { login: string; email?: string; admin?: boolean; machine?: boolean }) =>
      call<User & { token?: string }>('POST', '/api/users', { body: input }),
    updateUser: (login: string, input: { admin?: boolean; active?: boolean }) =>
      call<User>('PATCH', `/api/users/${path(login)}`, { body: input }),
    deleteUser: (login: string) => call<void>('DELETE', `/api/users/${path(login)}`),
  };
}

/** What a secret form may change. */
export interface SecretInput {
  data?: string;
  pull_request?: boolean;
  pull_request_push?: boolean;
}

/** The server's `{"message"}`, or a plain sentence for the status. */
export function errorMessage(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string' && parsed.message !== '') return parsed.message;
  } catch {
    // not JSON: fall through
  }
  if (status === 401) return 'Unauthorized';
  if (status === 403) return 'Forbidden';
  if (status === 404) return 'Not Found';
  return `The server answered ${status}.`;
}
