// GitHub webhooks (go-scm driver/github + drone service/hook/parser). `X-GitHub-Event` names the
// event; `X-Hub-Signature-256: sha256=<hex>` signs the raw body (`X-Hub-Signature: sha1=` as the
// fallback). Payloads may arrive form-encoded (`payload=<json>`), the signature still covers the
// raw body.
import { EMPTY_COMMIT, type HookRepo, isEmptyCommit, newHook, trimRef } from './hook.js';
import { arr, changedFilesOf, int, type JsonObject, obj, parseObject, str, unixTime } from './json.js';
import {
  header,
  type Interpretation,
  refDeleted,
  type SignatureCheck,
  type WebhookDialect,
  type WebhookRequest,
} from './provider.js';
import { validHmac } from './verify.js';

/** GitHub lists at most this many commits in a push payload; a full list may have been cut. */
const COMMIT_LIST_LIMIT = 20;

function repoOf(payload: JsonObject): HookRepo {
  const r = obj(payload.repository);
  const namespace = str(obj(r.owner).login);
  const name = str(r.name);
  return {
    uid: str(r.id),
    namespace,
    name,
    slug: namespace && name ? `${namespace}/${name}` : str(r.full_name),
    git_http_url: str(r.clone_url),
    git_ssh_url: str(r.ssh_url),
    link: str(r.html_url),
    default_branch: str(r.default_branch),
    private: r.private === true,
  };
}

function push(payload: JsonObject, repo: HookRepo): Interpretation {
  const ref = str(payload.ref);
  const head = obj(payload.head_commit);
  let sha = str(payload.after);
  // go-scm issue 8: for a tag the head commit, not the tag object, is what gets built.
  if (ref.startsWith('refs/tags/') && str(head.id) !== '') sha = str(head.id);
  if (sha === '' || isEmptyCommit(sha) || payload.deleted === true) {
    return refDeleted(repo, ref);
  }
  const author = obj(head.author);
  const sender = obj(payload.sender);
  const commits = arr(payload.commits);
  const isTag = ref.startsWith('refs/tags/');
  const before = str(payload.before);
  const hook = newHook({
    event: isTag ? 'tag' : 'push',
    action: isTag ? 'create' : before === EMPTY_COMMIT ? 'create' : '',
    link: str(payload.compare),
    timestamp: unixTime(head.timestamp),
    message: str(head.message),
    before,
    after: sha,
    ref,
    source: isTag ? trimRef(str(payload.base_ref)) : ref.replace(/^refs\/heads\//, ''),
    target: isTag ? trimRef(str(payload.base_ref)) : ref.replace(/^refs\/heads\//, ''),
    author_login: str(author.username),
    author_name: str(author.name),
    author_email: str(author.email),
    author_avatar: str(sender.avatar_url),
    sender: str(sender.login),
  });
  if (commits.length > 0 && commits.length < COMMIT_LIST_LIMIT) hook.changed_files = changedFilesOf(commits);
  return { kind: 'build', repo, hook };
}

const PR_ACTIONS: Record<string, string> = {
  opened: 'opened',
  synchronize: 'synchronized',
  reopened: 'reopened',
};

function pullRequest(payload: JsonObject, repo: HookRepo): Interpretation {
  const action = str(payload.action);
  const pr = obj(payload.pull_request);
  const number = int(pr.number) || int(payload.number);
  if (action === 'closed') {
    return {
      kind: 'ignored',
      repo,
      reason: 'pull_request_closed',
      detail: `pull request #${number} was closed`,
      cleanup: { type: 'pull_request', name: String(number) },
    };
  }
  const mapped = PR_ACTIONS[action];
  if (!mapped) {
    return {
      kind: 'ignored',
      repo,
      reason: 'unsupported_action',
      detail: `pull_request action "${action}" is not built`,
    };
  }
  const head = obj(pr.head);
  const base = obj(pr.base);
  const user = obj(pr.user);
  const sender = obj(payload.sender);
  const title = str(pr.title);
  const hook = newHook({
    event: 'pull_request',
    action: mapped,
    link: str(pr.html_url),
    timestamp: unixTime(pr.created_at),
    title,
    // GitHub often leaves the body empty: Drone falls back to the title.
    message: str(pr.body) || title,
    before: str(base.sha),
    after: str(head.sha),
    ref: `refs/pull/${number}/head`,
    source_repo: str(obj(head.repo).full_name),
    source: str(head.ref),
    target: str(base.ref),
    author_login: str(user.login),
    author_avatar: str(user.avatar_url) || str(sender.avatar_url),
    sender: str(sender.login),
  });
  return { kind: 'build', repo, hook };
}

// go-scm decides whether a deployment names a tag with this (admittedly rough) pattern.
const TAG_LIKE = /^v?(\d+).(.+)/;

function deployment(payload: JsonObject, repo: HookRepo): Interpretation {
  const d = obj(payload.deployment);
  const sender = obj(payload.sender);
  // A deployment of a bare commit names no branch or tag (go-scm leaves the ref empty).
  const name = /^[0-9a-f]{40}$/.test(str(d.ref)) ? '' : str(d.ref);
  let ref = name;
  if (name !== '' && !name.startsWith('refs/'))
    ref = `${TAG_LIKE.test(name) ? 'refs/tags' : 'refs/heads'}/${name}`;
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(d.payload))) {
    params[k] = typeof v === 'string' ? v : v === null ? '<nil>' : JSON.stringify(v);
  }
  const hook = newHook({
    event: 'promote',
    link: str(d.environment_url),
    timestamp: unixTime(d.created_at),
    message: str(d.description),
    after: str(d.sha),
    ref,
    source: name,
    target: name,
    author_login: str(sender.login),
    author_avatar: str(sender.avatar_url),
    sender: str(sender.login),
    deploy_to: str(d.environment),
    deploy_id: int(d.id),
    params,
  });
  return { kind: 'build', repo, hook };
}

function refEvent(event: 'create' | 'delete', payload: JsonObject, repo: HookRepo): Interpretation {
  const refType = str(payload.ref_type);
  const ref = str(payload.ref);
  if (event === 'delete') {
    const cleanup = refType === 'branch' ? { type: 'branch' as const, name: trimRef(ref) } : undefined;
    return {
      kind: 'ignored',
      repo,
      reason: 'ref_deleted',
      detail: `${refType} ${ref} was deleted`,
      ...(cleanup && { cleanup }),
    };
  }
  if (refType === 'tag') {
    return { kind: 'ignored', repo, reason: 'tag_via_push', detail: 'tags are built from the push event' };
  }
  return {
    kind: 'ignored',
    repo,
    reason: 'unsupported_action',
    detail: `creating a ${refType || 'ref'} is not built`,
  };
}

/** GitHub's dialect. */
export const github: WebhookDialect = {
  provider: 'github',
  event: (req) => header(req, 'x-github-event'),
  payload(req: WebhookRequest): JsonObject | undefined {
    const type = header(req, 'content-type') ?? '';
    if (type.startsWith('application/x-www-form-urlencoded')) {
      const form = new URLSearchParams(req.body.toString('utf8'));
      const p = form.get('payload');
      return p === null ? undefined : parseObject(p);
    }
    return parseObject(req.body.toString('utf8'));
  },
  interpret(event: string, payload: JsonObject): Interpretation {
    switch (event) {
      case 'push':
        return push(payload, repoOf(payload));
      case 'pull_request':
        return pullRequest(payload, repoOf(payload));
      case 'deployment':
        return deployment(payload, repoOf(payload));
      case 'create':
      case 'delete':
        return refEvent(event, payload, repoOf(payload));
      default:
        return { kind: 'unknown', detail: `GitHub event "${event}" is not handled` };
    }
  },
  verify(req: WebhookRequest, _payload: JsonObject, key: string): SignatureCheck {
    const sha256 = header(req, 'x-hub-signature-256');
    if (sha256) return validHmac('sha256', key, req.body, sha256, 'sha256=') ? 'valid' : 'invalid';
    const sha1 = header(req, 'x-hub-signature');
    if (sha1) return validHmac('sha1', key, req.body, sha1, 'sha1=') ? 'valid' : 'invalid';
    return 'missing';
  },
};
