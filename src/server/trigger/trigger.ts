// From a Hook to a build (drone trigger/trigger.go, drone-reference.md §3.6, §5.5): skip directives
// and repo filters, the configuration at the commit, which pipelines the build gets (src/spec
// outlineBuild: trigger conditions, the stage DAG, on_success/on_failure), the signature check of
// protected repos, then the build and its stages in one transaction with the next number. Bad
// configurations make an error build (status error, the message, no stages). Afterwards: the SCM
// status, and auto-cancel of the builds the new one supersedes.
import { outlineBuild } from '../../spec/build-plan.js';
import { SignatureKeyError, verifyConfig } from '../../spec/signature.js';
import { skipDirective } from '../../spec/skip.js';
import type { Hook } from '../scm/hook.js';
import { type ChangeSource, type CommitSource, ConfigFetchError, type ConfigSource } from '../scm/content.js';
import type { StatusService } from '../scm/status/status.js';
import type { Build, Repo, Stage, User } from '../store/models.js';
import { createBuildWithStages } from '../store/queries/builds.js';
import type { NewStage } from '../store/queries/stages.js';
import { findUser } from '../store/queries/users.js';
import type { Db } from '../store/schema.js';
import { transaction } from '../store/transaction.js';
import { autoCancel } from './auto-cancel.js';
import { type BuildFields, buildContextOf, type SystemInfo } from './context.js';
import { indexBuild } from './latest.js';

/** Where the trigger reads repository content from and reports to. */
export interface ScmServices {
  config: ConfigSource;
  commits: CommitSource;
  changes: ChangeSource;
  status: StatusService;
}

/** A logger with pino's shape (the server's), or nothing. */
export interface TriggerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** What the trigger works with. */
export interface TriggerDeps {
  db: Db;
  scm: ScmServices;
  system: SystemInfo;
  /** Unix seconds now. */
  now: () => number;
  /** Hold pull requests from forks for approval: their stages start `blocked` (default off, as Drone). */
  approveForks?: boolean;
  log?: TriggerLog;
  /** The queue (src/server/scheduler): told when stages become pending, builds are cancelled or change. */
  queue?: QueueHooks;
}

/** What the trigger tells the queue. */
export interface QueueHooks {
  schedule(): void;
  cancelled(buildId: number): void;
  buildChanged(repoId: number, buildId: number): void;
}

/** What became of a hook. */
export type TriggerResult =
  | { kind: 'created'; build: Build; stages: Stage[] }
  | { kind: 'skipped'; reason: string };

/** Drone truncates titles and messages to 2000 runes. */
const MAX_TEXT = 2000;

function trunc(text: string): string {
  const chars = Array.from(text);
  return chars.length > MAX_TEXT ? chars.slice(0, MAX_TEXT).join('') : text;
}

/** The build fields a hook gives (no number yet). */
function fieldsOf(hook: Hook, now: number): BuildFields {
  return {
    trigger: hook.trigger,
    number: 0,
    parent: hook.parent,
    status: 'pending',
    error: '',
    event: hook.event,
    action: hook.action,
    link: hook.link,
    timestamp: hook.timestamp,
    title: trunc(hook.title),
    message: trunc(hook.message),
    before: hook.before,
    after: hook.after,
    ref: hook.ref,
    source_repo: hook.source_repo,
    source: hook.source,
    target: hook.target,
    author_login: hook.author_login,
    author_name: hook.author_name,
    author_email: hook.author_email,
    author_avatar: hook.author_avatar,
    sender: hook.sender,
    params: { ...hook.params },
    cron: hook.cron,
    deploy_to: hook.deploy_to,
    deploy_id: hook.deploy_id,
    debug: hook.debug,
    changed_files: hook.changed_files ?? null,
    started: 0,
    finished: 0,
    created: now,
    updated: now,
  };
}

/** Runs the trigger for `hook` on `repo`. */
export async function triggerBuild(deps: TriggerDeps, repo: Repo, input: Hook): Promise<TriggerResult> {
  const hook: Hook = { ...input, params: { ...input.params } };
  const log = deps.log;
  const fields = { repo: repo.slug, ref: hook.ref, event: hook.event, commit: hook.after };

  if (hook.event === 'pull_request') {
    if (repo.ignore_pull_requests) return skip('the repository ignores pull requests');
    if (repo.ignore_forks && hook.source_repo.toLowerCase() !== repo.slug.toLowerCase()) {
      return skip('the repository ignores pull requests from forks');
    }
  }

  const owner = repo.user_id ? await findUser(deps.db, repo.user_id) : undefined;
  if (owner && !owner.active) return skip('the repository owner is inactive');

  // The payload may not carry the commit (local pushes never do): ask the SCM, as Drone does.
  if (hook.message === '' && hook.after !== '') await fillCommit(deps.scm.commits, repo, hook);
  if (skipDirective(hook.event, hook.message, hook.title))
    return skip('skip directive in the commit message');
  if (
    hook.changed_files === undefined &&
    hook.after !== '' &&
    (hook.event === 'push' || hook.event === 'tag')
  ) {
    const changed = await deps.scm.changes.list(repo, hook.before, hook.after).catch(() => undefined);
    if (changed) hook.changed_files = changed;
  }

  const now = deps.now();
  const build = fieldsOf(hook, now);

  let text: string;
  try {
    text = await deps.scm.config.find(repo, build);
  } catch (err) {
    if (!(err instanceof ConfigFetchError)) throw err;
    log?.warn({ ...fields, err: err.message }, 'trigger: cannot find the configuration');
    return createError(deps, repo, owner, build, err.message);
  }

  const outline = outlineBuild(text, buildContextOf(repo, build, deps.system), {
    file: repo.config_path,
    trusted: repo.trusted,
  });
  if (outline.error !== undefined) {
    log?.warn({ ...fields, err: outline.error }, 'trigger: configuration error');
    return createError(deps, repo, owner, build, outline.error);
  }
  if (outline.stages.length === 0) {
    log?.info({ ...fields, skipped: outline.skipped }, 'trigger: no pipeline matches');
    return skip('no pipeline matches the build');
  }

  const blocked = needsApproval(deps, repo, hook, text);
  const stages: Omit<NewStage, 'repo_id' | 'build_id'>[] = outline.stages.map((s) => ({
    number: s.number,
    name: s.name,
    kind: s.kind,
    type: s.type,
    status: blocked ? 'blocked' : s.status,
    os: s.pipeline.platform.os || 'linux',
    arch: s.pipeline.platform.arch || 'amd64',
    variant: s.pipeline.platform.variant,
    kernel: s.pipeline.platform.version,
    limit: s.pipeline.concurrency.limit,
    throttle: repo.throttle,
    depends_on: s.dependsOn,
    on_success: s.onSuccess,
    on_failure: s.onFailure,
    labels: { ...s.pipeline.node },
    created: now,
    updated: now,
  }));

  const created = await transaction(deps.db, async (tx) => {
    const made = await createBuildWithStages(
      tx,
      { ...withoutNumber(build), repo_id: repo.id, status: blocked ? 'blocked' : 'pending' },
      stages,
    );
    await indexBuild(tx, made.build, now);
    return made;
  });
  log?.info(
    { ...fields, build: created.build.number, stages: created.stages.length },
    'trigger: build created',
  );

  deps.queue?.schedule();
  deps.queue?.buildChanged(repo.id, created.build.id);
  await sendStatus(deps, repo, owner, created.build);
  await autoCancel(deps, repo, owner, created.build);
  return { kind: 'created', build: created.build, stages: created.stages };

  function skip(reason: string): TriggerResult {
    log?.info({ ...fields, reason }, 'trigger: no build');
    return { kind: 'skipped', reason };
  }
}

function withoutNumber(build: BuildFields): Omit<BuildFields, 'number'> {
  const { number: _unused, ...rest } = build;
  return rest;
}

/** Stages start blocked for a protected repo whose configuration is not signed, and for fork pull requests when asked. */
function needsApproval(deps: TriggerDeps, repo: Repo, hook: Hook, text: string): boolean {
  if (repo.protected && hook.trigger === '@hook') {
    let verified = false;
    try {
      verified = verifyConfig(text, repo.secret);
    } catch (err) {
      if (!(err instanceof SignatureKeyError)) throw err;
    }
    if (!verified) return true;
  }
  if (
    deps.approveForks &&
    hook.trigger === '@hook' &&
    hook.event === 'pull_request' &&
    hook.source_repo !== '' &&
    hook.source_repo.toLowerCase() !== repo.slug.toLowerCase()
  ) {
    return true;
  }
  return false;
}

async function fillCommit(commits: CommitSource, repo: Repo, hook: Hook): Promise<void> {
  const commit = await commits.find(repo, hook.after).catch(() => undefined);
  if (!commit) return;
  hook.message = commit.message;
  if (hook.author_email === '') hook.author_email = commit.author.email;
  if (hook.author_name === '') hook.author_name = commit.author.name;
  if (hook.author_avatar === '') hook.author_avatar = commit.author.avatar;
  if (hook.timestamp === 0) hook.timestamp = commit.timestamp;
  if (hook.link === '') hook.link = commit.link;
}

/** An error build: status error with the message, no stages; it still takes a number and reports a status. */
async function createError(
  deps: TriggerDeps,
  repo: Repo,
  owner: User | undefined,
  build: BuildFields,
  message: string,
): Promise<TriggerResult> {
  const now = build.created;
  const { build: created } = await transaction(deps.db, async (tx) => {
    const made = await createBuildWithStages(
      tx,
      {
        ...withoutNumber(build),
        repo_id: repo.id,
        status: 'error',
        error: message,
        started: now,
        finished: now,
      },
      [],
    );
    await indexBuild(tx, made.build, now);
    return made;
  });
  deps.queue?.buildChanged(repo.id, created.id);
  await sendStatus(deps, repo, owner, created);
  return { kind: 'created', build: created, stages: [] };
}

/** Reports a build's status to its SCM; a failure is logged, never raised (Drone does the same). */
export async function sendStatus(
  deps: Pick<TriggerDeps, 'scm' | 'log'>,
  repo: Repo,
  owner: User | undefined,
  build: Build,
): Promise<void> {
  try {
    await deps.scm.status.send({ repo, build, ...(owner && { owner }) });
  } catch (err) {
    deps.log?.warn(
      { repo: repo.slug, build: build.number, err: err instanceof Error ? err.message : String(err) },
      'trigger: cannot send the commit status',
    );
  }
}
