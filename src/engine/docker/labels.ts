// Labels on every resource the Docker engine creates, so they can be found, inspected and removed
// (by destroy, and by pruneOrphans after a crash) without any state outside Docker.
import type { Plan } from '../../spec/plan.js';
import type { Owner } from './owner.js';

export const LABEL_HANGAR = 'io.hangar';
export const LABEL_STAGE = 'io.hangar.stage';
export const LABEL_ENGINE = 'io.hangar.engine';
export const LABEL_STEP = 'io.hangar.step';
export const LABEL_OWNER_HOST = 'io.hangar.owner.host';
export const LABEL_OWNER_PID = 'io.hangar.owner.pid';
export const LABEL_OWNER_STARTED = 'io.hangar.owner.started';
export const LABEL_CREATED = 'io.hangar.created';

/** Labels of a stage's resources: the plan's own labels, then Hangar's (which win). */
export function stageLabels(plan: Plan, engineId: string, owner: Owner, now: Date): Record<string, string> {
  return {
    ...plan.labels,
    [LABEL_HANGAR]: 'true',
    [LABEL_STAGE]: plan.id,
    [LABEL_ENGINE]: engineId,
    [LABEL_OWNER_HOST]: owner.host,
    [LABEL_OWNER_PID]: String(owner.pid),
    [LABEL_OWNER_STARTED]: owner.started,
    [LABEL_CREATED]: String(Math.floor(now.getTime() / 1000)),
  };
}

/** The owner recorded in a resource's labels, if it has one. */
export function ownerOf(labels: Record<string, string> | undefined | null): Owner | undefined {
  if (labels?.[LABEL_HANGAR] !== 'true' || !labels[LABEL_OWNER_HOST]) return undefined;
  return {
    host: labels[LABEL_OWNER_HOST] ?? '',
    pid: Number(labels[LABEL_OWNER_PID]),
    started: labels[LABEL_OWNER_STARTED] ?? '',
  };
}

/** A Docker list filter for the resources of one stage created by one engine instance. */
export function stageFilter(planId: string, engineId: string): { label: string[] } {
  return { label: [`${LABEL_STAGE}=${planId}`, `${LABEL_ENGINE}=${engineId}`] };
}
