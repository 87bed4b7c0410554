// Shared helpers for the webhook tests: sign a corpus payload the way its SCM would, and build the
// request the parser reads.
import { createHmac } from 'node:crypto';
import type { Provider } from '../../src/server/scm/hook.js';
import type { WebhookRequest } from '../../src/server/scm/provider.js';

/** The header each SCM names its event with. */
export const EVENT_HEADER: Record<Exclude<Provider, 'local'>, string> = {
  github: 'x-github-event',
  gitea: 'x-gitea-event',
  gitlab: 'x-gitlab-event',
};

/** Signature headers an SCM would send for `body` with `secret`. */
export function signatureHeaders(
  provider: Provider,
  body: Buffer | string,
  secret: string,
): Record<string, string> {
  const hmac = (algo: string) => createHmac(algo, secret).update(body).digest('hex');
  switch (provider) {
    case 'github':
      return { 'x-hub-signature-256': `sha256=${hmac('sha256')}` };
    case 'gitea':
      return { 'x-gitea-signature': hmac('sha256') };
    case 'gitlab':
      return { 'x-gitlab-token': secret };
    case 'local':
      return { 'x-hangar-signature': `sha256=${hmac('sha256')}` };
  }
}

/** A signed webhook request for `body`. */
export function signedRequest(
  provider: Exclude<Provider, 'local'>,
  event: string,
  body: Buffer | string,
  secret: string,
): WebhookRequest {
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return {
    headers: {
      'content-type': 'application/json',
      [EVENT_HEADER[provider]]: event,
      ...signatureHeaders(provider, raw, secret),
    },
    body: raw,
  };
}
