// Signing in with the SCM (Drone's `/login` and `/logout`, handler/web/login.go):
// `GET /login` sends the browser to the SCM's authorize page with a random `state` that is also
// kept in a short-lived cookie; the SCM sends it back to `GET /login?code=…&state=…`, where the
// state must match the cookie (no login CSRF), the code is exchanged for a token, the SCM says who
// it belongs to, and the user is created (if admitted) or updated, with the SCM tokens sealed at
// rest. The answer sets the `_session_` cookie and goes to `/` (or the page the user came from).
// Every failure goes to the UI's sign-in page with one readable sentence. `GET /logout` clears the
// cookie. `GET /api/system/login` tells the UI which SCM, if any, it can offer (Hangar's). A user
// not synced for a week has their repositories synced from the SCM in the background, as in Drone.
import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { App, RouteContext } from '../app.js';
import {
  clearCookieLine,
  type CookieKeys,
  cookieLine,
  readCookie,
  SESSION_COOKIE,
  sameText,
  signSession,
} from '../auth/cookie.js';
import {
  authorizeUrl,
  exchangeCode,
  fetchAccount,
  fetchOrgs,
  OAuthError,
  type OAuthToken,
  type ScmAccount,
  scmNames,
} from '../auth/oauth.js';
import { admissionRefusal } from '../auth/oauth-admit.js';
import { sealOAuthToken } from '../auth/oauth-token.js';
import { cookieKeysOf } from '../auth/session.js';
import { type OAuthSettings, serverLink } from '../config.js';
import type { User } from '../store/models.js';
import { createUser, findUserByLogin, updateUser } from '../store/queries/users.js';
import { syncUserRepos } from '../scm/sync.js';
import { DuplicateError } from '../store/errors.js';

declare module '../app.js' {
  interface AppDeps {
    /**
     * Called after a successful SCM sign-in of a user not synced for a week, not awaited by it
     * (default: the repository sync, scm/sync.ts). Its failure is logged and never blocks the sign-in.
     */
    onSignIn?: (user: User) => Promise<void>;
  }
}

/** Name of the cookie holding the sign-in's state while the browser is at the SCM. */
export const STATE_COOKIE = '_oauth_state_';

/** A user not synced for this long is synced at sign-in (Drone: weekly). */
const SYNC_PERIOD_SECONDS = 7 * 24 * 3600;

/** Seconds the browser has to come back from the SCM. */
const STATE_SECONDS = 600;

/** A local path to return to after signing in, or '/' for anything else (no open redirect). */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\'))
    return '/';
  if (/[\0-\x1f\x7f]/.test(next) || next.length > 1000) return '/';
  if (/^\/(?:login|logout)(?:[/?#]|$)/.test(next)) return '/';
  return next;
}

/** `/login`, `/logout`, `/login/error`, `/api/system/login`. */
export function loginRoutes(app: App, ctx: RouteContext): void {
  const oauth = ctx.config.login.oauth;
  const keys = cookieKeysOf(ctx.config);
  const redirectUri = `${serverLink(ctx.config)}/login`;
  const secure = ctx.config.serverProto === 'https';
  const now = () => Math.floor(ctx.clock.now().getTime() / 1000);

  app.get('/api/system/login', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    const on = oauth !== undefined && keys !== undefined;
    return { oauth: on ? oauth.scm : null, name: on ? scmNames[oauth.scm] : null, url: on ? '/login' : null };
  });

  const toSignIn = (reply: FastifyReply, message: string | undefined, cookies: string[] = []) => {
    const target = message === undefined ? '/signin' : `/signin?error=${encodeURIComponent(message)}`;
    reply.header('cache-control', 'no-store');
    if (cookies.length > 0) reply.header('set-cookie', cookies);
    return reply.redirect(target, 303);
  };

  app.get('/login', async (request, reply) => {
    const q = (request.query ?? {}) as Record<string, unknown>;
    if (!oauth || !keys) return toSignIn(reply, undefined);
    const name = scmNames[oauth.scm];
    const clearState = clearCookieLine(STATE_COOKIE, { path: '/login', secure });

    if (typeof q.error === 'string' && q.error !== '') {
      const why =
        typeof q.error_description === 'string' && q.error_description !== '' ? q.error_description : q.error;
      const message =
        q.error === 'access_denied'
          ? `${name} sign-in was cancelled: access was not granted`
          : `${name} sign-in failed: ${why}`;
      request.log.info({ scm: oauth.scm, error: q.error }, 'sign-in refused at the SCM');
      return toSignIn(reply, message.slice(0, 300), [clearState]);
    }

    if (typeof q.code !== 'string' || q.code === '') {
      const state = randomBytes(24).toString('base64url');
      const next = Buffer.from(safeNext(q.next)).toString('base64url');
      reply.header(
        'set-cookie',
        cookieLine(STATE_COOKIE, `${state}.${next}`, { path: '/login', maxAge: STATE_SECONDS, secure }),
      );
      reply.header('cache-control', 'no-store');
      return reply.redirect(authorizeUrl(oauth, redirectUri, state), 303);
    }

    const kept = readStateCookie(request.headers.cookie);
    if (!kept || typeof q.state !== 'string' || !sameText(kept.state, q.state)) {
      request.log.warn({ scm: oauth.scm, hasCookie: kept !== undefined }, 'sign-in refused: state mismatch');
      return toSignIn(
        reply,
        'The sign-in could not be verified (it did not start in this browser, or took longer than 10 minutes). Please try again.',
        [clearState],
      );
    }

    let token: OAuthToken;
    let account: ScmAccount;
    try {
      token = await exchangeCode(oauth, q.code, redirectUri, { now });
      account = await fetchAccount(oauth, token.access);
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      request.log.warn({ scm: oauth.scm, reason: err.message }, 'sign-in failed at the SCM');
      return toSignIn(reply, err.message, [clearState]);
    }

    let user: User;
    try {
      const outcome = await admitAndSave(ctx, oauth, account, token, now());
      if (typeof outcome === 'string') {
        request.log.info({ scm: oauth.scm, login: account.login, reason: outcome }, 'sign-in refused');
        return toSignIn(reply, outcome, [clearState]);
      }
      user = outcome;
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      request.log.warn(
        { scm: oauth.scm, login: account.login, reason: err.message },
        'sign-in failed at the SCM',
      );
      return toSignIn(reply, err.message, [clearState]);
    }

    // Drone syncs the user's repositories in the background when they were never synced or not
    // for a week (handler/web/login.go syncPeriod).
    if (user.synced + SYNC_PERIOD_SECONDS < now()) {
      const log = request.log;
      const sync = ctx.onSignIn ?? ((u: User) => syncUserRepos(ctx, u, { scm: oauth.scm }).then(() => {}));
      sync(user).catch((err: unknown) =>
        log.warn(
          { login: user.login, reason: (err as Error)?.message },
          'repository sync after sign-in failed',
        ),
      );
    }
    request.log.info({ scm: oauth.scm, login: user.login }, 'signed in');
    reply.header('set-cookie', [clearState, sessionCookie(keys, user.login, now())]);
    reply.header('cache-control', 'no-store');
    return reply.redirect(safeNext(kept.next), 303);
  });

  // Drone's error page path: its message shown on the UI's sign-in page.
  app.get('/login/error', async (request, reply) => {
    const m = (request.query as Record<string, unknown> | undefined)?.message;
    return toSignIn(reply, typeof m === 'string' && m !== '' ? m.slice(0, 300) : 'Signing in failed');
  });

  const logout = async (_request: unknown, reply: FastifyReply) => {
    reply.header('set-cookie', clearCookieLine(SESSION_COOKIE, { secure }));
    reply.header('cache-control', 'no-store');
    return reply.redirect('/signin', 303);
  };
  app.get('/logout', logout);
  app.post('/logout', logout);
}

function sessionCookie(keys: CookieKeys, login: string, nowSeconds: number): string {
  return cookieLine(SESSION_COOKIE, signSession(keys, login, nowSeconds), {
    maxAge: keys.timeoutSeconds,
    secure: keys.secure,
  });
}

function readStateCookie(header: string | string[] | undefined): { state: string; next: string } | undefined {
  const m = /^([A-Za-z0-9_-]{32})\.([A-Za-z0-9_-]{0,1400})$/.exec(readCookie(header, STATE_COOKIE) ?? '');
  if (!m) return undefined;
  return { state: m[1] as string, next: Buffer.from(m[2] as string, 'base64url').toString('utf8') };
}

/** The signed-in user (created or updated), or why they may not sign in. */
async function admitAndSave(
  ctx: RouteContext,
  oauth: OAuthSettings,
  account: ScmAccount,
  token: OAuthToken,
  nowSeconds: number,
): Promise<User | string> {
  const db = ctx.store.db;
  const existing = await findUserByLogin(db, account.login);
  const refusal = await admissionRefusal(ctx.config.login, account.login, existing, () =>
    fetchOrgs(oauth, token.access),
  );
  if (refusal !== undefined) return refusal;
  const credentials = {
    email: account.email,
    avatar: account.avatar,
    last_login: nowSeconds,
    oauth_token: sealOAuthToken(ctx.box, token.access),
    oauth_refresh: sealOAuthToken(ctx.box, token.refresh),
    oauth_expiry: token.expires,
  };
  if (existing) return updateUser(db, { ...existing, ...credentials, updated: nowSeconds });
  try {
    return await createUser(db, { login: account.login, active: true, ...credentials });
  } catch (err) {
    // Two first sign-ins of one account at once: the other made the row.
    if (!(err instanceof DuplicateError)) throw err;
    const made = await findUserByLogin(db, account.login);
    if (!made) throw err;
    return updateUser(db, { ...made, ...credentials, updated: nowSeconds });
  }
}
