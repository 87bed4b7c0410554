// The runners the server has heard from, for the "why is it pending" view: what each one can run and
// when it last asked for work (the `runners` table, so every replica sees every runner). A Drone
// runner does not name itself when it polls, only when it accepts a stage; until then it is known
// by its address and filter, afterwards by its name. Writes are throttled: a runner polling twice a
// minute costs one write per `refreshSeconds`.
import type { Runner } from '../store/models.js';
import { upsertRunner } from '../store/queries/runners.js';
import type { Db } from '../store/schema.js';
import { filterKey, type RunnerFilter, showLabels } from './match.js';

export class RunnerRegistry {
  private readonly names = new Map<string, string>();
  private readonly written = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
    private readonly refreshSeconds = 15,
    private readonly log?: { warn(obj: object, msg: string): void },
  ) {}

  /** The name a polling runner is shown under. */
  nameOf(filter: RunnerFilter, address: string, machine?: string): string {
    if (machine) return machine;
    const known = this.names.get(`${address} ${filterKey(filter)}`);
    if (known) return known;
    const labels = Object.keys(filter.labels).length > 0 ? ` ${showLabels(filter.labels)}` : '';
    return `${filter.kind}/${filter.type}${labels} runner at ${address}`;
  }

  /** A runner polled (or accepted a stage, when `machine` is its real name). */
  seen(name: string, filter: RunnerFilter, address?: string, machine?: string): void {
    if (machine && address) this.names.set(`${address} ${filterKey(filter)}`, machine);
    if (this.names.size > 10_000) this.names.clear();
    const now = this.now();
    if (now - (this.written.get(name) ?? 0) < this.refreshSeconds) return;
    this.written.set(name, now);
    if (this.written.size > 10_000) this.written.clear();
    const report: Partial<Runner> & Pick<Runner, 'name'> = {
      name,
      kind: filter.kind,
      type: filter.type,
      os: filter.os,
      arch: filter.arch,
      variant: filter.variant,
      kernel: filter.kernel,
      labels: filter.labels,
      last_seen: now,
    };
    upsertRunner(this.db, report).catch((err) => {
      this.written.delete(name);
      this.log?.warn({ runner: name, err: (err as Error).message }, 'queue: cannot record a runner');
    });
  }
}
