// Who is calling: `Authorization: Bearer <token>` or `?access_token=<token>`, else the browser's
// `_session_` cookie from an SCM sign-in (drone-reference.md §5.2). As in Drone, a request that
// carries a token is judged by the token alone, a missing or unknown credential makes a guest, and
// each route decides whether a guest may proceed. A deactivated account authenticates no more.
// A request that only the cookie authenticates must carry the session's `X-CSRF-Token` to write
// (anything but GET/HEAD/OPTIONS), else 403: a page on another site can make the browser send the
// cookie, but cannot read the token, which every cookie-authenticated answer carries in that header.
import type { FastifyRequest } from 'fastify';
import type { App, AppDeps } from '../app.js';
import type { ServerConfig } from '../config.js';
import type { User } from '../store/models.js';
import { findUserByLogin, findUserByToken } from '../store/queries/users.js';
import type { Db } from '../store/schema.js';
import {
  type CookieKeys,
  CSRF_HEADER,
  csrfToken,
  csrfValid,
  readCookie,
  SESSION_COOKIE,
  verifySession,
} from './cookie.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated user, or undefined for a guest. */
    user: User | undefined;
    /** How the user was authenticated: an API token or the session cookie. */
    authVia: 'token' | 'cookie' | undefined;
  }
}

/** The raw API token a request carries, if any. */
export function requestToken(request: Pick<FastifyRequest, 'headers' | 'query'>): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const m = /^\s*(?:bearer|token)\s+(\S+)\s*$/i.exec(header);
    if (m) return m[1];
  }
  const query = request.query as Record<string, unknown> | undefined;
  const param = query?.access_token;
  if (typeof param === 'string' && param !== '') return param;
  return undefined;
}

/** The active user owning the request's token, or undefined (guest). */
export async function authenticate(
  db: Db,
  request: Pick<FastifyRequest, 'headers' | 'query'>,
): Promise<User | undefined> {
  const token = requestToken(request);
  if (token === undefined || token.length > 512) return undefined;
  const user = await findUserByToken(db, token);
  return user?.active ? user : undefined;
}

/** The outcome of authentication: the user, and the session cookie's value when it was the credential. */
export interface Authentication {
  user: User | undefined;
  via: 'token' | 'cookie' | undefined;
  cookie?: string;
}

/** The session cookie keys of a server, undefined while it has no cookie secret. */
export function cookieKeysOf(config: Pick<ServerConfig, 'login' | 'serverProto'>): CookieKeys | undefined {
  const secret = config.login.cookieSecret;
  if (!secret) return undefined;
  return {
    secret,
    timeoutSeconds: config.login.cookieTimeoutSeconds,
    secure: config.serverProto === 'https',
  };
}

/** A token when the request has one (even an unknown one), else the session cookie. */
export async function authenticateRequest(
  db: Db,
  request: Pick<FastifyRequest, 'headers' | 'query'>,
  keys: CookieKeys | undefined,
  nowSeconds: number,
): Promise<Authentication> {
  if (requestToken(request) !== undefined || request.headers.authorization !== undefined) {
    const user = await authenticate(db, request);
    return { user, via: user ? 'token' : undefined };
  }
  if (!keys) return { user: undefined, via: undefined };
  const cookie = readCookie(request.headers.cookie, SESSION_COOKIE);
  if (cookie === undefined) return { user: undefined, via: undefined };
  const login = verifySession(keys, cookie, nowSeconds);
  if (login === undefined) return { user: undefined, via: undefined };
  const user = await findUserByLogin(db, login);
  if (!user?.active || user.machine) return { user: undefined, via: undefined };
  return { user, via: 'cookie', cookie };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Installs authentication on every request of `app` (with the CSRF rule for cookie sessions). */
export function installAuth(app: App, deps: Pick<AppDeps, 'store' | 'config' | 'clock'>): void {
  const keys = cookieKeysOf(deps.config);
  app.decorateRequest('user', undefined);
  app.decorateRequest('authVia', undefined);
  app.addHook('onRequest', async (request, reply) => {
    const now = Math.floor(deps.clock.now().getTime() / 1000);
    const auth = await authenticateRequest(deps.store.db, request, keys, now);
    request.user = auth.user;
    request.authVia = auth.via;
    if (auth.via !== 'cookie' || !keys || auth.cookie === undefined) return;
    reply.header(CSRF_HEADER, csrfToken(keys, auth.cookie));
    if (SAFE_METHODS.has(request.method) || csrfValid(keys, auth.cookie, request.headers[CSRF_HEADER]))
      return;
    request.log.info(
      { user: auth.user?.login, url: request.routeOptions.url },
      'cookie session write without CSRF token',
    );
    return reply.code(403).send({
      message:
        'This request came with the session cookie but without its X-CSRF-Token header (the web UI sends it; scripts use an API token).',
    });
  });
}
