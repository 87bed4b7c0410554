// Status words of builds, stages and steps (drone-reference.md §5.1): which are finished, which
// failed, how to call them, and why a stage that has not started is still waiting.
import type { Stage, Status } from './types.js';

/** True while a build, stage or step can still change by itself. */
export function isRunning(status: Status): boolean {
  return status === 'pending' || status === 'running';
}

/** Drone's "done": anything but waiting, pending, running or blocked. */
export function isDone(status: Status): boolean {
  return !['pending', 'running', 'blocked', 'waiting_on_dependencies'].includes(status);
}

/** Drone's "failed": failure, killed or error. */
export function isFailed(status: Status): boolean {
  return status === 'failure' || status === 'killed' || status === 'error';
}

const LABELS: Record<Status, string> = {
  pending: 'Pending',
  running: 'Running',
  success: 'Passed',
  failure: 'Failed',
  killed: 'Cancelled',
  error: 'Error',
  skipped: 'Skipped',
  blocked: 'Awaiting approval',
  declined: 'Declined',
  waiting_on_dependencies: 'Waiting',
};

/** A short human word for a status. */
export function statusLabel(status: Status): string {
  return LABELS[status] ?? status;
}

/** One of the five colours the UI gives statuses. */
export function statusTone(status: Status): 'ok' | 'bad' | 'busy' | 'idle' | 'hold' {
  if (status === 'success') return 'ok';
  if (isFailed(status) || status === 'declined') return 'bad';
  if (status === 'running') return 'busy';
  if (status === 'blocked') return 'hold';
  return 'idle';
}

/**
 * Why a stage that has not started is waiting, from what the API shows of it; undefined once it
 * runs or ended.
 */
export function whyWaiting(stage: Stage, all: readonly Stage[]): string | undefined {
  if (stage.status === 'blocked')
    return 'Waiting for approval: a repository admin must approve or decline it.';
  if (stage.status === 'waiting_on_dependencies') {
    const pending = (stage.depends_on ?? []).filter((name) => {
      const dep = all.find((s) => s.name === name);
      return !dep || !isDone(dep.status);
    });
    return pending.length > 0
      ? `Waiting for ${pending.join(', ')} to finish.`
      : 'Waiting for the stages it depends on to finish.';
  }
  if (stage.status === 'pending') {
    if (stage.machine) return `Accepted by runner ${stage.machine}; starting.`;
    const platform = [stage.os || 'linux', stage.arch || 'amd64', stage.variant, stage.kernel]
      .filter(Boolean)
      .join('/');
    const labels = Object.entries(stage.labels ?? {}).map(([k, v]) => `${k}=${v}`);
    const kind = stage.type ? `a ${stage.type} runner` : 'a runner';
    return `Waiting for ${kind} for ${platform}${labels.length > 0 ? ` with labels ${labels.join(', ')}` : ''}.`;
  }
  return undefined;
}
