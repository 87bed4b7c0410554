// The JSON of each resource as Drone's API shows it (drone-reference.md §5.1): field names and
// omissions are Drone's. Presenters pick fields explicitly, so a hidden column (token hashes, repo
// signer/secret, secret values) can never leak by being forgotten.
import type { Build, Cron, Perm, Repo, Secret, User } from '../../store/models.js';

/** A user (`token`, OAuth credentials hidden). */
export function userJson(u: User) {
  return {
    id: u.id,
    login: u.login,
    email: u.email,
    machine: u.machine,
    admin: u.admin,
    active: u.active,
    avatar: u.avatar,
    syncing: u.syncing,
    synced: u.synced,
    created: u.created,
    updated: u.updated,
    last_login: u.last_login,
  };
}

/** A repo (`signer`, `secret` hidden); `build` and `permissions` when given. */
export function repoJson(
  r: Repo,
  extra: { build?: Build; perm?: Pick<Perm, 'read' | 'write' | 'admin'> } = {},
) {
  return {
    id: r.id,
    uid: r.uid,
    user_id: r.user_id,
    namespace: r.namespace,
    name: r.name,
    slug: r.slug,
    scm: r.scm,
    git_http_url: r.git_http_url,
    git_ssh_url: r.git_ssh_url,
    link: r.link,
    default_branch: r.default_branch,
    private: r.private,
    visibility: r.visibility,
    active: r.active,
    config_path: r.config_path,
    trusted: r.trusted,
    protected: r.protected,
    ignore_forks: r.ignore_forks,
    ignore_pull_requests: r.ignore_pull_requests,
    auto_cancel_pull_requests: r.auto_cancel_pull_requests,
    auto_cancel_pushes: r.auto_cancel_pushes,
    auto_cancel_running: r.auto_cancel_running,
    timeout: r.timeout,
    // Go's omitempty.
    ...(r.throttle ? { throttle: r.throttle } : {}),
    counter: r.counter,
    synced: r.synced,
    created: r.created,
    updated: r.updated,
    version: r.version,
    archived: r.archived,
    ...(extra.build ? { build: buildJson(extra.build) } : {}),
    ...(extra.perm
      ? { permissions: { read: extra.perm.read, write: extra.perm.write, admin: extra.perm.admin } }
      : {}),
  };
}

/** A build, without stages (Go's omitempty on the optional fields). */
export function buildJson(b: Build) {
  return {
    id: b.id,
    repo_id: b.repo_id,
    trigger: b.trigger,
    number: b.number,
    ...(b.parent ? { parent: b.parent } : {}),
    status: b.status,
    ...(b.error ? { error: b.error } : {}),
    event: b.event,
    action: b.action,
    link: b.link,
    timestamp: b.timestamp,
    ...(b.title ? { title: b.title } : {}),
    message: b.message,
    before: b.before,
    after: b.after,
    ref: b.ref,
    source_repo: b.source_repo,
    source: b.source,
    target: b.target,
    author_login: b.author_login,
    author_name: b.author_name,
    author_email: b.author_email,
    author_avatar: b.author_avatar,
    sender: b.sender,
    ...(Object.keys(b.params).length > 0 ? { params: b.params } : {}),
    ...(b.cron ? { cron: b.cron } : {}),
    ...(b.deploy_to ? { deploy_to: b.deploy_to } : {}),
    ...(b.deploy_id ? { deploy_id: b.deploy_id } : {}),
    ...(b.debug ? { debug: b.debug } : {}),
    started: b.started,
    finished: b.finished,
    created: b.created,
    updated: b.updated,
    version: b.version,
  };
}

/** A secret: never its value (Drone's Secret.Copy drops `data`). */
export function secretJson(s: Secret) {
  return {
    id: s.id,
    repo_id: s.repo_id,
    namespace: s.namespace,
    name: s.name,
    type: s.type,
    pull_request: s.pull_request,
    pull_request_push: s.pull_request_push,
  };
}

/** A cron job. */
export function cronJson(c: Cron) {
  return {
    id: c.id,
    repo_id: c.repo_id,
    name: c.name,
    expr: c.expr,
    next: c.next,
    prev: c.prev,
    event: c.event,
    branch: c.branch,
    target: c.target,
    disabled: c.disabled,
    created: c.created,
    updated: c.updated,
    version: c.version,
  };
}

/** A collaborator: a user's cached permission on a repo (Drone's core.Collaborator). */
export function collaboratorJson(p: Perm, u: Pick<User, 'login' | 'avatar'>) {
  return {
    user_id: p.user_id,
    repo_uid: '',
    login: u.login,
    avatar: u.avatar,
    read: p.read,
    write: p.write,
    admin: p.admin,
    synced: p.synced,
    created: p.created,
    updated: p.updated,
  };
}
