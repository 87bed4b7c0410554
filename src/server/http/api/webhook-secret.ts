// Hangar: `GET /api/repos/{owner}/{name}/webhook` (repo admins) — where and with which secret the
// forge hosting a repo mirrored from a plain git remote (scm `git`) should send its push webhooks.
// Hangar registers the webhooks of GitHub/Gitea/GitLab repos and the post-receive hooks of local
// ones itself, so only a remote's admin ever needs the secret (Drone never shows it).
import type { App, RouteContext } from '../../app.js';
import { authorizeRepo } from '../../auth/access.js';
import { serverLink } from '../../config.js';
import { isMirrored } from '../../scm/mirror.js';
import { badRequest } from './errors.js';
import { RepoParams } from './params.js';

/** Registers `GET /api/repos/{owner}/{name}/webhook`. */
export function webhookSecretRoutes(app: App, ctx: RouteContext): void {
  app.get('/api/repos/:owner/:name/webhook', { schema: { params: RepoParams } }, async (request) => {
    const { owner, name } = request.params;
    const { repo } = await authorizeRepo(ctx.store.db, request.user, owner, name, 'admin');
    if (!isMirrored(repo)) {
      throw badRequest(`${repo.slug} is not a git remote: Hangar registers its webhook or hook itself`);
    }
    if (repo.signer === '') throw badRequest(`${repo.slug} has no webhook secret; enable it first`);
    return { url: `${serverLink(ctx.config)}/hook`, secret: repo.signer };
  });
}
