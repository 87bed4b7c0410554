// How the webhook and build routes get their SCM services and trigger settings. They come in
// through AppDeps (declared here, additively, so the app's own module needs no change); when a
// deployment passes none, repositories on this machine are read with git, hosted ones
// (configuration, commits, changed files) through their SCM's API when one is configured, and
// commit statuses go nowhere until an SCM API is configured. One set per app: the hook and build
// routes share it.
import type { RouteContext } from '../../app.js';
import { scmTokensOf } from '../../auth/oauth-renew.js';
import { openOAuthToken } from '../../auth/oauth-token.js';
import { serverLink } from '../../config.js';
import { convertingConfigSource } from '../../convert/converting-source.js';
import {
  configuredChangeSource,
  configuredCommitSource,
  configuredConfigSource,
} from '../../scm/config-configured.js';
import { localRepoHooks } from '../../scm/local-hook.js';
import { mirroredSources, mirrorsFor } from '../../scm/mirror-services.js';
import { routedRepoHooks, scmRepoHooks } from '../../scm/repo-hooks.js';
import { schedulerOf } from '../../scheduler/index.js';
import { HttpStatusService } from '../../scm/status/http.js';
import type { User } from '../../store/models.js';
import type { ScmServices, TriggerDeps } from '../../trigger/trigger.js';

declare module '../../app.js' {
  interface AppDeps {
    /** Where repository content comes from and where statuses go (defaults: local git, no statuses). */
    scm?: Partial<ScmServices>;
    /** Hold pull requests from forks for approval (their stages start `blocked`). */
    approveForks?: boolean;
  }
}

const cache = new WeakMap<object, ScmServices>();

/** The SCM services of the app `ctx` belongs to. */
export function scmServicesOf(ctx: RouteContext): ScmServices {
  let services = cache.get(ctx);
  if (!services) {
    // Users' SCM tokens are sealed at rest; the SCM clients get them opened (and renewed when due).
    const openToken = (stored: string) => openOAuthToken(ctx.box, stored);
    const tokens = scmTokensOf(ctx);
    const freshOwner = (owner: User) => tokens.fresh(owner);
    const status = ctx.scm?.status ?? new HttpStatusService({ link: serverLink(ctx.config), endpoints: {} });
    services = {
      config: ctx.scm?.config ?? configuredConfigSource(ctx.config, ctx.store.db, { freshOwner }),
      commits: ctx.scm?.commits ?? configuredCommitSource(ctx.config, ctx.store.db, { freshOwner }),
      changes: ctx.scm?.changes ?? configuredChangeSource(ctx.config, ctx.store.db, { freshOwner }),
      status: {
        send: async ({ owner, ...rest }) =>
          status.send({ ...rest, ...(owner && { owner: await tokens.fresh(owner) }) }),
      },
    };
    // Repositories known by a remote URL only (scm `git`) are read from this server's mirror of them.
    services = { ...services, ...mirroredSources(services, mirrorsFor(ctx)) };
    // Jsonnet and the convert extension turn the configuration into YAML for the trigger and the runners.
    services = {
      ...services,
      config: convertingConfigSource(services.config, ctx.config.convert, {
        db: ctx.store.db,
        openToken,
        log: ctx.logger,
      }),
    };
    cache.set(ctx, services);
  }
  return services;
}

/** The trigger's dependencies in the app `ctx` belongs to. */
export function triggerDepsOf(ctx: RouteContext): TriggerDeps {
  return {
    db: ctx.store.db,
    scm: scmServicesOf(ctx),
    system: { proto: ctx.config.serverProto, host: ctx.config.serverHost, version: ctx.version },
    now: () => Math.floor(ctx.clock.now().getTime() / 1000),
    approveForks: ctx.approveForks ?? false,
    log: ctx.logger,
    queue: schedulerOf(ctx),
  };
}

/**
 * Gives the repo routes their repo hooks when the deployment wired none: enabling a local bare
 * repository installs its post-receive hook, enabling a GitHub/Gitea/GitLab repository registers
 * its webhook through the SCM's API (HANGAR_*_API, the owner's or the configured token).
 */
export function provideRepoHooks(ctx: RouteContext): void {
  if (ctx.repoHooks) return;
  const hookUrl = () => `${serverLink(ctx.config)}/hook`;
  ctx.repoHooks = routedRepoHooks(
    localRepoHooks({ hookUrl }),
    scmRepoHooks({
      hookUrl,
      endpoints: { ...ctx.config.status.endpoints },
      tokens: { ...ctx.config.status.tokens },
      userToken: async (user) => (await scmTokensOf(ctx).fresh(user)).oauth_token,
      log: ctx.logger,
    }),
  );
}
