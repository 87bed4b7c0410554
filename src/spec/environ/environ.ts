// The DRONE_* / CI_* build variables (drone-reference.md §4.6, runner-go `environ` and `clone`).
// Each group is a function so that the runner can re-apply the live groups (build, stage, step) at
// execution time, as Drone does. Times are unix seconds; "now" is passed in because spec is pure.
import type { BuildContext, BuildInfo, Netrc, RepoInfo, StageInfo, SystemInfo } from '../context.js';
import { calverEnviron } from './calver.js';
import { semverEnviron } from './semver.js';

type Env = Record<string, string>;

const FAILING = new Set(['error', 'failure', 'killed']);

/** Later maps win, like runner-go's `environ.Combine`. */
export function combine(...maps: (Env | undefined)[]): Env {
  const out: Env = {};
  for (const m of maps) if (m) Object.assign(out, m);
  return out;
}

/** `CI`, `DRONE` and DRONE_SYSTEM_* (Drone fills DRONE_SYSTEM_HOSTNAME with the host, too). */
export function systemEnviron(system: SystemInfo): Env {
  return {
    CI: 'true',
    DRONE: 'true',
    DRONE_SYSTEM_PROTO: system.proto,
    DRONE_SYSTEM_HOST: system.host,
    DRONE_SYSTEM_HOSTNAME: system.host,
    DRONE_SYSTEM_VERSION: system.version,
  };
}

/** DRONE_REPO* / DRONE_GIT_* and the legacy CI_REPO* variables. */
export function repoEnviron(repo: RepoInfo): Env {
  return {
    DRONE_REPO: repo.slug,
    DRONE_REPO_SCM: repo.scm,
    DRONE_REPO_OWNER: repo.namespace,
    DRONE_REPO_NAMESPACE: repo.namespace,
    DRONE_REPO_NAME: repo.name,
    DRONE_REPO_LINK: repo.link,
    DRONE_REPO_BRANCH: repo.branch,
    DRONE_REMOTE_URL: repo.httpUrl,
    DRONE_GIT_HTTP_URL: repo.httpUrl,
    DRONE_GIT_SSH_URL: repo.sshUrl,
    DRONE_REPO_VISIBILITY: repo.visibility,
    DRONE_REPO_PRIVATE: String(repo.private),
    CI_REPO: repo.slug,
    CI_REPO_NAME: repo.slug,
    CI_REPO_LINK: repo.link,
    CI_REPO_REMOTE: repo.httpUrl,
    CI_REMOTE_URL: repo.httpUrl,
    CI_REPO_PRIVATE: String(repo.private),
  };
}

/** True when Drone reports the build as failing (its own status or any failed stage). */
export function isBuildFailing(build: BuildInfo): boolean {
  return FAILING.has(build.status) || build.failedStages.length > 0;
}

/** True when Drone reports the stage as failing (ignored step failures are not in failedSteps). */
export function isStageFailing(stage: StageInfo): boolean {
  return FAILING.has(stage.status) || stage.failedSteps.length > 0;
}

function time(t: number, now: number | undefined): string {
  return String(t === 0 && now !== undefined ? now : t);
}

/** DRONE_BUILD_* / DRONE_COMMIT_* / tag, semver, calver and pull-request variables, plus legacy CI_*. */
export function buildVars(build: BuildInfo, now?: number): Env {
  const env: Env = {
    DRONE_BRANCH: build.target,
    DRONE_SOURCE_BRANCH: build.source,
    DRONE_TARGET_BRANCH: build.target,
    DRONE_COMMIT: build.after,
    DRONE_COMMIT_SHA: build.after,
    DRONE_COMMIT_BEFORE: build.before,
    DRONE_COMMIT_AFTER: build.after,
    DRONE_COMMIT_REF: build.ref,
    DRONE_COMMIT_BRANCH: build.target,
    DRONE_COMMIT_LINK: build.link,
    DRONE_COMMIT_MESSAGE: build.message,
    DRONE_COMMIT_AUTHOR: build.authorLogin,
    DRONE_COMMIT_AUTHOR_EMAIL: build.authorEmail,
    DRONE_COMMIT_AUTHOR_AVATAR: build.authorAvatar,
    DRONE_COMMIT_AUTHOR_NAME: build.authorName,
    DRONE_BUILD_NUMBER: String(build.number),
    DRONE_BUILD_PARENT: String(build.parent),
    DRONE_BUILD_EVENT: build.event,
    DRONE_BUILD_ACTION: build.action,
    DRONE_BUILD_STATUS: 'success',
    DRONE_BUILD_DEBUG: String(build.debug),
    DRONE_BUILD_CREATED: String(build.created),
    DRONE_BUILD_STARTED: String(build.started),
    DRONE_BUILD_FINISHED: String(build.finished),
    DRONE_DEPLOY_TO: build.deployTo,
    DRONE_DEPLOY_ID: String(build.deployId),
    DRONE_BUILD_TRIGGER: build.trigger,
    CI_BUILD_NUMBER: String(build.number),
    CI_PARENT_BUILD_NUMBER: String(build.parent),
    CI_BUILD_CREATED: String(build.created),
    CI_BUILD_STARTED: String(build.started),
    CI_BUILD_FINISHED: String(build.finished),
    CI_BUILD_STATUS: build.status,
    CI_BUILD_EVENT: build.event,
    CI_BUILD_LINK: build.link,
    CI_BUILD_TARGET: build.deployTo,
    CI_COMMIT_SHA: build.after,
    CI_COMMIT_REF: build.ref,
    CI_COMMIT_BRANCH: build.target,
    CI_COMMIT_MESSAGE: build.message,
    CI_COMMIT_AUTHOR: build.authorLogin,
    CI_COMMIT_AUTHOR_NAME: build.authorName,
    CI_COMMIT_AUTHOR_EMAIL: build.authorEmail,
    CI_COMMIT_AUTHOR_AVATAR: build.authorAvatar,
  };
  if (isBuildFailing(build)) {
    env.DRONE_BUILD_STATUS = 'failure';
    env.DRONE_FAILED_STAGES = build.failedStages.join(',');
  }
  // Only the DRONE_ times fall back to "now"; the legacy CI_ ones keep the raw value, as in Drone.
  env.DRONE_BUILD_STARTED = time(build.started, now);
  env.DRONE_BUILD_FINISHED = time(build.finished, now);
  if (build.event === 'pull_request') {
    env.DRONE_PULL_REQUEST = /\d+/.exec(build.ref)?.[0] ?? '';
    env.DRONE_PULL_REQUEST_TITLE = build.title;
  }
  if (build.ref.startsWith('refs/tags/')) {
    const tag = build.ref.slice('refs/tags/'.length);
    env.DRONE_TAG = tag;
    Object.assign(env, semverEnviron(tag), calverEnviron(tag));
  }
  return env;
}

/**
 * DRONE_STAGE_* and DRONE_CARD_PATH. Drone prints its stage row version as DRONE_STAGE_VERSION;
 * Hangar gives the Windows kernel version (`platform.version`), which is what the name promises.
 */
export function stageVars(stage: StageInfo, now?: number): Env {
  const env: Env = {
    DRONE_STAGE_KIND: stage.kind,
    DRONE_STAGE_TYPE: stage.type,
    DRONE_STAGE_NAME: stage.name,
    DRONE_STAGE_NUMBER: String(stage.number),
    DRONE_STAGE_MACHINE: stage.machine,
    DRONE_STAGE_OS: stage.os,
    DRONE_STAGE_ARCH: stage.arch,
    DRONE_STAGE_VARIANT: stage.variant,
    DRONE_STAGE_VERSION: stage.kernel,
    DRONE_STAGE_STATUS: 'success',
    DRONE_STAGE_STARTED: time(stage.started, now),
    DRONE_STAGE_FINISHED: time(stage.finished, now),
    DRONE_STAGE_DEPENDS_ON: stage.dependsOn.join(','),
    DRONE_CARD_PATH: '/dev/stdout',
  };
  if (isStageFailing(stage)) {
    env.DRONE_STAGE_STATUS = 'failure';
    env.DRONE_FAILED_STEPS = stage.failedSteps.join(',');
  }
  return env;
}

/** DRONE_STEP_NAME and DRONE_STEP_NUMBER (1-based position among the stage's reported steps). */
export function stepEnviron(name: string, number: number): Env {
  return { DRONE_STEP_NAME: name, DRONE_STEP_NUMBER: String(number) };
}

/** DRONE_BUILD_LINK = `{proto}://{host}/{slug}/{number}`. */
export function linkEnviron(ctx: BuildContext): Env {
  return {
    DRONE_BUILD_LINK: `${ctx.system.proto}://${ctx.system.host}/${ctx.repo.slug}/${ctx.build.number}`,
  };
}

/** Git identity and behaviour variables (runner-go `clone.Environ`). */
export function gitEnviron(build: BuildInfo, clone: { skipVerify?: boolean; trace?: boolean } = {}): Env {
  const name = build.authorName || 'drone';
  const email = build.authorEmail || 'noreply@drone';
  const env: Env = {
    GIT_AUTHOR_NAME: name,
    GIT_AUTHOR_EMAIL: email,
    GIT_COMMITTER_NAME: name,
    GIT_COMMITTER_EMAIL: email,
    GIT_TERMINAL_PROMPT: '0',
  };
  if (clone.trace) env.GIT_TRACE = 'true';
  if (clone.skipVerify) env.GIT_SSL_NO_VERIFY = 'true';
  return env;
}

/** DRONE_NETRC_* for a netrc with a machine (empty otherwise). The values are credentials. */
export function netrcEnviron(netrc: Netrc | undefined): Env {
  if (!netrc || netrc.machine === '') return {};
  return {
    DRONE_NETRC_MACHINE: netrc.machine,
    DRONE_NETRC_USERNAME: netrc.login,
    DRONE_NETRC_PASSWORD: netrc.password,
    DRONE_NETRC_FILE: `machine ${netrc.machine} login ${netrc.login} password ${netrc.password}`,
  };
}

export interface EnvironOptions {
  /** Unix seconds that replace zero started/finished times (Drone uses the clock). */
  now?: number;
  /** The pipeline's `clone` settings that affect git variables. */
  clone?: { skipVerify?: boolean; trace?: boolean };
}

/** System < Repo < Build < Stage < Link < git variables: the build part of every step's environment. */
export function buildEnviron(ctx: BuildContext, opts: EnvironOptions = {}): Env {
  return combine(
    systemEnviron(ctx.system),
    repoEnviron(ctx.repo),
    buildVars(ctx.build, opts.now),
    stageVars(ctx.stage, opts.now),
    linkEnviron(ctx),
    gitEnviron(ctx.build, opts.clone),
  );
}

/** The groups the runner re-applies right before a step starts: Build < Stage < Step. */
export function liveEnviron(ctx: BuildContext, step: { name: string; number: number }, now?: number): Env {
  return combine(buildVars(ctx.build, now), stageVars(ctx.stage, now), stepEnviron(step.name, step.number));
}

/**
 * The variables `${VAR}` substitution sees before the YAML is parsed: runner globals < System < Repo <
 * Build < Stage < Link < build params (never secrets, pipeline/step environment or workspace vars).
 * Values are raw; envsubst Go-quotes a multi-line value as Drone does.
 */
export function substitutionEnv(ctx: BuildContext, opts: { globals?: Env; now?: number } = {}): Env {
  return combine(
    opts.globals,
    systemEnviron(ctx.system),
    repoEnviron(ctx.repo),
    buildVars(ctx.build, opts.now),
    stageVars(ctx.stage, opts.now),
    linkEnviron(ctx),
    ctx.build.params,
  );
}
