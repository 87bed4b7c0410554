// GitLab webhooks (go-scm driver/gitlab + drone service/hook/parser). `X-Gitlab-Event` names the
// hook (`Push Hook`, `Tag Push Hook`, `Merge Request Hook`, or `System Hook` with the kind in
// `object_kind`); `X-Gitlab-Token` must equal the secret (compared in constant time).
import { EMPTY_COMMIT, type HookRepo, isEmptyCommit, newHook } from './hook.js';
import { arr, changedFilesOf, int, type JsonObject, obj, parseObject, str, unixTime } from './json.js';
import {
  header,
  type Interpretation,
  refDeleted,
  type SignatureCheck,
  type WebhookDialect,
  type WebhookRequest,
} from './provider.js';
import { safeEqual } from './verify.js';

function repoOf(payload: JsonObject): HookRepo {
  const p = obj(payload.project);
  const path = str(p.path_with_namespace);
  const cut = path.lastIndexOf('/');
  return {
    uid: str(p.id),
    namespace: cut > 0 ? path.slice(0, cut) : '',
    name: cut > 0 ? path.slice(cut + 1) : path,
    slug: path,
    git_http_url: str(p.git_http_url),
    git_ssh_url: str(p.git_ssh_url),
    link: str(p.web_url),
    default_branch: str(p.default_branch),
    // 0 public, 10 internal, 20 private.
    private: int(p.visibility_level) > 0,
  };
}

function push(payload: JsonObject, repo: HookRepo): Interpretation {
  const rawRef = str(payload.ref);
  const ref = rawRef.startsWith('refs/') ? rawRef : `refs/heads/${rawRef}`;
  const after = str(payload.after);
  // An annotated tag's `after` is the tag object; `checkout_sha` is the commit to build.
  const sha = str(payload.checkout_sha) || after;
  if (sha === '' || isEmptyCommit(after) || isEmptyCommit(sha)) {
    return refDeleted(repo, ref);
  }
  const commits = arr(payload.commits);
  const head = obj(commits.find((c) => str(obj(c).id) === sha) ?? commits[commits.length - 1]);
  const isTag = ref.startsWith('refs/tags/');
  const before = str(payload.before);
  const hook = newHook({
    event: isTag ? 'tag' : 'push',
    action: isTag ? 'create' : before === EMPTY_COMMIT ? 'create' : '',
    link: str(head.url),
    timestamp: unixTime(head.timestamp),
    message: str(head.message),
    before,
    after: sha,
    ref,
    source: isTag ? '' : ref.replace(/^refs\/heads\//, ''),
    target: isTag ? '' : ref.replace(/^refs\/heads\//, ''),
    author_login: str(payload.user_username),
    author_name: str(payload.user_name),
    author_email: str(payload.user_email),
    author_avatar: str(payload.user_avatar),
    sender: str(payload.user_username),
  });
  const total = int(payload.total_commits_count);
  if (commits.length > 0 && (total === 0 || total === commits.length))
    hook.changed_files = changedFilesOf(commits);
  return { kind: 'build', repo, hook };
}

function mergeRequest(payload: JsonObject, repo: HookRepo): Interpretation {
  const attrs = obj(payload.object_attributes);
  const action = str(attrs.action) || 'open';
  const iid = int(attrs.iid);
  if (action === 'close' || action === 'merge') {
    return {
      kind: 'ignored',
      repo,
      reason: 'pull_request_closed',
      detail: `merge request !${iid} was ${action === 'merge' ? 'merged' : 'closed'}`,
      cleanup: { type: 'pull_request', name: String(iid) },
    };
  }
  let mapped: string | undefined;
  if (action === 'open') mapped = 'opened';
  else if (action === 'reopen') mapped = 'reopened';
  // An update is a push to the merge request only when GitLab says where the branch was before
  // (`oldrev`); title, label, assignee and draft changes arrive as updates too and are not built.
  else if (action === 'update' && str(attrs.oldrev) !== '') mapped = 'synchronized';
  if (!mapped) {
    const what = action === 'update' ? 'an update without new commits' : `merge request action "${action}"`;
    return { kind: 'ignored', repo, reason: 'unsupported_action', detail: `${what} is not built` };
  }
  const user = obj(payload.user);
  const title = str(attrs.title);
  const lastCommit = obj(attrs.last_commit);
  const hook = newHook({
    event: 'pull_request',
    action: mapped,
    link: str(attrs.url),
    timestamp: unixTime(attrs.created_at),
    title,
    message: str(attrs.description) || title,
    after: str(lastCommit.id),
    ref: `refs/merge-requests/${iid}/head`,
    source_repo: str(obj(attrs.source).path_with_namespace),
    source: str(attrs.source_branch),
    target: str(attrs.target_branch),
    author_login: str(user.username),
    author_name: str(user.name),
    author_email: str(user.email),
    author_avatar: str(user.avatar_url),
    sender: str(user.username),
  });
  return { kind: 'build', repo, hook };
}

/** GitLab's dialect. */
export const gitlab: WebhookDialect = {
  provider: 'gitlab',
  event: (req) => header(req, 'x-gitlab-event'),
  payload: (req) => parseObject(req.body.toString('utf8')),
  interpret(event: string, payload: JsonObject): Interpretation {
    const known = ['Push Hook', 'Tag Push Hook', 'Merge Request Hook', 'System Hook'];
    if (!known.includes(event)) return { kind: 'unknown', detail: `GitLab event "${event}" is not handled` };
    const kind = str(payload.object_kind);
    switch (kind) {
      case 'push':
      case 'tag_push':
        return push(payload, repoOf(payload));
      case 'merge_request':
        return mergeRequest(payload, repoOf(payload));
      default:
        return { kind: 'unknown', detail: `GitLab ${event} of kind "${kind}" is not handled` };
    }
  },
  verify(req: WebhookRequest, _payload: JsonObject, key: string): SignatureCheck {
    const token = header(req, 'x-gitlab-token');
    if (!token) return 'missing';
    return safeEqual(token, key) ? 'valid' : 'invalid';
  },
};
