// Compiles one pipeline (a stage) into a runner-agnostic Plan, as Drone's docker and exec runners
// compile it (drone-reference.md §4). Differences in form, not in behaviour:
// - steps that `when` leaves out are absent (Drone keeps them as run-policy `never`); edges through
//   them are rewired to what they waited on, see graph.ts;
// - the per-stage workspace volume is implied by `plan.workspace` (docker: mounted at `base` in
//   every step; exec: `base` is the stage's temporary root), not listed in `volumes`;
// - netrc credentials are not in the plan: steps entitled to them have `netrc: true`;
// - DRONE_DOCKER_NETWORK_ID / DRONE_DOCKER_VOLUME_ID name resources the engine creates, so the
//   engine, not the compiler, knows and sets them;
// - exec steps keep their `commands` and `shell`; the exec engine turns them into a script (Drone's
//   exact text is `execPosixScript`/`execPowershellScript` in script.ts, which Drone writes to
//   `<root>/opt/<step>` and runs with `/bin/sh -e <file>`).
import type { BuildContext } from '../context.js';
import { matchContextOf } from '../context.js';
import { buildEnviron, combine, stepEnviron } from '../environ/environ.js';
import type { EnvValue, Pipeline, Step } from '../manifest/types.js';
import type { ErrPolicy, Plan, PlanStep, PlanVolume, SecretRef } from '../plan.js';
import { runPolicyOf, stepWhenMatches } from '../when/conditions.js';
import { CLONE_STEP, cloneParams, cloneSpecOf, DEFAULT_CLONE_IMAGE } from './clone.js';
import { configureGraph, dropNodes } from './graph.js';
import { expandImage, pullPolicyOf } from './image.js';
import { stageLabels } from './labels.js';
import { DEFAULT_PRIVILEGED_IMAGES, isAutoPrivileged } from './privileged.js';
import {
  applyRunnerSettings,
  type RunnerDevice,
  type RunnerResources,
  type RunnerVolume,
} from './runner-settings.js';
import { dockerScriptSetup } from './script.js';
import { settingsEnviron } from './settings.js';
import { createWorkspace, type WorkspacePaths, workingDirOf } from './workspace.js';

export interface CompileOptions {
  /** Stage-unique id for engine resources (network, volumes, containers, exec temp dir). */
  id: string;
  /** Images that run privileged automatically, in addition to Drone's plugins/docker & co. */
  privilegedImages?: string[];
  /** Image of the docker clone step (default `drone/git:latest`). */
  cloneImage?: string;
  /** Give netrc credentials to the clone step only. */
  netrcCloneOnly?: boolean;
  /** Stage timeout in minutes when the repository has none (default 60). */
  defaultTimeout?: number;
  /** Exec pipelines: directory under which the stage root `drone-<id>` is created (default `/tmp`). */
  tempDir?: string;
  /** Runner-wide variables (DRONE_RUNNER_ENVIRON, env file, env extension), lowest precedence. */
  environ?: Record<string, string>;
  /** HTTP(S)_PROXY / NO_PROXY / ALL_PROXY (both cases) copied from the runner host. */
  proxy?: Record<string, string>;
  /** Runner labels added under the stage labels. */
  labels?: Record<string, string>;
  /** Unix seconds replacing zero started/finished times in the DRONE_BUILD_/DRONE_STAGE_ variables. */
  now?: number;
  /** DRONE_FLAG_ALLOW_DOCKER_PLUGIN_VOLUMES. */
  allowPluginVolumes?: boolean;
  /**
   * Runner resource limits of every step: memory and shm sizes (bytes) for steps whose YAML sets
   * none, CPU limits for all (docker pipelines).
   */
  resources?: RunnerResources;
  /** Existing Docker networks every step joins, alias = network name (DRONE_RUNNER_NETWORKS). */
  networks?: string[];
  /** Driver options of the stage network (DRONE_RUNNER_NETWORK_OPTS). */
  networkOptions?: Record<string, string>;
  /** Bind mounts into every step (DRONE_RUNNER_VOLUMES). */
  volumes?: RunnerVolume[];
  /** Host devices given to every step (DRONE_RUNNER_DEVICES). */
  devices?: RunnerDevice[];
}

type Env = Record<string, string>;

const ERR_POLICY: Record<Step['failure'], ErrPolicy> = { '': 'fail', ignore: 'ignore', fast: 'fail-fast' };

function staticEnv(env: Record<string, EnvValue>): Env {
  const out: Env = {};
  for (const [k, v] of Object.entries(env)) {
    if (!('fromSecret' in v) || v.fromSecret.trim() === '') out[k] = 'value' in v ? v.value : '';
  }
  return out;
}

function secretEnv(env: Record<string, EnvValue>): SecretRef[] {
  const out: SecretRef[] = [];
  for (const [k, v] of Object.entries(env)) {
    if ('fromSecret' in v && v.fromSecret.trim() !== '') out.push({ name: v.fromSecret, env: k });
  }
  return out;
}

function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32)
    .replace(/-+$/, '');
}

function stepId(stageId: string, index: number, name: string): string {
  const s = slug(name);
  return s ? `${stageId}-${index + 1}-${s}` : `${stageId}-${index + 1}`;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** The exec runner's layout: `<tempDir>/drone-<id>` holding `home/drone`, `drone/src` and `opt`. */
function execLayout(tempDir: string, id: string, os: string): { ws: WorkspacePaths; home: string } {
  const sep = os === 'windows' ? '\\' : '/';
  const root = `${tempDir.replace(/[\\/]+$/, '')}${sep}drone-${id}`;
  const src = ['drone', 'src'].join(sep);
  return {
    ws: { base: root, path: src, full: `${root}${sep}${src}` },
    home: [root, 'home', 'drone'].join(sep),
  };
}

function planVolumes(pipeline: Pipeline): PlanVolume[] {
  const out: PlanVolume[] = [];
  for (const v of pipeline.volumes) {
    if ('temp' in v)
      out.push({ name: v.name, kind: 'temp', medium: v.temp.medium, sizeLimit: v.temp.size_limit });
    else if ('host' in v) out.push({ name: v.name, kind: 'host', path: v.host.path });
  }
  return out;
}

/** Compiles one pipeline into the Plan of its stage for this build. Pure: same input, same plan. */
export function compileStage(pipeline: Pipeline, ctx: BuildContext, opts: CompileOptions): Plan {
  const isExec = pipeline.type === 'exec';
  const os = pipeline.platform.os;
  const exec = isExec ? execLayout(opts.tempDir ?? '/tmp', opts.id, os) : undefined;
  const ws = exec ? exec.ws : createWorkspace(pipeline);
  const defaultShell = os === 'windows' ? 'powershell' : '/bin/sh';
  const pullSecrets = isExec ? [] : unique(pipeline.image_pull_secrets);
  const privilegedImages = [...DEFAULT_PRIVILEGED_IMAGES, ...(opts.privilegedImages ?? [])];
  const res = opts.resources ?? {};

  const locationEnv: Env = exec
    ? {
        HOME: exec.home,
        HOMEPATH: exec.home,
        USERPROFILE: exec.home,
        DRONE_HOME: ws.full,
        DRONE_WORKSPACE: ws.full,
        GIT_TERMINAL_PROMPT: '0',
      }
    : { DRONE_WORKSPACE: ws.full, DRONE_WORKSPACE_BASE: ws.base, DRONE_WORKSPACE_PATH: ws.path };
  const stageEnv = combine(
    opts.environ,
    ctx.build.params,
    staticEnv(pipeline.environment),
    opts.proxy,
    buildEnviron(ctx, {
      now: opts.now,
      clone: { skipVerify: pipeline.clone.skip_verify, trace: pipeline.clone.trace },
    }),
    locationEnv,
  );
  const stageSecrets = secretEnv(pipeline.environment);

  const base = (name: string): PlanStep => ({
    name,
    id: '',
    image: '',
    pull: 'default',
    commands: [],
    entrypoint: [],
    command: [],
    environment: {},
    secrets: [],
    runPolicy: 'on-success',
    errPolicy: 'fail',
    dependsOn: [],
    detach: false,
    service: false,
    privileged: false,
    user: '',
    workingDir: ws.full,
    volumes: [],
    devices: [],
    networkMode: '',
    dns: [],
    dnsSearch: [],
    extraHosts: [],
    shmSize: res.shmSize ?? 0,
    memLimit: res.memLimit ?? 0,
    memswapLimit: res.memswapLimit ?? 0,
    shell: isExec ? defaultShell : '',
    timeout: 0,
    pullSecrets,
    netrc: !opts.netrcCloneOnly,
  });

  const compileStep = (src: Step): PlanStep => {
    const detach = src.service || src.detach;
    const step = base(src.name);
    let env = staticEnv(src.environment);
    const secrets = secretEnv(src.environment);
    step.commands = [...src.commands];
    step.runPolicy = runPolicyOf(src.when);
    step.errPolicy = ERR_POLICY[src.failure] ?? 'fail';
    step.dependsOn = [...src.depends_on];
    step.detach = detach;
    step.service = src.service;
    step.timeout = Math.max(0, src.timeout) * 60;
    if (isExec) {
      step.shell = src.shell || defaultShell;
    } else {
      const settings = settingsEnviron(src.settings);
      env = combine(env, settings.env);
      secrets.push(...settings.secrets);
      step.image = expandImage(src.image);
      step.pull = pullPolicyOf(src.pull);
      step.entrypoint = [...src.entrypoint];
      step.command = [...src.command];
      if (src.commands.length > 0) {
        const script = dockerScriptSetup(src.commands, os);
        step.entrypoint = script.entrypoint;
        step.command = script.command;
        env = combine(env, script.env);
      }
      step.workingDir = workingDirOf(src, detach, ws.full);
      step.privileged =
        src.privileged ||
        isAutoPrivileged(src, { images: privilegedImages, allowPluginVolumes: opts.allowPluginVolumes, os });
      step.user = src.user;
      step.volumes = src.volumes.map((v) => ({ name: v.name, path: v.path }));
      step.devices = src.devices.map((d) => ({ name: d.name, path: d.path }));
      step.networkMode = src.network_mode;
      step.dns = [...src.dns];
      step.dnsSearch = [...src.dns_search];
      step.extraHosts = [...src.extra_hosts];
      if (src.shm_size > 0) step.shmSize = src.shm_size;
      if (src.mem_limit > 0) step.memLimit = src.mem_limit;
      if (src.memswap_limit > 0) step.memswapLimit = src.memswap_limit;
      step.shell = src.shell;
      step.pullSecrets = unique([...pullSecrets, ...(src.image_pull_secrets ?? [])]);
    }
    // A pipeline-wide secret yields to anything the step sets under the same name.
    const own = new Set([...Object.keys(env), ...secrets.map((s) => s.env)]);
    step.secrets = [...stageSecrets.filter((s) => !own.has(s.env)), ...secrets];
    step.environment = env;
    return step;
  };

  const all: PlanStep[] = [];
  if (!pipeline.clone.disable) {
    const clone = base(CLONE_STEP);
    clone.image = isExec ? '' : opts.cloneImage || DEFAULT_CLONE_IMAGE;
    clone.pull = isExec ? 'default' : 'if-not-exists';
    clone.runPolicy = 'always';
    clone.clone = cloneSpecOf(pipeline.clone);
    clone.environment = isExec ? {} : cloneParams(pipeline.clone);
    clone.secrets = [...stageSecrets];
    clone.netrc = true;
    all.push(clone);
  }
  const match = matchContextOf(ctx);
  const never = new Set<string>();
  const sources = isExec ? pipeline.steps : [...pipeline.services, ...pipeline.steps];
  for (const src of sources) {
    all.push(compileStep(src));
    if (!stepWhenMatches(src.when, match)) never.add(src.name);
  }
  configureGraph(all, !pipeline.clone.disable);
  const steps = dropNodes(all, never);
  steps.forEach((s, i) => {
    s.id = stepId(opts.id, i, s.name);
    // Step numbers count reported steps only, which is what the plan holds.
    Object.assign(s.environment, stepEnviron(s.name, i + 1));
  });

  const repoTimeout = ctx.repo.timeout > 0 ? ctx.repo.timeout : (opts.defaultTimeout ?? 60);
  const plan: Plan = {
    id: opts.id,
    type: pipeline.type || 'docker',
    name: pipeline.name,
    platform: { ...pipeline.platform },
    workspace: { ...ws },
    environment: stageEnv,
    volumes: isExec ? [] : planVolumes(pipeline),
    steps,
    timeout: repoTimeout * 60,
    secretNames: unique(steps.flatMap((s) => s.secrets.map((r) => r.name))),
    labels: stageLabels(ctx, opts.id, opts.labels),
  };
  if (!isExec) applyRunnerSettings(plan, opts);
  return plan;
}
