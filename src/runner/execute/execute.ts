// Runs a compiled stage on an engine (drone-reference.md §2.4 steps 7–9, §4.7): setup, the step DAG
// with run policies, error policies, exit code 78, detached steps, timeouts and cancellation, then
// destroy — always. Every step's output goes through a masking line writer; callbacks see it all.
import { netrcSecrets } from '../../engine/clone/credentials.js';
import { type Engine, EngineError, type StepExit } from '../../engine/engine.js';
import { collectCredentials } from '../../spec/compile/registry-auth.js';
import type { Plan } from '../../spec/plan.js';
import { maskPatterns, maskText } from '../logs/mask.js';
import { type Line, LineWriter } from '../logs/writer.js';
import { secretLookup, stepEnvironment } from './env.js';
import { stepGraph } from './graph.js';
import type { ExecuteOptions, StageResult, StageStatus, StepInfo, StepOutcome, StepStatus } from './types.js';

/** Exit code of a killed step or stage. */
export const EXIT_KILLED = 137;
/** Exit code of an engine/internal error. */
export const EXIT_ERROR = 255;
/** Exit code that ends the pipeline early and successfully. */
export const EXIT_SKIP_REST = 78;

/** The steps of a plan as the callbacks will see them (numbered 1..n in plan order). */
export function stepInfos(plan: Plan): StepInfo[] {
  return plan.steps.map((step, i) => ({ number: i + 1, name: step.name, step }));
}

/** Runs every step of the plan on the engine and reports how the stage ended. */
export async function executeStage(
  plan: Plan,
  engine: Engine,
  opts: ExecuteOptions = {},
): Promise<StageResult> {
  return new StageRun(plan, engine, opts).execute();
}

type KillReason = 'cancel' | 'timeout' | 'end';
type CancelReason = 'cancel' | 'timeout' | 'fail-fast';

interface Slot {
  info: StepInfo;
  deps: Slot[];
  status: StepStatus;
  exitCode: number;
  error: string;
  started: number;
  stopped: number;
  log: Line[];
  /** Finished, skipped, or a started detached step: dependents may go. */
  dagDone: boolean;
  ctrl: AbortController;
  kill?: KillReason;
  task?: Promise<void>;
}

const FAILED: ReadonlySet<StepStatus> = new Set(['failure', 'error', 'killed']);

class StageRun {
  private readonly slots: Slot[];
  private readonly now: () => number;
  private readonly secret: (name: string) => string | undefined;
  private readonly maskValues: string[];
  private readonly patterns: string[];
  private readonly stageCtrl = new AbortController();
  private failing = false;
  private readonly failedSteps: string[] = [];
  private firstFailureExit = 0;
  private cancelled: CancelReason | undefined;
  private stageError = '';
  private started = 0;
  private dirty = false;
  private wake: (() => void) | undefined;
  private readonly pendingCallbacks: Promise<void>[] = [];
  private callbackError: { error: unknown } | undefined;

  constructor(
    private readonly plan: Plan,
    private readonly engine: Engine,
    private readonly opts: ExecuteOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.secret = secretLookup(opts.secrets ?? {});
    const names = new Set(plan.secretNames);
    for (const s of plan.steps) for (const ref of s.secrets) names.add(ref.name);
    this.maskValues = [...names].map((n) => this.secret(n)).filter((v): v is string => v !== undefined);
    this.maskValues.push(...(opts.mask ?? []), ...netrcSecrets(opts.clone?.netrc));
    this.patterns = maskPatterns(this.maskValues);
    this.slots = stepInfos(plan).map((info) => ({
      info,
      deps: [],
      status: 'pending',
      exitCode: 0,
      error: '',
      started: 0,
      stopped: 0,
      log: [],
      dagDone: false,
      ctrl: new AbortController(),
    }));
  }

  async execute(): Promise<StageResult> {
    this.started = this.seconds();
    const signal = this.opts.signal;
    const onAbort = () => this.cancel('cancel');
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) this.cancel('cancel');
    const timeoutMs = Math.min(this.plan.timeout * 1000, 2 ** 31 - 1);
    const stageTimer =
      this.plan.timeout > 0 ? setTimeout(() => this.cancel('timeout'), timeoutMs) : undefined;
    let cleanupError: string | undefined;
    try {
      const graph = stepGraph(this.plan.steps);
      if (!graph.ok) {
        this.stageError = graph.error;
      } else {
        const byName = new Map(this.slots.map((s) => [s.info.name, s]));
        for (const s of this.slots) s.deps = (graph.deps.get(s.info.name) ?? []).map((d) => byName.get(d)!);
        if (!this.cancelled) await this.setup();
        if (!this.stageError && !this.cancelled) await this.walk();
      }
    } finally {
      clearTimeout(stageTimer);
      signal?.removeEventListener('abort', onAbort);
      await this.finishRunning();
      for (const s of this.slots) if (s.status === 'pending') this.skip(s);
      try {
        await this.engine.destroy(this.plan);
      } catch (e) {
        cleanupError = this.mask(messageOf(e));
      }
      await Promise.allSettled(this.pendingCallbacks);
    }
    if (this.callbackError) throw this.callbackError.error;
    return this.result(cleanupError);
  }

  private async setup(): Promise<void> {
    try {
      await this.engine.setup(this.plan, { signal: this.stageCtrl.signal });
    } catch (e) {
      if (!this.cancelled) this.stageError = this.mask(messageOf(e));
    }
  }

  /** Starts steps as their dependencies finish until nothing is pending or running. */
  private async walk(): Promise<void> {
    for (;;) {
      this.pump();
      if (this.slots.every((s) => s.status !== 'pending' && (s.status !== 'running' || s.dagDone))) break;
      await this.changed();
    }
  }

  /** Ends what still runs: detached steps at the end of the stage (exit 0), anything after an error. */
  private async finishRunning(): Promise<void> {
    let ended = false;
    for (const s of this.slots) {
      if (s.status === 'running') {
        this.abortSlot(s, 'end');
        ended = true;
      }
    }
    // Services and detached steps get no grace period at the end, as in Drone: destroy kills them
    // at once (it is idempotent; the final destroy below then has nothing left to do).
    const destroy = ended ? this.engine.destroy(this.plan).catch(() => undefined) : undefined;
    await Promise.allSettled([...this.slots.map((s) => s.task), destroy]);
  }

  private pump(): void {
    let progress = true;
    while (progress) {
      progress = false;
      for (const s of this.slots) {
        if (s.status !== 'pending') continue;
        if (this.cancelled) {
          this.skip(s);
          progress = true;
          continue;
        }
        if (!s.deps.every((d) => d.dagDone)) continue;
        const policy = s.info.step.runPolicy;
        if (
          policy === 'never' ||
          (policy === 'on-failure' && !this.failing) ||
          (policy === 'on-success' && this.failing)
        ) {
          this.skip(s);
          progress = true;
          continue;
        }
        const max = this.opts.maxProcs ?? 0;
        if (max > 0 && this.slots.filter((x) => x.status === 'running' && !x.dagDone).length >= max) continue;
        s.status = 'running';
        s.started = this.seconds();
        s.task = this.run(s).catch((e: unknown) => {
          // A bug on our side must not leave the walk waiting for a step that will never end.
          if (!s.dagDone || s.status === 'running') this.finish(s, undefined, e);
        });
        progress = true;
      }
    }
  }

  private async run(s: Slot): Promise<void> {
    const { info } = s;
    const step = info.step;
    const writer = new LineWriter({
      secrets: this.maskValues,
      limit: this.opts.logLimit,
      now: this.now,
      onLine: (line) => this.callSync(() => this.opts.onLine?.(info, line)),
    });
    await this.call(() => this.opts.onStepStart?.(info, s.started));
    let exit: StepExit | undefined;
    let failure: unknown;
    if (!s.ctrl.signal.aborted) {
      const timer =
        step.timeout > 0
          ? setTimeout(() => this.abortSlot(s, 'timeout'), Math.min(step.timeout * 1000, 2 ** 31 - 1))
          : undefined;
      const env = stepEnvironment(
        this.plan.environment,
        step,
        info.number,
        {
          failing: this.failing,
          failedSteps: this.failedSteps,
          stageStarted: this.started,
          now: this.seconds(),
        },
        this.secret,
        this.opts.clone?.netrc,
      );
      try {
        const running = this.engine.runStep(this.plan, step, {
          env,
          output: (chunk) => writer.write(chunk),
          signal: s.ctrl.signal,
          // image_pull_secrets hold docker config.json documents; theirs come before the runner's own.
          registries: collectCredentials(
            step.pullSecrets.map((n) => this.secret(n)).filter((v): v is string => v !== undefined),
            this.opts.registries ?? [],
          ),
          clone: step.clone ? this.opts.clone : undefined,
        });
        if (step.detach) {
          s.dagDone = true;
          this.notify();
        }
        exit = await running;
      } catch (e) {
        failure = e;
      } finally {
        clearTimeout(timer);
      }
    }
    s.log = writer.close();
    s.stopped = this.seconds();
    this.finish(s, exit, failure);
  }

  private finish(s: Slot, exit: StepExit | undefined, failure: unknown): void {
    const step = s.info.step;
    if (s.kill === 'end' && !failure) {
      this.settle(s, 'success', 0);
    } else if (s.kill === 'end' || s.kill === 'cancel' || (s.ctrl.signal.aborted && !s.kill)) {
      this.settle(s, 'killed', EXIT_KILLED);
    } else if (s.kill === 'timeout') {
      this.settle(s, 'killed', EXIT_KILLED, `step timed out after ${duration(step.timeout)}`);
    } else if (failure !== undefined || !exit) {
      this.settle(s, 'error', EXIT_ERROR, this.mask(messageOf(failure)));
    } else if (exit.oomKilled) {
      this.settle(s, 'failure', EXIT_KILLED, 'killed: out of memory');
    } else if (exit.exitCode === 0 || exit.exitCode === EXIT_SKIP_REST) {
      this.settle(s, 'success', exit.exitCode);
    } else {
      this.settle(s, 'failure', exit.exitCode);
    }

    if (FAILED.has(s.status) && step.errPolicy !== 'ignore') {
      this.failing = true;
      this.failedSteps.push(s.info.name);
      if (this.firstFailureExit === 0) this.firstFailureExit = s.exitCode;
    }
    s.dagDone = true;
    this.call(() => this.opts.onStepEnd?.(s.info, this.outcome(s)));
    if (s.status === 'success' && s.exitCode === EXIT_SKIP_REST) {
      for (const x of this.slots) if (x.status === 'pending') this.skip(x);
    }
    if (step.errPolicy === 'fail-fast' && s.exitCode !== 0 && s.status !== 'success' && s.kill !== 'end') {
      this.cancel('fail-fast');
    }
    this.notify();
  }

  private settle(s: Slot, status: StepStatus, exitCode: number, error = ''): void {
    s.status = status;
    s.exitCode = exitCode;
    s.error = error;
  }

  private skip(s: Slot): void {
    s.status = 'skipped';
    s.started = s.stopped = this.seconds();
    s.dagDone = true;
    this.call(() => this.opts.onStepEnd?.(s.info, this.outcome(s)));
  }

  private cancel(reason: CancelReason): void {
    if (this.cancelled) return;
    this.cancelled = reason;
    this.stageCtrl.abort();
    for (const s of this.slots) if (s.status === 'running') this.abortSlot(s, 'cancel');
    this.notify();
  }

  private abortSlot(s: Slot, why: KillReason): void {
    if (s.status !== 'running') return;
    s.kill ??= why;
    s.ctrl.abort();
  }

  private outcome(s: Slot): StepOutcome {
    return {
      status: s.status,
      exitCode: s.exitCode,
      error: s.error,
      started: s.started,
      stopped: s.stopped,
      log: s.log,
    };
  }

  private result(cleanupError: string | undefined): StageResult {
    let status: StageStatus = 'success';
    let exitCode = 0;
    let error = '';
    if (this.stageError) {
      status = 'error';
      exitCode = EXIT_ERROR;
      error = this.stageError;
    } else if (this.cancelled) {
      status = 'killed';
      exitCode = EXIT_KILLED;
      if (this.cancelled === 'timeout') error = `stage timed out after ${duration(this.plan.timeout)}`;
    } else if (this.failing) {
      status = 'failure';
      exitCode = this.firstFailureExit;
    }
    const res: StageResult = {
      status,
      exitCode,
      error,
      started: this.started,
      stopped: this.seconds(),
      steps: this.slots.map((s) => ({
        number: s.info.number,
        name: s.info.name,
        errIgnore: s.info.step.errPolicy === 'ignore',
        detached: s.info.step.detach,
        ...this.outcome(s),
      })),
    };
    if (cleanupError !== undefined) res.cleanupError = cleanupError;
    return res;
  }

  private notify(): void {
    this.dirty = true;
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private changed(): Promise<void> {
    if (this.dirty) {
      this.dirty = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.wake = () => {
        this.dirty = false;
        resolve();
      };
    });
  }

  /** Calls a callback; a returned promise is awaited by the caller and tracked until the end. */
  private call(fn: () => void | Promise<void> | undefined): Promise<void> {
    try {
      const r = fn();
      if (r && typeof (r as Promise<void>).then === 'function') {
        const p = Promise.resolve(r).catch((e: unknown) => this.callbackFailed(e));
        this.pendingCallbacks.push(p);
        return p;
      }
    } catch (e) {
      this.callbackFailed(e);
    }
    return Promise.resolve();
  }

  private callSync(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.callbackFailed(e);
    }
  }

  private callbackFailed(error: unknown): void {
    this.callbackError ??= { error };
  }

  private mask(text: string): string {
    return maskText(text, this.patterns);
  }

  private seconds(): number {
    return Math.floor(this.now() / 1000);
  }
}

function messageOf(e: unknown): string {
  if (e instanceof EngineError) return e.message;
  if (e instanceof Error) return e.message || e.name;
  return String(e ?? 'unknown error');
}

function duration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
