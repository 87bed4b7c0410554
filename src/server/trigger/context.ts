// The BuildContext (src/spec) of a build as the server knows it: what trigger conditions, `${VAR}`
// substitution and the runner's compilation are evaluated against.
import type { BuildContext } from '../../spec/context.js';
import { emptyContext } from '../../spec/context.js';
import type { Build, Repo } from '../store/models.js';

/** What the server tells pipelines about itself (DRONE_SYSTEM_*). */
export interface SystemInfo {
  proto: string;
  /** host[:port]. */
  host: string;
  version: string;
}

/** A build's fields as the context needs them; a build not created yet has no id or number. */
export type BuildFields = Omit<Build, 'id' | 'repo_id' | 'version'>;

/** The context `repo` and `build` are evaluated in (stage fields left at their defaults). */
export function buildContextOf(repo: Repo, build: BuildFields, system: SystemInfo): BuildContext {
  const ctx = emptyContext();
  ctx.repo = {
    slug: repo.slug,
    namespace: repo.namespace,
    name: repo.name,
    scm: repo.scm,
    link: repo.link,
    branch: repo.default_branch,
    httpUrl: repo.git_http_url,
    sshUrl: repo.git_ssh_url,
    private: repo.private,
    visibility: repo.visibility,
    trusted: repo.trusted,
    protected: repo.protected,
    timeout: repo.timeout,
    configPath: repo.config_path,
  };
  ctx.build = {
    ...ctx.build,
    number: build.number,
    parent: build.parent,
    status: build.status,
    event: build.event,
    action: build.action,
    trigger: build.trigger,
    link: build.link,
    ref: build.ref,
    source: build.source,
    target: build.target,
    sourceRepo: build.source_repo,
    before: build.before,
    after: build.after,
    title: build.title,
    message: build.message,
    authorLogin: build.author_login,
    authorName: build.author_name,
    authorEmail: build.author_email,
    authorAvatar: build.author_avatar,
    sender: build.sender,
    deployTo: build.deploy_to,
    deployId: build.deploy_id,
    cron: build.cron,
    debug: build.debug,
    params: build.params,
    created: build.created,
    started: build.started,
    finished: build.finished,
  };
  if (build.changed_files) ctx.build.changedFiles = build.changed_files;
  ctx.system = {
    proto: system.proto,
    host: system.host,
    hostname: system.host.replace(/:\d+$/, ''),
    version: system.version,
  };
  return ctx;
}
