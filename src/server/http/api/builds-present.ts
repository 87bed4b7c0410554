// The JSON of stages and steps, and of a build with them, as Drone's API shows them (core.Stage,
// core.Step: `step_id` holds the stage id; empty fields left out as Go's omitempty does).
import type { Build, Stage, Step } from '../../store/models.js';
import { buildJson } from './present.js';

/** A step. */
export function stepJson(s: Step) {
  return {
    id: s.id,
    step_id: s.stage_id,
    number: s.number,
    name: s.name,
    status: s.status,
    ...(s.error ? { error: s.error } : {}),
    ...(s.errignore ? { errignore: s.errignore } : {}),
    exit_code: s.exit_code,
    ...(s.started ? { started: s.started } : {}),
    ...(s.stopped ? { stopped: s.stopped } : {}),
    version: s.version,
    ...(s.depends_on.length > 0 ? { depends_on: s.depends_on } : {}),
    ...(s.image ? { image: s.image } : {}),
    ...(s.detached ? { detached: s.detached } : {}),
    ...(s.schema ? { schema: s.schema } : {}),
  };
}

/** A stage, with its steps when given. */
export function stageJson(s: Stage, steps: Step[] = []) {
  return {
    id: s.id,
    repo_id: s.repo_id,
    build_id: s.build_id,
    number: s.number,
    name: s.name,
    ...(s.kind ? { kind: s.kind } : {}),
    ...(s.type ? { type: s.type } : {}),
    status: s.status,
    ...(s.error ? { error: s.error } : {}),
    errignore: s.errignore,
    exit_code: s.exit_code,
    ...(s.machine ? { machine: s.machine } : {}),
    os: s.os,
    arch: s.arch,
    ...(s.variant ? { variant: s.variant } : {}),
    ...(s.kernel ? { kernel: s.kernel } : {}),
    ...(s.limit ? { limit: s.limit } : {}),
    ...(s.throttle ? { throttle: s.throttle } : {}),
    started: s.started,
    stopped: s.stopped,
    created: s.created,
    updated: s.updated,
    version: s.version,
    on_success: s.on_success,
    on_failure: s.on_failure,
    ...(s.depends_on.length > 0 ? { depends_on: s.depends_on } : {}),
    ...(Object.keys(s.labels).length > 0 ? { labels: s.labels } : {}),
    ...(steps.length > 0 ? { steps: steps.map(stepJson) } : {}),
  };
}

/** A build with its stages (and each stage's steps, from `steps`). */
export function buildWithStagesJson(build: Build, stages: Stage[], steps: Step[]) {
  const byStage = new Map<number, Step[]>();
  for (const step of steps) {
    const list = byStage.get(step.stage_id) ?? [];
    list.push(step);
    byStage.set(step.stage_id, list);
  }
  return {
    ...buildJson(build),
    ...(stages.length > 0 ? { stages: stages.map((s) => stageJson(s, byStage.get(s.id) ?? [])) } : {}),
  };
}
