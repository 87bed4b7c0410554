// SCM tokens fit for use: opened from their sealed form and, when the sign-in SCM gave a refresh
// token (Gitea, GitLab — whose tokens live 2 hours) and the token expires within 15 minutes,
// renewed at the SCM's token endpoint first and saved (Drone's token renewer). A refresh that
// fails leaves the old token (the SCM's own answer to it then says what is wrong); when another
// replica refreshed meanwhile (the refresh token is single-use), its token is taken from the store.
import type { Logger } from 'pino';
import type { Clock } from '../app.js';
import type { ServerConfig } from '../config.js';
import type { SecretBox } from '../secrets/box.js';
import type { User } from '../store/models.js';
import { findUser, setUserOAuth } from '../store/queries/users.js';
import type { Db } from '../store/schema.js';
import { type OAuthClientOptions, refreshToken } from './oauth.js';
import { sealOAuthToken, withOpenOAuth } from './oauth-token.js';

/** Renew a token that expires within this many seconds. */
export const RENEW_MARGIN_SECONDS = 15 * 60;

/** What renewing needs of the server (a RouteContext will do). */
export interface RenewContext {
  store: { db: Db };
  box: SecretBox;
  config: Pick<ServerConfig, 'login'>;
  clock?: Clock;
  logger?: Pick<Logger, 'warn'>;
}

/** Opens users' SCM tokens, renewing them first when they are about to expire. */
export interface ScmTokens {
  /** `user` with `oauth_token`/`oauth_refresh` opened (and renewed when due). Never throws for the SCM. */
  fresh(user: User): Promise<User>;
}

/** ScmTokens over `ctx`; one refresh per user at a time within this process. */
export function scmTokens(
  ctx: RenewContext,
  options: Pick<OAuthClientOptions, 'fetch' | 'timeoutMs'> = {},
): ScmTokens {
  const inFlight = new Map<number, Promise<User>>();
  const now = () => Math.floor((ctx.clock?.now() ?? new Date()).getTime() / 1000);

  const renew = async (user: User): Promise<User> => {
    const oauth = ctx.config.login.oauth;
    const opened = withOpenOAuth(ctx.box, user);
    if (!oauth) return opened;
    try {
      const token = await refreshToken(oauth, opened.oauth_refresh, { ...options, now });
      const stored = {
        oauth_token: sealOAuthToken(ctx.box, token.access),
        // Some SCMs keep the refresh token and send none back.
        oauth_refresh: sealOAuthToken(ctx.box, token.refresh || opened.oauth_refresh),
        oauth_expiry: token.expires,
      };
      await setUserOAuth(ctx.store.db, user.id, stored);
      return withOpenOAuth(ctx.box, { ...user, ...stored });
    } catch (err) {
      const latest = await findUser(ctx.store.db, user.id).catch(() => undefined);
      if (latest && latest.oauth_expiry > user.oauth_expiry) return withOpenOAuth(ctx.box, latest);
      ctx.logger?.warn({ login: user.login, reason: (err as Error).message }, 'cannot renew the SCM token');
      return opened;
    }
  };

  return {
    fresh(user) {
      const due =
        ctx.config.login.oauth !== undefined &&
        user.oauth_refresh !== '' &&
        user.oauth_expiry !== 0 &&
        user.oauth_expiry - now() < RENEW_MARGIN_SECONDS;
      if (!due) return Promise.resolve(withOpenOAuth(ctx.box, user));
      let running = inFlight.get(user.id);
      if (!running) {
        running = renew(user).finally(() => inFlight.delete(user.id));
        inFlight.set(user.id, running);
      }
      return running;
    },
  };
}

const cache = new WeakMap<object, ScmTokens>();

/** The ScmTokens of the app `ctx` belongs to (one per app, so refreshes are shared). */
export function scmTokensOf(ctx: RenewContext): ScmTokens {
  let tokens = cache.get(ctx);
  if (!tokens) {
    tokens = scmTokens(ctx);
    cache.set(ctx, tokens);
  }
  return tokens;
}
