// The small HTTP client behind the API commands (`hangar repo|build|log|secret|cron …`), configured
// as drone-cli is: HANGAR_SERVER / HANGAR_TOKEN, or Drone's DRONE_SERVER / DRONE_TOKEN. Every answer
// with an error status becomes an ApiError carrying the server's own message; a server that cannot
// be reached is one line, never a stack trace.
import { UsageError } from './errors.js';

/** An answer the server gave with an error status (or 0 when it could not be reached). */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What a request may carry. */
export interface RequestOptions {
  query?: URLSearchParams;
  json?: unknown;
}

/** Where the server is and who the caller is. */
export interface ApiClient {
  server: string;
  request(method: string, path: string, opts?: RequestOptions): Promise<unknown>;
}

// Short human reasons for the errors fetch reports by code.
const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
};

/** The hint added to an error status, for the mistakes a user makes most. */
function hint(status: number): string {
  if (status === 401) return ': check HANGAR_TOKEN, the server does not accept it';
  if (status === 403) return ': your user lacks the permission';
  return '';
}

/** The message of an error answer: the server's `{"message"}` when it sent one. */
function errorMessage(status: number, statusText: string, text: string, body: unknown, what: string): string {
  const own =
    typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string'
      ? (body as { message: string }).message
      : text.trim().slice(0, 200);
  // A bare "Not Found" says nothing about what was missing.
  const where = status === 404 && /^not found$/i.test(own.trim()) ? `: ${what}` : '';
  return `${own || statusText || 'error'} (HTTP ${status}${where})${hint(status)}`;
}

/** A client from the environment; UsageError when the server or token is missing or malformed. */
export function apiClient(env: Record<string, string | undefined> = process.env): ApiClient {
  const server = (env.HANGAR_SERVER || env.DRONE_SERVER || '').trim().replace(/\/+$/, '');
  const token = (env.HANGAR_TOKEN || env.DRONE_TOKEN || '').trim();
  if (server === '')
    throw new UsageError('set HANGAR_SERVER (or DRONE_SERVER) to the server URL, e.g. http://127.0.0.1:8080');
  if (!/^https?:\/\/[^/\s]+/.test(server))
    throw new UsageError(`HANGAR_SERVER must be an http(s) URL, not "${server}"`);
  if (token === '') throw new UsageError('set HANGAR_TOKEN (or DRONE_TOKEN) to your API token');
  return {
    server,
    async request(method, path, opts = {}) {
      const url = `${server}${path}${opts.query && [...opts.query].length > 0 ? `?${opts.query}` : ''}`;
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(opts.json !== undefined && { 'content-type': 'application/json' }),
          },
          ...(opts.json !== undefined && { body: JSON.stringify(opts.json) }),
          signal: AbortSignal.timeout(60_000),
        });
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } })
          .cause;
        const code = cause?.code ?? cause?.errors?.[0]?.code;
        const why = code
          ? (NETWORK_REASONS[code] ?? code)
          : (err as Error).name === 'TimeoutError'
            ? 'no answer within 60 s'
            : (cause?.message ?? (err as Error).message);
        throw new ApiError(0, `cannot reach ${server}: ${why}`);
      }
      const text = await res.text();
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        body = text;
      }
      if (!res.ok) {
        throw new ApiError(
          res.status,
          errorMessage(res.status, res.statusText, text, body, `${method} ${path}`),
        );
      }
      return body;
    },
  };
}

/** `OWNER/NAME` split; UsageError otherwise. */
export function parseSlug(slug: string): { owner: string; name: string } {
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(slug);
  if (!m) throw new UsageError(`"${slug}" is not OWNER/NAME`);
  return { owner: m[1] as string, name: m[2] as string };
}

/** `/api/repos/{owner}/{name}` of a slug, each part escaped. */
export function repoPath(slug: string): string {
  const { owner, name } = parseSlug(slug);
  return `/api/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
}

/** A positive whole number argument (`what` names it in the error). */
export function parseNumber(text: string, what: string): number {
  if (!/^\d{1,10}$/.test(text) || Number(text) < 1 || Number(text) > 2_147_483_647) {
    throw new UsageError(`${what} must be a positive whole number, not "${text}"`);
  }
  return Number(text);
}

/** `KEY=VALUE` pairs into `query`; UsageError for a malformed or reserved one. */
export function addParams(
  query: URLSearchParams,
  params: readonly string[],
  reserved: readonly string[],
): void {
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param ${p}: expected KEY=VALUE`);
    const key = p.slice(0, eq);
    if ([...reserved, 'access_token'].includes(key)) throw new UsageError(`--param ${key} is reserved`);
    query.set(key, p.slice(eq + 1));
  }
}

/** Collects a repeatable option's values. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
