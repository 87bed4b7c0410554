// Turns a webhook request into a WebhookOutcome: detect the dialect, read the payload, find the
// repository's secret, check the signature over the raw body, and only then say what it means.
// Anything wrong with the request is a WebhookError (answered 4xx, nothing written).
import { gitea } from './gitea.js';
import { github } from './github.js';
import { gitlab } from './gitlab.js';
import { type HookRepo, type Provider, WebhookError, type WebhookOutcome } from './hook.js';
import { local } from './local.js';
import type { WebhookDialect, WebhookRequest } from './provider.js';

// Gitea and Forgejo also send X-GitHub-Event for compatibility, so they are asked first.
const DIALECTS: readonly WebhookDialect[] = [gitea, gitlab, local, github];

/**
 * The webhook secret of the repository a payload names; a WebhookError (`unknown_repo`,
 * `wrong_provider`) when there is none to check against.
 */
export type SecretLookup = (repo: HookRepo, provider: Provider) => Promise<string>;

/** Reads, authenticates and interprets one webhook request. */
export async function parseWebhook(req: WebhookRequest, secretFor: SecretLookup): Promise<WebhookOutcome> {
  let dialect: WebhookDialect | undefined;
  let event: string | undefined;
  for (const d of DIALECTS) {
    event = d.event(req);
    if (event !== undefined) {
      dialect = d;
      break;
    }
  }
  if (!dialect || event === undefined) {
    throw new WebhookError(
      'unknown_provider',
      'not a webhook Hangar understands: no X-GitHub-Event, X-Gitea-Event, X-Gitlab-Event or X-Hangar-Event header',
    );
  }
  const provider = dialect.provider;
  const payload = dialect.payload(req);
  if (!payload)
    throw new WebhookError('malformed', `malformed ${provider} webhook: the body is not a JSON object`);
  const meaning = dialect.interpret(event, payload);
  // Events Hangar does not handle are answered without looking further, as Drone does.
  if (meaning.kind === 'unknown') {
    return { kind: 'ignored', provider, reason: 'unknown_event', detail: meaning.detail };
  }
  if (meaning.repo.slug === '' || !meaning.repo.slug.includes('/')) {
    throw new WebhookError('malformed', `malformed ${provider} webhook: it names no repository`);
  }
  const key = await secretFor(meaning.repo, provider);
  const check = dialect.verify(req, payload, key);
  if (check === 'missing') throw new WebhookError('missing_signature', `${provider} webhook is not signed`);
  if (check === 'invalid')
    throw new WebhookError('bad_signature', `${provider} webhook signature does not match`);
  if (meaning.kind === 'build') return { kind: 'build', provider, hook: meaning.hook, repo: meaning.repo };
  return {
    kind: 'ignored',
    provider,
    reason: meaning.reason,
    detail: meaning.detail,
    repo: meaning.repo,
    ...(meaning.cleanup && { cleanup: meaning.cleanup }),
  };
}
