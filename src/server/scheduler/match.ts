// Which runner may take which stage (drone scheduler/queue/queue.go, drone-reference.md §1.2): kind
// and type (empty = pipeline/docker), platform only when the runner names one (os and arch equal,
// variant and kernel only when the stage sets them), labels as exact maps. Hangar adds a subset
// mode (HANGAR_LABELS_MATCH=subset): a runner takes a stage whose labels are all among its own,
// so a runner labelled {gpu: yes, zone: a} also takes unlabelled stages. Every refusal says why.
import type { Filter } from '../../protocol/types.js';
import type { Stage } from '../store/models.js';

/** How labels are compared. */
export type LabelsMatch = 'exact' | 'subset';

/** A runner's filter with Drone's defaults filled in. */
export interface RunnerFilter {
  kind: string;
  type: string;
  os: string;
  arch: string;
  variant: string;
  kernel: string;
  labels: Record<string, string>;
}

/** The fields of a stage that matching looks at. */
export type StageTarget = Pick<Stage, 'kind' | 'type' | 'os' | 'arch' | 'variant' | 'kernel' | 'labels'>;

/** A filter as a runner sent it (any JSON), normalized; unknown or ill-typed fields read as empty. */
export function normalizeFilter(input: unknown): RunnerFilter {
  const f = (typeof input === 'object' && input !== null ? input : {}) as Partial<
    Record<keyof Filter, unknown>
  >;
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const labels: Record<string, string> = {};
  if (typeof f.labels === 'object' && f.labels !== null && !Array.isArray(f.labels)) {
    for (const [k, v] of Object.entries(f.labels)) if (typeof v === 'string') labels[k] = v;
  }
  return {
    kind: text(f.kind) || 'pipeline',
    type: text(f.type) || 'docker',
    os: text(f.os),
    arch: text(f.arch),
    variant: text(f.variant),
    kernel: text(f.kernel),
    labels,
  };
}

/** A stable key for filters that behave identically (runners with one filter are grouped by it). */
export function filterKey(f: RunnerFilter): string {
  const labels = Object.keys(f.labels)
    .sort()
    .map((k) => [k, f.labels[k]]);
  return JSON.stringify([f.kind, f.type, f.os, f.arch, f.variant, f.kernel, labels]);
}

/** Why a runner cannot take a stage; undefined when it can. */
export function mismatch(runner: RunnerFilter, stage: StageTarget, mode: LabelsMatch): string | undefined {
  const kind = stage.kind || 'pipeline';
  const type = stage.type || 'docker';
  if (runner.kind !== kind || runner.type !== type) {
    return `runs ${runner.kind}/${runner.type} pipelines, the stage is ${kind}/${type}`;
  }
  if (runner.os !== '' || runner.arch !== '' || runner.variant !== '' || runner.kernel !== '') {
    if (runner.os !== stage.os || runner.arch !== stage.arch) {
      return `platform ${platform(runner.os, runner.arch)}, the stage needs ${platform(stage.os, stage.arch)}`;
    }
    if (stage.variant !== '' && stage.variant !== runner.variant) {
      return `variant "${runner.variant}", the stage needs "${stage.variant}"`;
    }
    if (stage.kernel !== '' && stage.kernel !== runner.kernel) {
      return `kernel "${runner.kernel}", the stage needs "${stage.kernel}"`;
    }
  }
  return labelMismatch(runner.labels, stage.labels, mode);
}

function labelMismatch(
  runner: Record<string, string>,
  stage: Record<string, string>,
  mode: LabelsMatch,
): string | undefined {
  const want = Object.keys(stage);
  const have = Object.keys(runner);
  if (want.length === 0 && have.length === 0) return undefined;
  const missing = want.filter((k) => runner[k] !== stage[k]);
  if (mode === 'subset') {
    return missing.length === 0
      ? undefined
      : `labels ${showLabels(runner)} lack ${showLabels(pick(stage, missing))} (subset matching)`;
  }
  const extra = have.filter((k) => !(k in stage));
  if (missing.length === 0 && extra.length === 0) return undefined;
  return `labels ${showLabels(runner)}, the stage needs exactly ${showLabels(stage)}`;
}

function platform(os: string, arch: string): string {
  return `${os || '?'}/${arch || '?'}`;
}

function pick(labels: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.map((k) => [k, labels[k] ?? '']));
}

/** Labels as `{a:1, b:2}` (sorted), `{}` when none. */
export function showLabels(labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  return `{${keys.map((k) => `${k}:${labels[k]}`).join(', ')}}`;
}
