// Stage leases (Hangar; Drone has none, drone-reference.md §8.1): a runner owns an accepted stage for
// `leaseSeconds` after its last sign of life, and every request it makes about the stage — watch
// polls, stage and step reports, log batches — extends the lease. Who the runner is: the value of
// its `X-Hangar-Runner` header when it sends one, otherwise `machine@address`, so a Drone runner
// (which names itself only when it accepts) is recognised by the address its requests come from.
import type { Stage } from '../store/models.js';
import { findStage, listStagesOfBuild, renewStageLease } from '../store/queries/stages.js';
import type { Db } from '../store/schema.js';
import { isDone } from './reports.js';

/** Who is calling, as far as leases are concerned. */
export interface Caller {
  /** The runner's self-chosen id (`X-Hangar-Runner`), if it sent one. */
  id?: string;
  /** Remote address. */
  address: string;
}

/** The lease holder recorded when `caller` accepts a stage as `machine`. */
export function holderOf(caller: Caller, machine: string): string {
  return caller.id ? `id:${caller.id}` : `${machine}@${caller.address}`;
}

/** True when the stage's lease holder is `caller`. */
export function heldBy(stage: Pick<Stage, 'runner'>, caller: Caller): boolean {
  if (stage.runner === '') return false;
  if (caller.id) return stage.runner === `id:${caller.id}`;
  return !stage.runner.startsWith('id:') && stage.runner.endsWith(`@${caller.address}`);
}

/**
 * Extends leases, writing only when a lease has used up half its time: a runner sending a log batch
 * every second costs one write per half lease, not one per batch.
 */
export class LeaseKeeper {
  private readonly known = new Map<number, number>();

  constructor(
    private readonly db: Db,
    readonly leaseSeconds: number,
    private readonly now: () => number,
  ) {}

  /** The expiry a lease taken now gets. */
  expiry(): number {
    return this.now() + this.leaseSeconds;
  }

  /** Notes a lease just written (accept, stage report). */
  noted(stageId: number, expires: number): void {
    this.known.set(stageId, expires);
  }

  /** Extends the lease of `stage` for its holder, if it is due (or `force`). */
  async renew(stage: Pick<Stage, 'id' | 'runner' | 'lease_expires'>, force = false): Promise<void> {
    if (stage.runner === '') return;
    const known = Math.max(this.known.get(stage.id) ?? 0, stage.lease_expires);
    if (!force && known - this.now() > this.leaseSeconds / 2) return;
    const expires = this.expiry();
    if (await renewStageLease(this.db, stage.id, stage.runner, expires)) this.known.set(stage.id, expires);
    else this.known.delete(stage.id);
    if (this.known.size > 10_000) this.known.clear();
  }

  /** Extends the lease of stage `id` if it is due (reads the stage only then). */
  async renewById(id: number): Promise<void> {
    const known = this.known.get(id);
    if (known !== undefined && known - this.now() > this.leaseSeconds / 2) return;
    const stage = await findStage(this.db, id);
    if (stage && !isDone(stage.status)) await this.renew(stage);
  }

  /**
   * A watch poll from `caller` for `buildId`: extends the leases of its stages in that build. Returns
   * true when the caller held stages there and every one of them has ended meanwhile — it was failed
   * or cancelled behind the runner's back, which should stop.
   */
  async watched(buildId: number, caller: Caller): Promise<{ lost: boolean }> {
    const mine = (await listStagesOfBuild(this.db, buildId)).filter((s) => heldBy(s, caller));
    // Watch polls are a runner's one regular sign of life during a long silent step: always write.
    for (const s of mine) if (!isDone(s.status)) await this.renew(s, true);
    return { lost: mine.length > 0 && mine.every((s) => isDone(s.status)) };
  }

  /** Forgets a stage (it ended). */
  forget(stageId: number): void {
    this.known.delete(stageId);
  }
}
