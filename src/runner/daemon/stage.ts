// One handed-out stage, end to end (drone-reference.md §2.4): accept → details → limits → plan →
// report running → watch for a cancel → execute → report. A stage that cannot be planned or may not
// run here is reported `error` with the reason; every report waits out a server that is away.
import { randomBytes } from 'node:crypto';
import type { Engine, RegistryCredential } from '../../engine/engine.js';
import { type Client, isAbort, RpcError } from '../../protocol/client.js';
import type { Details, Stage } from '../../protocol/types.js';
import { planStage } from '../../spec/build-plan.js';
import type { CompileOptions } from '../../spec/compile/compile.js';
import { executeStage, stepInfos } from '../execute/index.js';
import { cloneSourceOf, configText, contextOf, secretsOf } from './context.js';
import { LIMIT_ERROR, type Limits, withinLimits } from './limits.js';
import { errorText, type RunnerLogger } from './log.js';
import { StageReporter } from './reporter.js';

/** What running a stage needs from the runner. */
export interface StageDeps {
  client: Client;
  /** The runner's name (`machine`). */
  name: string;
  engine: Engine;
  limits: Limits;
  /** Compiler options of this runner (labels, environ, privileged images, …). */
  compile: Omit<CompileOptions, 'id' | 'now'>;
  /** Variables visible to `${VAR}` substitution (the runner's environ). */
  globals: Record<string, string>;
  maxProcs: number;
  /** The runner's own registry credentials (after the stage's image_pull_secrets). */
  registries: RegistryCredential[];
  log: RunnerLogger;
  /** Longest wait of a log line before it is sent; default 1 s. */
  flushMs?: number;
  /** Clock in milliseconds; default Date.now. */
  now?: () => number;
}

/** Signals that end a stage early. */
export interface StageSignals {
  /** Cancels the running stage (reported `killed`): grace period over. */
  kill: AbortSignal;
  /** Abandons the stage and its reports at once (hard shutdown). */
  abort: AbortSignal;
}

/** How a handed-out stage went, for the runner's bookkeeping. */
export type StageOutcome = 'taken' | 'failed-early' | 'done' | 'lost';

/** Accepts and runs one stage handed out by the server. Never throws except for aborts. */
export async function runStage(deps: StageDeps, handed: Stage, signals: StageSignals): Promise<StageOutcome> {
  const { client, log } = deps;
  const now = deps.now ?? Date.now;
  const seconds = () => Math.floor(now() / 1000);
  const fields = { stage: handed.id, build: handed.build_id, name: handed.name };

  const accepted = await client.accept(handed.id, deps.name, signals.abort);
  if (!accepted) {
    log.debug(fields, 'stage taken by another runner');
    return 'taken';
  }
  const stage: Stage = { ...handed, ...accepted, steps: [] };
  const reporter = new StageReporter(stage, {
    client,
    signal: signals.abort,
    log,
    flushMs: deps.flushMs,
    now,
  });
  const failEarly = async (message: string): Promise<StageOutcome> => {
    log.warn({ ...fields, error: message }, 'stage failed before it ran');
    try {
      await reporter.fail(message, seconds());
      return 'failed-early';
    } catch (e) {
      if (isAbort(e, signals.abort)) throw e;
      log.error({ ...fields, error: errorText(e) }, 'cannot report the stage');
      return 'lost';
    }
  };

  let details: Details;
  try {
    details = await client.details(stage.id, signals.abort);
  } catch (e) {
    if (isAbort(e, signals.abort)) throw e;
    return failEarly(`cannot read the stage's details: ${errorText(e)}`);
  }
  Object.assign(stage, { ...details.stage, version: stage.version, updated: stage.updated, steps: [] });
  log.info({ ...fields, repo: details.repository.slug, number: details.build.number }, 'stage accepted');

  if (!withinLimits(deps.limits, details.repository, details.build)) return failEarly(LIMIT_ERROR);

  const started = seconds();
  const ctx = contextOf(details, stage, started);
  let planned: ReturnType<typeof planStage>;
  try {
    planned = planStage(configText(details), ctx, stage.name, {
      file: details.repository.config_path || '.drone.yml',
      trusted: Boolean(details.repository.trusted),
      globals: deps.globals,
      compile: { ...deps.compile, id: `s${stage.id}-${randomBytes(3).toString('hex')}`, now: started },
    });
  } catch (e) {
    planned = { error: `cannot compile the pipeline: ${errorText(e)}`, diagnostics: [] };
  }
  if ('error' in planned) return failEarly(planned.error);
  const plan = planned.plan;

  // A cancel can come at any time from now on; the watch ends with the stage.
  const cancel = new AbortController();
  const onKill = () => cancel.abort();
  signals.kill.addEventListener('abort', onKill, { once: true });
  if (signals.kill.aborted) cancel.abort();
  const watchEnd = new AbortController();
  const watching = watch(deps, stage.build_id, AbortSignal.any([watchEnd.signal, signals.abort]), () => {
    log.info(fields, 'build cancelled: stopping the stage');
    cancel.abort();
  });

  try {
    try {
      await reporter.begin(stepInfos(plan), started);
    } catch (e) {
      if (isAbort(e, signals.abort)) throw e;
      // Nothing ran: without step ids nothing could be reported either. The server's lease will
      // give the stage back if it still wants it.
      log.error({ ...fields, error: errorText(e) }, 'the server refused the stage: not running it');
      return 'lost';
    }
    const result = await executeStage(plan, deps.engine, {
      signal: cancel.signal,
      secrets: secretsOf(details),
      registries: deps.registries,
      clone: cloneSourceOf(details),
      maxProcs: deps.maxProcs,
      now,
      onStepStart: (info, t) => reporter.stepStarted(info, t),
      onLine: (info, line) => reporter.line(info, line),
      onStepEnd: (info, outcome) => reporter.stepEnded(info, outcome),
    });
    if (result.cleanupError) log.warn({ ...fields, error: result.cleanupError }, 'stage cleanup failed');
    log.info({ ...fields, status: result.status }, 'stage finished');
    try {
      await reporter.finish(result);
    } catch (e) {
      if (isAbort(e, signals.abort)) throw e;
      if (e instanceof RpcError && e.status === 409) {
        log.info(fields, 'the server had already ended the stage (cancelled): its record stands');
        return 'done';
      }
      log.error({ ...fields, error: errorText(e) }, 'cannot report the stage result');
      return 'lost';
    }
    return 'done';
  } finally {
    signals.kill.removeEventListener('abort', onKill);
    watchEnd.abort();
    await watching;
  }
}

/** Watches the build until it is cancelled (then calls `onCancel`) or the signal ends the watch. */
async function watch(
  deps: StageDeps,
  buildId: number,
  signal: AbortSignal,
  onCancel: () => void,
): Promise<void> {
  for (let failures = 0; !signal.aborted; ) {
    try {
      if (await deps.client.watch(buildId, signal)) {
        onCancel();
        return;
      }
    } catch (e) {
      if (signal.aborted || isAbort(e, signal)) return;
      // The client already retried what is transient; this is the server refusing (404, 500, …):
      // keep watching, slowly, rather than lose cancels for the rest of the stage.
      failures++;
      const status = e instanceof RpcError ? e.status : 0;
      deps.log.warn({ build: buildId, status, error: errorText(e) }, 'watch failed');
      await delay(Math.min(30_000, 1000 * 2 ** Math.min(failures, 5)), signal);
    }
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
