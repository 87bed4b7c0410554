// Hangar's own webhook: what the `post-receive` hook of a local bare repository sends for every
// ref a `git push` updated. The payload names only the ref and the two shas; the server reads the
// commit (message, author, changed files) from the repository itself. Signed like GitHub's, with
// the repository's webhook secret: `X-Hangar-Signature: sha256=<hex HMAC of the body>`.
import { EMPTY_COMMIT, type HookRepo, isEmptyCommit, newHook, trimRef } from './hook.js';
import { type JsonObject, parseObject, str } from './json.js';
import {
  header,
  type Interpretation,
  type SignatureCheck,
  type WebhookDialect,
  type WebhookRequest,
} from './provider.js';
import { hmacHex, validHmac } from './verify.js';

/** The body the post-receive hook sends. */
export interface LocalPushPayload {
  /** `owner/name` of the repository in Hangar. */
  repo: string;
  ref: string;
  before: string;
  after: string;
  /** Who pushed (the hook's `$USER`), when known. */
  sender?: string;
}

/** The headers and body of a signed local push notification. */
export function signLocalPush(
  payload: LocalPushPayload,
  key: string,
): { headers: Record<string, string>; body: string } {
  const body = JSON.stringify(payload);
  return {
    headers: {
      'content-type': 'application/json',
      'x-hangar-event': 'push',
      'x-hangar-signature': `sha256=${hmacHex('sha256', key, body)}`,
    },
    body,
  };
}

function repoOf(payload: JsonObject): HookRepo {
  const slug = str(payload.repo);
  const cut = slug.lastIndexOf('/');
  return {
    uid: '',
    namespace: cut > 0 ? slug.slice(0, cut) : '',
    name: cut > 0 ? slug.slice(cut + 1) : slug,
    slug,
    git_http_url: '',
    git_ssh_url: '',
    link: '',
    default_branch: '',
    private: false,
  };
}

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

function push(payload: JsonObject, repo: HookRepo): Interpretation {
  const ref = str(payload.ref);
  const before = str(payload.before);
  const after = str(payload.after);
  if (isEmptyCommit(after)) {
    const cleanup = ref.startsWith('refs/heads/')
      ? { type: 'branch' as const, name: trimRef(ref) }
      : undefined;
    return {
      kind: 'ignored',
      repo,
      reason: 'ref_deleted',
      detail: `${ref} was deleted`,
      ...(cleanup && { cleanup }),
    };
  }
  const isTag = ref.startsWith('refs/tags/');
  if (!isTag && !ref.startsWith('refs/heads/')) {
    return {
      kind: 'ignored',
      repo,
      reason: 'unsupported_action',
      detail: `pushes to ${ref || 'an empty ref'} are not built`,
    };
  }
  const branch = isTag ? '' : trimRef(ref);
  const hook = newHook({
    event: isTag ? 'tag' : 'push',
    action: isTag || before === EMPTY_COMMIT ? 'create' : '',
    before,
    after,
    ref,
    source: branch,
    target: branch,
    sender: str(payload.sender),
    author_login: str(payload.sender),
  });
  return { kind: 'build', repo, hook };
}

/** The local provider's dialect. */
export const local: WebhookDialect = {
  provider: 'local',
  event: (req) => header(req, 'x-hangar-event'),
  payload(req: WebhookRequest): JsonObject | undefined {
    const p = parseObject(req.body.toString('utf8'));
    if (!p) return undefined;
    // Shas and refs end up in git command lines: accept only well-formed ones.
    const ok =
      str(p.repo).includes('/') &&
      /^refs\/[^\s\\:~^?*[]+$/.test(str(p.ref)) &&
      !str(p.ref).includes('..') &&
      SHA.test(str(p.before)) &&
      SHA.test(str(p.after));
    return ok ? p : undefined;
  },
  interpret(event: string, payload: JsonObject): Interpretation {
    if (event !== 'push') return { kind: 'unknown', detail: `local event "${event}" is not handled` };
    return push(payload, repoOf(payload));
  },
  verify(req: WebhookRequest, _payload: JsonObject, key: string): SignatureCheck {
    const signature = header(req, 'x-hangar-signature');
    if (!signature) return 'missing';
    return validHmac('sha256', key, req.body, signature, 'sha256=') ? 'valid' : 'invalid';
  },
};
