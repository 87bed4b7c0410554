// Gitea (and Forgejo) webhooks (go-scm driver/gitea + drone service/hook/parser). `X-Gitea-Event`
// names the event (`X-Forgejo-Event` too); `X-Gitea-Signature` is the hex HMAC-SHA256 of the raw
// body. Old Gitea versions sent no signature but a `secret` in the push payload, and go-scm also
// accepts `?secret=`: both are compared in constant time.
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
import { safeEqual, validHmac } from './verify.js';

function login(user: JsonObject): string {
  return str(user.username) || str(user.login);
}

function repoOf(payload: JsonObject): HookRepo {
  const r = obj(payload.repository);
  const namespace = login(obj(r.owner));
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
  const after = str(payload.after);
  if (after === '' || isEmptyCommit(after)) {
    return refDeleted(repo, ref);
  }
  const commits = arr(payload.commits);
  // Gitea lists the newest commit first; newer versions also send it as head_commit.
  const head = obj(payload.head_commit ?? commits[0]);
  const hasHead = Object.keys(head).length > 0;
  const pusher = obj(payload.pusher);
  const sender = obj(payload.sender);
  const author = hasHead ? obj(head.author) : {};
  const isTag = ref.startsWith('refs/tags/');
  const before = str(payload.before);
  const hook = newHook({
    event: isTag ? 'tag' : 'push',
    action: isTag ? 'create' : before === EMPTY_COMMIT ? 'create' : '',
    link: str(payload.compare_url),
    timestamp: unixTime(head.timestamp),
    message: str(head.message),
    before,
    after,
    ref,
    source: isTag ? '' : ref.replace(/^refs\/heads\//, ''),
    target: isTag ? '' : ref.replace(/^refs\/heads\//, ''),
    author_login: hasHead ? str(author.username) : login(pusher),
    author_name: hasHead ? str(author.name) : str(pusher.full_name),
    author_email: hasHead ? str(author.email) : str(pusher.email),
    // Gitea payloads carry no commit author avatar: Drone uses the sender's.
    author_avatar: str(sender.avatar_url),
    sender: login(sender),
  });
  const total = int(payload.total_commits);
  if (commits.length > 0 && (total === 0 || total === commits.length))
    hook.changed_files = changedFilesOf(commits);
  return { kind: 'build', repo, hook };
}

const PR_ACTIONS: Record<string, string> = {
  opened: 'opened',
  open: 'opened',
  synchronized: 'synchronized',
  synchronize: 'synchronized',
  reopened: 'reopened',
  reopen: 'reopened',
};

function pullRequest(payload: JsonObject, repo: HookRepo): Interpretation {
  const action = str(payload.action);
  const pr = obj(payload.pull_request);
  const number = int(pr.number) || int(payload.number);
  if (action === 'closed' || action === 'close') {
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
    message: str(pr.body) || title,
    before: str(base.sha),
    after: str(head.sha),
    ref: `refs/pull/${number}/head`,
    source_repo: str(obj(head.repo).full_name),
    source: str(head.ref),
    target: str(base.ref),
    author_login: login(user),
    author_name: str(user.full_name),
    author_email: str(user.email),
    author_avatar: str(user.avatar_url) || str(sender.avatar_url),
    sender: login(sender),
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

/** Gitea's dialect (Forgejo speaks it too). */
export const gitea: WebhookDialect = {
  provider: 'gitea',
  event: (req) => header(req, 'x-gitea-event') ?? header(req, 'x-forgejo-event'),
  payload: (req) => parseObject(req.body.toString('utf8')),
  interpret(event: string, payload: JsonObject): Interpretation {
    switch (event) {
      case 'push':
        return push(payload, repoOf(payload));
      case 'pull_request':
        return pullRequest(payload, repoOf(payload));
      case 'create':
      case 'delete':
        return refEvent(event, payload, repoOf(payload));
      default:
        return { kind: 'unknown', detail: `Gitea event "${event}" is not handled` };
    }
  },
  verify(req: WebhookRequest, payload: JsonObject, key: string): SignatureCheck {
    const signature = header(req, 'x-gitea-signature') ?? header(req, 'x-forgejo-signature');
    if (signature) return validHmac('sha256', key, req.body, signature) ? 'valid' : 'invalid';
    const secret = str(payload.secret) || (req.query?.secret ?? '');
    if (secret) return safeEqual(secret, key) ? 'valid' : 'invalid';
    return 'missing';
  },
};
