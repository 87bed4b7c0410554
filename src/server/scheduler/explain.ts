// "Why is my stage pending?" (drone-reference.md §8.6: Drone never says). Looks at the stage, the
// limits that hold it, the runners the server has heard from (the runners table, shared by all
// replicas) and the runner requests waiting on this replica, and says in one sentence what the stage
// waits for, with the details behind it: each runner and why it does or does not match.
import type { Runner, Stage } from '../store/models.js';
import { listRunners } from '../store/queries/runners.js';
import { listIncompleteStages, listStagesOfBuild } from '../store/queries/stages.js';
import type { Db } from '../store/schema.js';
import { fairOrder, holdOf } from './limits.js';
import { type LabelsMatch, mismatch, normalizeFilter, showLabels } from './match.js';
import type { Queue } from './queue.js';
import { isDone } from './reports.js';

/** A runner as the explanation shows it. */
export interface RunnerView {
  name: string;
  kind: string;
  type: string;
  os: string;
  arch: string;
  variant: string;
  kernel: string;
  labels: Record<string, string>;
  /** Unix seconds of its last request for work. */
  last_seen: number;
  /** Requests of it waiting for work on this server right now. */
  waiting: number;
  /** Incomplete stages it holds. */
  busy: number;
  matches: boolean;
  /** Why it cannot take the stage. */
  mismatch?: string;
}

/** The answer of `GET …/stages/{n}/pending`. */
export interface PendingExplanation {
  stage: { id: number; number: number; name: string; status: string; machine?: string };
  /** What the stage waits for, in one sentence. */
  summary: string;
  /** The facts behind it. */
  reasons: string[];
  /** Dispatchable stages ahead of this one in the queue. */
  ahead?: number;
  runners: RunnerView[];
}

export interface ExplainDeps {
  db: Db;
  queue: Queue;
  labelsMatch: LabelsMatch;
  /** Unix seconds now. */
  now: number;
  /** Runners not heard from for longer than this (and holding no stage) count as gone. */
  connectedSeconds: number;
}

/** Explains where `stage` is and what it waits for. */
export async function explainStage(deps: ExplainDeps, stage: Stage): Promise<PendingExplanation> {
  const head = {
    id: stage.id,
    number: stage.number,
    name: stage.name,
    status: stage.status,
    ...(stage.machine ? { machine: stage.machine } : {}),
  };
  const runners = await runnerViews(deps, stage);
  const out = (summary: string, reasons: string[] = [], extra: Partial<PendingExplanation> = {}) => ({
    stage: head,
    summary,
    reasons,
    runners,
    ...extra,
  });

  if (isDone(stage.status)) return out(`The stage has finished (${stage.status}).`);
  if (stage.status === 'running') return out(`The stage is running on ${stage.machine || 'a runner'}.`);
  if (stage.status === 'blocked') return out('The stage waits for approval.');
  if (stage.status === 'waiting_on_dependencies') {
    const siblings = await listStagesOfBuild(deps.db, stage.build_id);
    const open = siblings.filter((s) => stage.depends_on.includes(s.name) && !isDone(s.status));
    return out(
      `The stage waits for ${open.length > 0 ? open.map((s) => `"${s.name}" (${s.status})`).join(', ') : 'its dependencies'} to finish.`,
    );
  }
  if (stage.machine !== '') {
    return out(`Runner ${stage.machine} accepted the stage and is preparing it.`);
  }

  const incomplete = await listIncompleteStages(deps.db);
  const hold = holdOf(stage, incomplete);
  if (hold) {
    const what =
      hold.kind === 'concurrency'
        ? `the pipeline's concurrency limit (${hold.limit}) is reached`
        : `the repository's throttle (${hold.limit} stages at a time) is reached`;
    return out(`The stage is held back: ${what}.`, [
      `Stages counted against the limit: ${hold.ahead.join(', ')}.`,
    ]);
  }
  const offer = deps.queue.offerOf(stage.id);
  if (offer) return out(`The stage was handed to ${offer.name}; waiting for it to accept.`);

  const pending = fairOrder(
    incomplete.filter((s) => s.status === 'pending' && s.machine === ''),
    incomplete,
  );
  const ahead = pending.findIndex((s) => s.id === stage.id);
  const aheadOf = ahead > 0 ? { ahead } : {};
  const connected = runners.filter(
    (r) => r.busy > 0 || r.waiting > 0 || deps.now - r.last_seen <= deps.connectedSeconds,
  );
  if (connected.length === 0) {
    return out(
      runners.length === 0
        ? 'No runner has ever asked this server for work.'
        : `No runner is connected: none has asked for work in the last ${deps.connectedSeconds} s.`,
      runners.map((r) => `${r.name} was last seen ${deps.now - r.last_seen} s ago.`),
      aheadOf,
    );
  }
  const matching = connected.filter((r) => r.matches);
  if (matching.length === 0) {
    return out(
      `No connected runner can run this stage (it needs ${describeStage(stage)}).`,
      connected.map((r) => `${r.name}: ${r.mismatch}.`),
      aheadOf,
    );
  }
  if (matching.every((r) => r.waiting === 0)) {
    return out(
      `Every runner that can run this stage is busy: ${matching.map((r) => r.name).join(', ')}.`,
      matching.map((r) => `${r.name} holds ${r.busy} unfinished stage(s).`),
      aheadOf,
    );
  }
  return out(
    ahead > 0
      ? `A matching runner is free; ${ahead} stage(s) are ahead of this one.`
      : 'A matching runner is free; the stage is being handed out.',
    [],
    aheadOf,
  );
}

function describeStage(stage: Stage): string {
  const platform = `${stage.os}/${stage.arch}${stage.variant ? `/${stage.variant}` : ''}`;
  const labels = Object.keys(stage.labels).length > 0 ? ` and labels ${showLabels(stage.labels)}` : '';
  return `a ${stage.kind || 'pipeline'}/${stage.type || 'docker'} runner on ${platform}${labels}`;
}

async function runnerViews(deps: ExplainDeps, stage: Stage): Promise<RunnerView[]> {
  const rows = await listRunners(deps.db);
  const waiting = deps.queue.waiting();
  const byName = new Map<string, Runner>(rows.map((r) => [r.name, r]));
  // Waiting requests of runners not recorded yet (the write is throttled) count too.
  for (const w of waiting) {
    if (byName.has(w.name)) continue;
    byName.set(w.name, {
      id: 0,
      name: w.name,
      ...w.filter,
      capacity: 0,
      version: '',
      last_seen: Math.floor(w.since / 1000),
      created: 0,
    });
  }
  const held = new Map<string, number>();
  for (const s of await listIncompleteStages(deps.db)) {
    if (s.machine !== '') held.set(s.machine, (held.get(s.machine) ?? 0) + 1);
  }
  return [...byName.values()].map((r) => {
    const filter = normalizeFilter(r);
    const why = mismatch(filter, stage, deps.labelsMatch);
    return {
      name: r.name,
      kind: filter.kind,
      type: filter.type,
      os: filter.os,
      arch: filter.arch,
      variant: filter.variant,
      kernel: filter.kernel,
      labels: filter.labels,
      last_seen: r.last_seen,
      waiting: waiting.filter((w) => w.name === r.name).length,
      busy: held.get(r.name) ?? 0,
      matches: why === undefined,
      ...(why !== undefined ? { mismatch: why } : {}),
    };
  });
}
