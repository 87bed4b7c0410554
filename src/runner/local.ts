// The driver behind `hangar exec`: the stages of one build, planned exactly as the server and the
// runner plan them, run one after another on local engines, with no server. Stage order and the
// skip rules for downstream stages are Drone's (drone-reference.md §1.2).
import type { CloneSource, Engine, RegistryCredential } from '../engine/engine.js';
import { outlineBuild, planStage, type StageOutline, stageContext } from '../spec/build-plan.js';
import type { CompileOptions } from '../spec/compile/compile.js';
import { dropNodes } from '../spec/compile/graph.js';
import type { BuildContext } from '../spec/context.js';
import type { Diagnostic } from '../spec/diagnostic.js';
import type { Plan } from '../spec/plan.js';
import { executeStage } from './execute/index.js';
import type { ExecuteOptions, StageResult } from './execute/types.js';

export interface LocalRunOptions {
  text: string;
  file: string;
  ctx: BuildContext;
  trusted: boolean;
  /** Run only this pipeline (by name); default every pipeline the build's trigger selects. */
  pipeline?: string;
  /** Run only these steps (by name); the clone step is always kept unless excluded. */
  include?: string[];
  exclude?: string[];
  secrets: Record<string, string>;
  /** Variables given to every step and to `${VAR}` substitution (lowest precedence). */
  environ: Record<string, string>;
  /** Runner compiler options: networks, volumes, resource limits, netrc, clone image, … */
  compile?: Omit<CompileOptions, 'id' | 'environ'>;
  /** Registry credentials after the stage's image_pull_secrets (DRONE_DOCKER_CONFIG). */
  registries?: RegistryCredential[];
  /** What the clone step puts in the workspace. */
  clone: CloneSource;
  /** Returns the engine for a pipeline type, or undefined when it cannot run here. */
  engineFor: (type: string) => Engine | undefined;
  /** Unique id prefix for this run's engine resources. */
  runId: string;
  signal: AbortSignal;
  /** Executor callbacks (lines, step start/end). */
  hooks: Pick<ExecuteOptions, 'onStepStart' | 'onStepEnd' | 'onLine'>;
  onStageStart?: (stage: StageOutline, plan: Plan) => void;
  onStageSkipped?: (stage: StageOutline, why: string) => void;
}

export interface LocalStageResult {
  name: string;
  status: string;
  result?: StageResult;
  error?: string;
}

export type LocalRunResult =
  | { kind: 'config-error'; message: string; diagnostics: Diagnostic[] }
  | { kind: 'done'; stages: LocalStageResult[]; diagnostics: Diagnostic[] };

const FAILED = new Set(['failure', 'error', 'killed']);

/** Keeps the steps the user asked for; dependencies on dropped steps are rewired around them. */
function filterSteps(plan: Plan, include: string[] | undefined, exclude: string[] | undefined): Plan {
  const drop = new Set<string>();
  for (const s of plan.steps) {
    const included = !include || include.length === 0 || include.includes(s.name) || s.clone !== undefined;
    if (!included || exclude?.includes(s.name)) drop.add(s.name);
  }
  if (drop.size === 0) return plan;
  return { ...plan, steps: dropNodes(plan.steps.map((s) => ({ ...s })), drop) };
}

/** Plans and runs the build's stages locally; never throws for a user's configuration mistakes. */
export async function runLocal(o: LocalRunOptions): Promise<LocalRunResult> {
  const common = { file: o.file, trusted: o.trusted, globals: o.environ };
  const outline = outlineBuild(o.text, o.ctx, common);
  if (outline.error) return { kind: 'config-error', message: outline.error, diagnostics: outline.diagnostics };
  let stages = outline.stages;
  if (o.pipeline !== undefined) {
    stages = stages.filter((s) => s.name === o.pipeline);
    if (stages.length === 0) {
      const all = [...outline.stages.map((s) => s.name), ...outline.skipped];
      const why = all.includes(o.pipeline) ? 'its trigger does not match this build' : 'no pipeline has that name';
      return { kind: 'config-error', message: `pipeline "${o.pipeline}": ${why}`, diagnostics: outline.diagnostics };
    }
  }
  if (stages.length === 0) {
    return { kind: 'config-error', message: 'no pipeline matches this build', diagnostics: outline.diagnostics };
  }

  const results = new Map<string, LocalStageResult>();
  const diagnostics = [...outline.diagnostics];
  for (const stage of stages) {
    // Document order is a valid order: a pipeline may only depend on pipelines declared before it.
    const deps = o.pipeline === undefined ? stage.dependsOn : [];
    const failed = [...results.values()].some((r) => FAILED.has(r.status));
    if (deps.length > 0 && ((failed && !stage.onFailure) || (!failed && !stage.onSuccess))) {
      o.onStageSkipped?.(stage, failed ? 'an earlier stage failed' : 'it runs only on failure');
      results.set(stage.name, { name: stage.name, status: 'skipped' });
      continue;
    }
    if (o.signal.aborted) {
      results.set(stage.name, { name: stage.name, status: 'skipped' });
      continue;
    }
    const engine = o.engineFor(stage.type);
    if (!engine) {
      const error = `pipeline type "${stage.type}" cannot run locally (docker and exec can)`;
      results.set(stage.name, { name: stage.name, status: 'error', error });
      continue;
    }
    const ctx = stageContext(o.ctx, stage);
    const planned = planStage(o.text, ctx, stage.name, {
      ...common,
      compile: { ...o.compile, id: `${o.runId}-${stage.number}`, environ: o.environ },
    });
    for (const d of planned.diagnostics) if (!diagnostics.includes(d)) diagnostics.push(d);
    if ('error' in planned) {
      results.set(stage.name, { name: stage.name, status: 'error', error: planned.error });
      continue;
    }
    const plan = filterSteps(planned.plan, o.include, o.exclude);
    o.onStageStart?.(stage, plan);
    const result = await executeStage(plan, engine, {
      ...o.hooks,
      signal: o.signal,
      secrets: o.secrets,
      clone: o.clone,
      registries: o.registries,
      mask: Object.values(o.secrets),
    });
    results.set(stage.name, { name: stage.name, status: result.status, result, error: result.error || undefined });
  }
  return { kind: 'done', stages: [...results.values()], diagnostics };
}
