// What an accepted stage's Details (drone-reference.md §2.2) mean for the compiler and the executor:
// the BuildContext (repo, build, stage, system, netrc), the clone source and the secrets by name.
import type { CloneSource } from '../../engine/engine.js';
import type { Details, Stage } from '../../protocol/types.js';
import { type BuildContext, emptyContext } from '../../spec/context.js';

const FAILED = new Set(['failure', 'error', 'killed']);

/** The context the stage is compiled in; `now` (unix seconds) is when it starts running. */
export function contextOf(details: Details, stage: Stage, now: number): BuildContext {
  const { repository: repo, build, system } = details;
  const ctx = emptyContext();
  ctx.repo = {
    slug: repo.slug,
    namespace: repo.namespace,
    name: repo.name,
    scm: repo.scm ?? '',
    link: repo.link ?? '',
    branch: repo.default_branch || 'main',
    httpUrl: repo.git_http_url ?? '',
    sshUrl: repo.git_ssh_url ?? '',
    private: Boolean(repo.private),
    visibility: visibilityOf(repo.visibility, repo.private),
    trusted: Boolean(repo.trusted),
    protected: Boolean(repo.protected),
    timeout: repo.timeout > 0 ? repo.timeout : 60,
    configPath: repo.config_path || '.drone.yml',
  };
  const stages = build.stages ?? [];
  ctx.build = {
    number: build.number,
    parent: build.parent ?? 0,
    status: build.status,
    event: build.event,
    action: build.action ?? '',
    trigger: build.trigger ?? '',
    link: build.link ?? '',
    ref: build.ref ?? '',
    source: build.source ?? '',
    target: build.target ?? '',
    sourceRepo: build.source_repo ?? '',
    before: build.before ?? '',
    after: build.after ?? '',
    title: build.title ?? '',
    message: build.message ?? '',
    authorLogin: build.author_login ?? '',
    authorName: build.author_name ?? '',
    authorEmail: build.author_email ?? '',
    authorAvatar: build.author_avatar ?? '',
    sender: build.sender ?? '',
    deployTo: build.deploy_to ?? '',
    deployId: build.deploy_id ?? 0,
    cron: build.cron ?? '',
    debug: Boolean(build.debug),
    params: build.params ?? {},
    created: build.created,
    started: build.started || now,
    finished: build.finished,
    failedStages: stages.filter((s) => s.id !== stage.id && FAILED.has(s.status)).map((s) => s.name),
  };
  // Hangar's server may say which files the build changed (Drone's does not: `paths` then matches).
  const changed = (build as { changed_files?: unknown }).changed_files;
  if (Array.isArray(changed) && changed.every((f) => typeof f === 'string')) ctx.build.changedFiles = changed;
  ctx.stage = {
    name: stage.name || 'default',
    number: stage.number,
    kind: stage.kind || 'pipeline',
    type: stage.type || 'docker',
    os: stage.os,
    arch: stage.arch,
    variant: stage.variant ?? '',
    kernel: stage.kernel ?? '',
    machine: stage.machine ?? '',
    status: 'running',
    started: stage.started || now,
    finished: 0,
    dependsOn: stage.depends_on ?? [],
    failedSteps: [],
  };
  ctx.system = {
    proto: system.proto,
    host: system.host,
    hostname: system.host.replace(/:\d+$/, ''),
    version: system.version,
  };
  if (details.netrc?.machine) ctx.netrc = { ...details.netrc };
  return ctx;
}

/** What the clone step fetches: the repository's clone URL at the build's ref and commit. */
export function cloneSourceOf(details: Details): CloneSource {
  const { repository: repo, build } = details;
  const src: CloneSource = {
    remote: repo.git_http_url || repo.git_ssh_url,
    ref: build.ref,
    commit: build.after,
    branch: build.target,
  };
  if (details.netrc?.machine) src.netrc = { ...details.netrc };
  return src;
}

/** The stage's secrets by name (pull secrets included: image_pull_secrets name them). */
export function secretsOf(details: Details): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of details.secrets ?? []) if (s?.name) out[s.name] = s.data ?? '';
  return out;
}

/** The YAML text of the stage's configuration (Details carry it base64-encoded, as Drone does). */
export function configText(details: Details): string {
  const data = details.config?.Data ?? '';
  return Buffer.from(data, 'base64').toString('utf8');
}

function visibilityOf(v: string | undefined, priv: boolean): 'public' | 'private' | 'internal' {
  if (v === 'public' || v === 'private' || v === 'internal') return v;
  return priv ? 'private' : 'public';
}
