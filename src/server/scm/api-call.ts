// One authenticated JSON request to a hosted SCM's API (GitHub, Gitea, GitLab) for the routes that
// act on the SCM for a user: repository sync and webhook registration. Unlike the trigger's
// lookups (config, commits), a failure here is the user's answer, so it becomes an HttpError with
// the status a client can act on and the SCM's own message — never the token.
import { HttpError } from '../http/api/errors.js';

/** An SCM with a REST API Hangar talks to. */
export type HostedScm = 'github' | 'gitea' | 'gitlab';

/** The hosted SCMs, in the order they are listed. */
export const hostedScms: readonly HostedScm[] = ['github', 'gitea', 'gitlab'];

/** True for `github`, `gitea` and `gitlab`. */
export function isHostedScm(scm: string): scm is HostedScm {
  return (hostedScms as readonly string[]).includes(scm);
}

/** How to reach one SCM's API for one user. */
export interface ScmApi {
  provider: HostedScm;
  /** GitHub's API root; Gitea's and GitLab's server URL (without /api/v1, /api/v4). */
  base: string;
  token: string;
  /** fetch (tests may pass another). */
  fetch?: typeof fetch;
  /** Per-request timeout in ms (default 10 s). */
  timeoutMs?: number;
}

/** What the SCM answered. */
export interface ScmAnswer {
  status: number;
  headers: Headers;
  json: unknown;
  url: string;
}

/** An SCM refused or could not be reached; `statusCode` is Hangar's answer to its caller. */
export class ScmApiError extends HttpError {
  override name = 'ScmApiError';
  constructor(
    statusCode: number,
    message: string,
    /** The SCM's HTTP status (0 when it gave none). */
    readonly scmStatus = 0,
  ) {
    super(statusCode, message);
  }
}

const trimBase = (url: string) => url.replace(/\/+$/, '');

/** `path` (starting with `/`) under the API root of `api`: GitHub's root, Gitea's /api/v1, GitLab's /api/v4. */
export function apiUrl(api: Pick<ScmApi, 'provider' | 'base'>, path: string): string {
  const base = trimBase(api.base);
  if (api.provider === 'gitea') return `${base}/api/v1${path}`;
  if (api.provider === 'gitlab') return `${base}/api/v4${path}`;
  return `${base}${path}`;
}

/**
 * Sends one request. `what` completes "cannot …" in error messages ("create the webhook of
 * acme/app"). 2xx answers (and 404s when `allow404`) come back; anything else throws ScmApiError:
 * 401/403 → 403, 404 → 404, other 4xx → 400, 5xx, timeouts and network errors → 502.
 */
export async function scmCall(
  api: ScmApi,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  what: string,
  options: { body?: unknown; allow404?: boolean } = {},
): Promise<ScmAnswer> {
  const timeoutMs = api.timeoutMs ?? 10_000;
  const headers: Record<string, string> = {
    accept: api.provider === 'github' ? 'application/vnd.github+json' : 'application/json',
    'user-agent': 'Hangar',
  };
  if (api.token !== '') headers.authorization = `Bearer ${api.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await (api.fetch ?? fetch)(url, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const name = err instanceof Error ? err.name : '';
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new ScmApiError(
        502,
        `cannot ${what}: ${api.provider} did not answer within ${timeoutMs / 1000} s`,
      );
    }
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : '';
    throw new ScmApiError(
      502,
      `cannot ${what}: ${api.provider} cannot be reached${cause ? ` (${redact(cause, api.token)})` : ''}`,
    );
  }
  const text = await res.text().catch(() => '');
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  const answer = { status: res.status, headers: res.headers, json, url };
  if (res.ok || (res.status === 404 && options.allow404)) return answer;
  const said = redact(scmMessage(json), api.token);
  const detail = said ? `: ${said}` : '';
  const base = `cannot ${what}: ${api.provider} answered ${res.status}${detail}`;
  if (res.status === 401) {
    throw new ScmApiError(403, `${base} (the SCM token is not valid any more; sign in again)`, 401);
  }
  if (res.status === 403) {
    throw new ScmApiError(403, `${base} (the SCM token lacks the rights for this)`, 403);
  }
  if (res.status === 404) {
    throw new ScmApiError(404, `${base} (unknown to the SCM, or the SCM token cannot see it)`, 404);
  }
  if (res.status >= 400 && res.status < 500) throw new ScmApiError(400, base, res.status);
  throw new ScmApiError(502, base, res.status);
}

/** The human part of an SCM's error body (GitHub/Gitea `message`, GitLab `message`/`error`), at most 200 characters. */
export function scmMessage(json: unknown): string {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return '';
  const doc = json as Record<string, unknown>;
  let text = '';
  if (typeof doc.message === 'string') text = doc.message;
  // GitLab validation errors: {"message": {"url": ["is blocked: …"]}}.
  else if (doc.message !== undefined && doc.message !== null) text = JSON.stringify(doc.message);
  else if (typeof doc.error_description === 'string') text = doc.error_description;
  else if (typeof doc.error === 'string') text = doc.error;
  // GitHub's 422: {"message": "Validation Failed", "errors": [{"message": "Hook already exists on this repository"}]}.
  if (Array.isArray(doc.errors)) {
    const details = doc.errors
      .map((e) => {
        if (typeof e === 'string') return e;
        const d = e !== null && typeof e === 'object' ? (e as Record<string, unknown>) : {};
        if (typeof d.message === 'string') return d.message;
        // {"resource": "Hook", "code": "invalid", "field": "url"}
        return [d.resource, d.field, d.code].filter((x) => typeof x === 'string').join(' ');
      })
      .filter((m) => m !== '');
    if (details.length > 0) text = `${text}${text ? ': ' : ''}${details.join('; ')}`;
  }
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 200 ? `${one.slice(0, 200)}…` : one;
}

function redact(text: string, token: string): string {
  return token.length >= 4 ? text.split(token).join('******') : text;
}

/**
 * The next page of a paginated listing: the `Link: <…>; rel="next"` every three SCMs send
 * (GitLab also `X-Next-Page`), only on the API's own origin so the token never goes elsewhere.
 * Without either, a full page (`perPage` items) asks for `page + 1` (older Gitea).
 */
export function nextPageUrl(answer: ScmAnswer, items: number, perPage: number): string | undefined {
  const current = new URL(answer.url);
  const link = answer.headers.get('link') ?? '';
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;(.*)$/.exec(part.trim());
    if (!m || !/\brel="?next"?/.test(m[2] ?? '')) continue;
    let next: URL;
    try {
      next = new URL(m[1] ?? '', current);
    } catch {
      return undefined;
    }
    return next.origin === current.origin ? next.toString() : undefined;
  }
  const xNext = answer.headers.get('x-next-page');
  if (xNext !== null) {
    if (!/^\d+$/.test(xNext.trim())) return undefined;
    current.searchParams.set('page', xNext.trim());
    return current.toString();
  }
  if (link !== '' || items < perPage) return undefined;
  const page = Number(current.searchParams.get('page') ?? '1');
  current.searchParams.set('page', String((Number.isSafeInteger(page) ? page : 1) + 1));
  return current.toString();
}
