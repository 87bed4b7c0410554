// The exec engine: steps of `type: exec` pipelines run as host processes in a temporary stage folder
// `{home/drone, opt, drone/src}` (Drone's exec runner layout, drone-reference.md §3.2) with HOME and
// DRONE_WORKSPACE pointing inside it. The clone step uses the built-in clone.
// Where the folder is: an exec plan from the compiler names it (`workspace.base`, e.g.
// `/tmp/drone-<id>`, with `workspace.path` relative) and the engine creates exactly that folder,
// refusing one that already exists (so destroy only ever removes what this engine made). Any other
// plan gets `<tmp>/hangar-<id>-<random>`, its workspace paths mapped inside.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative } from 'node:path';
import type { Plan, PlanStep } from '../../spec/plan.js';
import { cloneRepository } from '../clone/index.js';
import {
  type Engine,
  EngineError,
  type SetupOptions,
  type StepExit,
  type StepRunOptions,
} from '../engine.js';
import { killGroup, runProcess } from './process.js';
import { posixScript } from './script.js';

export interface ExecEngineOptions {
  /** Parent of the per-stage folders; default the OS temp dir. */
  tmpDir?: string;
  /** Milliseconds between SIGTERM and SIGKILL when a step is stopped; default 10 s. */
  killGraceMs?: number;
  /** Host variables passed to every step (Drone passes PATH and USER); values from the host. */
  hostEnv?: string[];
  /** Pause between clone retries (milliseconds); default 2 s. */
  cloneRetryDelayMs?: number;
}

interface StageState {
  root: string;
  home: string;
  workspace: string;
  base: string;
  /** Process groups of running steps. */
  groups: Set<number>;
  running: Set<Promise<unknown>>;
  /** Aborted by destroy: stops steps (a clone included) that nobody else stopped. */
  stop: AbortController;
}

const DEFAULT_HOST_ENV = ['PATH', 'USER', 'LANG', 'LC_ALL', 'TZ'];

/** Runs steps as host processes. */
export class ExecEngine implements Engine {
  private readonly stages = new Map<string, StageState | Promise<StageState | undefined>>();
  private readonly tmp: string;
  private readonly grace: number;
  private readonly hostEnv: string[];
  private readonly cloneRetryDelayMs: number;

  constructor(opts: ExecEngineOptions = {}) {
    this.tmp = opts.tmpDir ?? tmpdir();
    this.grace = opts.killGraceMs ?? 10_000;
    this.hostEnv = opts.hostEnv ?? DEFAULT_HOST_ENV;
    this.cloneRetryDelayMs = opts.cloneRetryDelayMs ?? 2000;
  }

  /** Creates the stage's temporary folders. */
  async setup(plan: Plan, _opts: SetupOptions): Promise<void> {
    if (this.stages.has(plan.id))
      throw new EngineError(`stage ${plan.id} is already set up`, 'duplicate_stage');
    const creating = this.create(plan);
    // Registered before the folders exist so that destroy can wait for and undo a partial setup.
    this.stages.set(
      plan.id,
      creating.catch(() => undefined),
    );
    try {
      this.stages.set(plan.id, await creating);
    } catch (e) {
      throw new EngineError(`cannot create the workspace: ${(e as Error).message}`, 'setup_failed');
    }
  }

  /** Runs one step: the clone, a command script, or an entrypoint/command argv. */
  async runStep(plan: Plan, step: PlanStep, opts: StepRunOptions): Promise<StepExit> {
    const stage = this.stages.get(plan.id);
    if (!stage || stage instanceof Promise)
      throw new EngineError(`stage ${plan.id} is not set up`, 'not_set_up');
    const run = this.run(plan, stage, step, opts);
    stage.running.add(run);
    try {
      return { exitCode: await run, oomKilled: false };
    } finally {
      stage.running.delete(run);
    }
  }

  /** Kills whatever is left of the stage's processes and removes its folders. */
  async destroy(plan: Plan): Promise<void> {
    const entry = this.stages.get(plan.id);
    if (!entry) return;
    this.stages.delete(plan.id);
    const stage = await entry;
    if (!stage) return;
    for (const g of stage.groups) killGroup(g, 'SIGKILL');
    stage.stop.abort();
    await Promise.allSettled([...stage.running]);
    await rm(stage.root, { recursive: true, force: true, maxRetries: 3 });
  }

  /** The host folder of a stage's workspace (for tests and `hangar exec`); undefined if not set up. */
  workspaceOf(plan: Plan): string | undefined {
    const s = this.stages.get(plan.id);
    return s && !(s instanceof Promise) ? s.workspace : undefined;
  }

  private async create(plan: Plan): Promise<StageState> {
    const ws = plan.workspace;
    let root: string;
    let workspace: string;
    let base: string;
    if (isHostLayout(plan)) {
      root = ws.base;
      workspace = ws.full;
      base = ws.base;
      await mkdir(dirname(root), { recursive: true });
      try {
        await mkdir(root, { mode: 0o700 });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`${root} already exists`);
        throw e;
      }
    } else {
      await mkdir(this.tmp, { recursive: true });
      root = await mkdtemp(join(this.tmp, `hangar-${plan.id.replace(/[^\w-]/g, '')}-`));
      const full = ws.full || '/drone/src';
      workspace = join(root, full);
      base = join(root, ws.base || full);
    }
    const state: StageState = {
      root,
      home: join(root, 'home', 'drone'),
      workspace,
      base,
      groups: new Set(),
      running: new Set(),
      stop: new AbortController(),
    };
    try {
      await mkdir(state.home, { recursive: true, mode: 0o700 });
      await mkdir(join(root, 'opt'), { mode: 0o700 });
      await mkdir(state.workspace, { recursive: true });
    } catch (e) {
      await rm(root, { recursive: true, force: true });
      throw e;
    }
    return state;
  }

  private async run(plan: Plan, stage: StageState, step: PlanStep, opts: StepRunOptions): Promise<number> {
    const env = await this.environment(stage, opts.env);
    const signal = AbortSignal.any([opts.signal, stage.stop.signal]);
    if (step.clone) {
      if (!opts.clone) throw new EngineError('the clone step has no source to clone', 'no_clone_source');
      return cloneRepository(opts.clone, step.clone, stage.workspace, {
        output: opts.output,
        signal,
        env,
        retryDelayMs: this.cloneRetryDelayMs,
      });
    }
    let file: string;
    let args: string[];
    if (step.commands.length > 0) {
      const script = join(stage.root, 'opt', `${step.id || 'step'}.sh`);
      await writeFile(script, posixScript(step.commands), { mode: 0o700 });
      await chmod(script, 0o700);
      file = step.shell || '/bin/sh';
      args = [script];
    } else {
      const argv = [...step.entrypoint, ...step.command];
      if (argv.length === 0) return 0;
      file = argv[0]!;
      args = argv.slice(1);
    }
    const cwd = this.workingDir(plan, stage, step);
    await mkdir(cwd, { recursive: true });
    return runProcess({
      file,
      args,
      cwd,
      env,
      output: opts.output,
      signal,
      graceMs: this.grace,
      track: (g, alive) => (alive ? stage.groups.add(g) : stage.groups.delete(g)),
    });
  }

  /** Host basics < the step's env < the engine's paths; netrc variables become `~/.netrc`. */
  private async environment(
    stage: StageState,
    stepEnv: Record<string, string>,
  ): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    for (const name of this.hostEnv) {
      const v = process.env[name];
      if (v !== undefined && v !== '') env[name] = v;
    }
    env.PATH ??= '/usr/local/bin:/usr/bin:/bin';
    Object.assign(env, stepEnv);
    env.HOME ??= stage.home;
    env.USERPROFILE ??= env.HOME;
    env.DRONE_WORKSPACE = stage.workspace;
    env.DRONE_HOME = stage.workspace;
    if ('DRONE_WORKSPACE_BASE' in env) env.DRONE_WORKSPACE_BASE = stage.base;
    env.GIT_TERMINAL_PROMPT = '0';
    const machine = env.DRONE_NETRC_MACHINE;
    if (machine) {
      const login = env.DRONE_NETRC_USERNAME ?? '';
      const password = env.DRONE_NETRC_PASSWORD ?? '';
      // Always the stage HOME: a HOME set by the step could be the host user's real one.
      await writeFile(
        join(stage.home, '.netrc'),
        `machine ${machine}\nlogin ${login}\npassword ${password}\n`,
        {
          mode: 0o600,
        },
      );
    }
    // As Drone's script preamble does: the credentials live in the file, not in the environment.
    for (const k of Object.keys(env)) if (k.startsWith('DRONE_NETRC_')) delete env[k];
    return env;
  }

  private workingDir(plan: Plan, stage: StageState, step: PlanStep): string {
    const wd = step.workingDir;
    if (!wd || wd === plan.workspace.full) return stage.workspace;
    if (!isAbsolute(wd)) return join(stage.workspace, wd);
    // Paths inside the stage folder are used as they are; container paths are mapped into it.
    const rel = relative(stage.root, wd);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? wd : join(stage.root, wd);
  }
}

/** True for the compiler's exec layout: an absolute stage folder and a workspace path inside it. */
function isHostLayout(plan: Plan): boolean {
  const { base, path, full } = plan.workspace;
  return (
    plan.type === 'exec' && isAbsolute(base) && path !== '' && !isAbsolute(path) && full === join(base, path)
  );
}
