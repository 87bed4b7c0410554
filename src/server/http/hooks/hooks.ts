// `POST /hook` (drone handler/web/hook.go): webhooks from GitHub, Gitea, GitLab and local pushes.
// The raw body is kept for the signature check, so this module parses no JSON itself. Answers:
// 400 for a request that is not an authentic webhook of a known repository (nothing written),
// 200 `null` for an inactive repository or an event that builds nothing, 204 when a deleted
// branch or closed pull request retires its latest-build entry, 200 with the build otherwise.
import type { FastifyReply } from 'fastify';
import type { App, RouteContext } from '../../app.js';
import { type HookRepo, type Provider, WebhookError } from '../../scm/hook.js';
import { isMirrored } from '../../scm/mirror.js';
import { parseWebhook } from '../../scm/webhook.js';
import type { Repo } from '../../store/models.js';
import { findRepoBySlug, findRepoByUid } from '../../store/queries/repos.js';
import { retireLatest } from '../../trigger/latest.js';
import { triggerBuild } from '../../trigger/trigger.js';
import { buildWithStagesJson } from '../api/builds-present.js';
import { provideRepoHooks, triggerDepsOf } from './services.js';

/** Drone reads webhook bodies up to 10 MB. */
const HOOK_BODY_LIMIT = 10_000_000;

/** Registers `POST /hook`. */
export function hookRoutes(app: App, ctx: RouteContext): void {
  provideRepoHooks(ctx);
  const db = ctx.store.db;

  // Every body arrives as the bytes that were signed.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: HOOK_BODY_LIMIT }, (_req, body, done) => {
    done(null, body);
  });

  app.post('/hook', { bodyLimit: HOOK_BODY_LIMIT }, async (request, reply) => {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    let repo: Repo | undefined;
    const secretFor = async (named: HookRepo, provider: Provider): Promise<string> => {
      repo = await findRepoBySlug(db, named.slug);
      // A renamed repository keeps its SCM id.
      if (!repo && named.uid !== '' && provider !== 'local') {
        const byUid = await findRepoByUid(db, named.uid);
        if (byUid && byUid.scm === provider) repo = byUid;
      }
      if (!repo) throw new WebhookError('unknown_repo', 'Cannot find repository');
      // A repo mirrored from a plain git remote takes the push webhooks of whatever forge hosts it.
      if (repo.scm !== '' && repo.scm !== provider && !isMirrored(repo)) {
        throw new WebhookError(
          'wrong_provider',
          `repository ${repo.slug} is a ${repo.scm} repository, not ${provider}`,
        );
      }
      if (repo.signer === '')
        throw new WebhookError('unknown_repo', `repository ${repo.slug} has no webhook secret`);
      return repo.signer;
    };
    let outcome: Awaited<ReturnType<typeof parseWebhook>>;
    try {
      outcome = await parseWebhook(
        { headers: request.headers, body, query: request.query as Record<string, string | undefined> },
        secretFor,
      );
    } catch (err) {
      if (!(err instanceof WebhookError)) throw err;
      request.log.info({ reason: err.reason, detail: err.message }, 'hook: refused');
      return reply.code(err.statusCode).send({ message: err.message });
    }
    if (outcome.kind === 'ignored') {
      request.log.debug({ reason: outcome.reason, detail: outcome.detail }, 'hook: ignored');
      if (outcome.cleanup && repo) {
        await retireLatest(db, repo.id, outcome.cleanup.type, outcome.cleanup.name);
        return reply.code(204).send();
      }
      return sendNull(reply);
    }
    if (!repo) throw new Error('hook: repository lookup did not run');
    if (!repo.active) return sendNull(reply);
    const result = await triggerBuild(triggerDepsOf(ctx), repo, outcome.hook);
    if (result.kind === 'skipped') return sendNull(reply);
    return reply.code(200).send(buildWithStagesJson(result.build, result.stages, []));
  });
}

function sendNull(reply: FastifyReply) {
  return reply.code(200).header('content-type', 'application/json; charset=utf-8').send('null');
}
