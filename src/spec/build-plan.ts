// From configuration text and a build to the stages that run and their plans. This is the pure part
// that the server's trigger (which stages exist, how they depend on each other), the runner (compile
// one stage) and `hangar plan` / `hangar exec` share, so all of them decide the same way.
import { checkParsed } from './check.js';
import type { BuildContext } from './context.js';
import { matchContextOf } from './context.js';
import { DependencyCycleError, stageDependencies } from './dag.js';
import { type Diagnostic, hasErrors } from './diagnostic.js';
import { substitutionEnv } from './environ/environ.js';
import { EnvsubstError, envsubst } from './envsubst/index.js';
import { type CompileOptions, compileStage } from './compile/compile.js';
import { type ParsedConfig, parseConfig } from './manifest/parse.js';
import type { Manifest, Pipeline } from './manifest/types.js';
import type { Plan } from './plan.js';
import { stageStatusFlags, triggerMatches } from './when/conditions.js';

/** Parsed configurations by their (substituted) text, so planning several stages parses a file once. */
export type ParseCache = Map<string, ParsedConfig>;

type Checked = ReturnType<typeof checkParsed>;
const checkedCache = new WeakMap<ParsedConfig, Map<boolean, Checked>>();

/** Lints a parsed file once per trust level, however many of its stages are planned. */
function checkCached(parsed: ParsedConfig, file: string | undefined, trusted: boolean): Checked {
  let byTrust = checkedCache.get(parsed);
  if (!byTrust) {
    byTrust = new Map();
    checkedCache.set(parsed, byTrust);
  }
  let checked = byTrust.get(trusted);
  if (!checked) {
    checked = checkParsed(parsed, { file, trusted });
    byTrust.set(trusted, checked);
  }
  return checked;
}

function parseCached(text: string, file: string | undefined, cache: ParseCache | undefined): ParsedConfig {
  let parsed = cache?.get(text);
  if (!parsed) {
    parsed = parseConfig(text, { file });
    cache?.set(text, parsed);
  }
  return parsed;
}

export interface PlanBuildOptions {
  file?: string;
  trusted: boolean;
  /** Runner-wide variables visible to `${VAR}` substitution. */
  globals?: Record<string, string>;
}

/** A stage the build will have (one per pipeline whose `trigger` matches). */
export interface StageOutline {
  /** 1-based, in document order among the created stages. */
  number: number;
  name: string;
  kind: string;
  type: string;
  /** Rewired around pipelines that `trigger` filtered out. */
  dependsOn: string[];
  status: 'pending' | 'waiting_on_dependencies';
  onSuccess: boolean;
  onFailure: boolean;
  pipeline: Pipeline;
}

export interface BuildOutline {
  stages: StageOutline[];
  /** Pipelines left out by their `trigger`. */
  skipped: string[];
  diagnostics: Diagnostic[];
  /** Set when the build cannot run at all (Drone makes an `error` build with this message). */
  error?: string;
}

function substitute(text: string, ctx: BuildContext, opts: PlanBuildOptions): { text?: string; diagnostic?: Diagnostic } {
  // Most files have no `${`: skip building the variable map (it is rebuilt per stage).
  if (!text.includes('${')) return { text: text.includes('$$') ? envsubst(text, () => '') : text };
  const env = substitutionEnv(ctx, opts.globals ? { globals: opts.globals } : {});
  try {
    return { text: envsubst(text, (name) => (Object.hasOwn(env, name) ? env[name] : undefined)) };
  } catch (err) {
    if (!(err instanceof EnvsubstError)) throw err;
    return {
      diagnostic: {
        severity: 'error',
        rule: 'substitution',
        message: err.message,
        field: '',
        doc: -1,
        line: err.line,
        col: err.column,
      },
    };
  }
}

function pipelinesOf(m: Manifest): Pipeline[] {
  return m.resources.filter((r): r is Pipeline => r.kind === 'pipeline');
}

/** The stages a build gets from its configuration, as Drone's server decides them at build creation. */
export function outlineBuild(
  text: string,
  ctx: BuildContext,
  opts: PlanBuildOptions,
  cache?: ParseCache,
): BuildOutline {
  const sub = substitute(text, ctx, opts);
  if (sub.diagnostic) return { stages: [], skipped: [], diagnostics: [sub.diagnostic], error: sub.diagnostic.message };
  // Trust rules concern one stage (Drone's runner fails that stage, not the build), so the build-level
  // check lints as trusted and planStage applies the repository's real trust level per stage.
  const parsed = parseCached(sub.text ?? text, opts.file, cache);
  const { manifest, diagnostics } = checkCached(parsed, opts.file, true);
  const firstError = diagnostics.find((d) => d.severity === 'error');
  if (hasErrors(diagnostics)) return { stages: [], skipped: [], diagnostics, error: firstError?.message };

  const match = matchContextOf(ctx);
  const pipelines = pipelinesOf(manifest);
  const kept = pipelines.map((p) => triggerMatches(p.trigger, match));
  let deps: Map<string, string[]>;
  try {
    deps = stageDependencies(pipelines.map((p, i) => ({ name: p.name, dependsOn: p.depends_on, skipped: !kept[i] })));
  } catch (err) {
    if (!(err instanceof DependencyCycleError)) throw err;
    return { stages: [], skipped: [], diagnostics, error: err.message };
  }
  const stages: StageOutline[] = [];
  const skipped: string[] = [];
  pipelines.forEach((p, i) => {
    if (!kept[i]) {
      skipped.push(p.name);
      return;
    }
    const dependsOn = deps.get(p.name) ?? [];
    const flags = stageStatusFlags(p.trigger);
    stages.push({
      number: stages.length + 1,
      name: p.name,
      kind: p.kind,
      type: p.type,
      dependsOn,
      status: dependsOn.length > 0 ? 'waiting_on_dependencies' : 'pending',
      onSuccess: flags.onSuccess,
      onFailure: flags.onFailure,
      pipeline: p,
    });
  });
  return { stages, skipped, diagnostics };
}

/** The build context as one stage sees it (DRONE_STAGE_* values). */
export function stageContext(ctx: BuildContext, stage: StageOutline): BuildContext {
  const pf = stage.pipeline.platform;
  return {
    ...ctx,
    stage: {
      ...ctx.stage,
      name: stage.name,
      number: stage.number,
      kind: stage.kind,
      type: stage.type,
      os: pf.os,
      arch: pf.arch,
      variant: pf.variant,
      kernel: pf.version,
      dependsOn: stage.dependsOn,
    },
  };
}

export type StagePlanResult = { plan: Plan; diagnostics: Diagnostic[] } | { error: string; diagnostics: Diagnostic[] };

/**
 * Compiles one stage as a runner does: substitution with the stage's own variables, parse, look the
 * pipeline up by name, lint, compile. `cache` lets callers planning several stages of one file parse
 * each distinct substituted text once.
 */
export function planStage(
  text: string,
  ctx: BuildContext,
  stageName: string,
  opts: PlanBuildOptions & { compile: CompileOptions },
  cache?: ParseCache,
): StagePlanResult {
  const sub = substitute(text, ctx, opts);
  if (sub.diagnostic) return { error: sub.diagnostic.message, diagnostics: [sub.diagnostic] };
  const parsed = parseCached(sub.text ?? text, opts.file, cache);
  const checked = checkCached(parsed, opts.file, opts.trusted);
  const wanted = stageName === '' ? 'default' : stageName;
  const pipeline = pipelinesOf(checked.manifest).find((p) => p.name === wanted);
  // Problems of other pipelines are theirs: a stage fails only for its own document or the whole file.
  const diagnostics = checked.diagnostics.filter((d) => d.doc === -1 || d.doc === pipeline?.docIndex);
  const error = diagnostics.find((d) => d.severity === 'error');
  if (error) return { error: error.message, diagnostics };
  if (!pipeline) return { error: `pipeline "${wanted}" not found in the configuration`, diagnostics };
  return { plan: compileStage(pipeline, ctx, opts.compile), diagnostics };
}

/** Outline plus a compiled plan per stage: what `hangar plan` shows. */
export function planBuild(
  text: string,
  ctx: BuildContext,
  opts: PlanBuildOptions & { compile: Omit<CompileOptions, 'id'> },
): { outline: BuildOutline; plans: Map<string, StagePlanResult> } {
  const cache: ParseCache = new Map();
  const outline = outlineBuild(text, ctx, opts, cache);
  const plans = new Map<string, StagePlanResult>();
  for (const s of outline.stages) {
    const compile = { ...opts.compile, id: `stage-${s.number}` };
    plans.set(s.name, planStage(text, stageContext(ctx, s), s.name, { ...opts, compile }, cache));
  }
  return { outline, plans };
}
