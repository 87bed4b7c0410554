// The dispatcher (drone scheduler/queue, drone-reference.md §1.2). Pending stage rows are the queue;
// the only thing held in memory is the set of runner requests waiting for work (and, for a few
// seconds, which stage was just offered to which of them). A pass reads the incomplete stages,
// walks the pending ones in fair order (limits.ts) and hands each to the longest-waiting matching
// runner. Passes run when something may have changed — a runner starts waiting, a stage becomes
// pending here or on another replica, an offer lapses — never on a timer; requests arriving during
// a pass make one more pass, so a burst costs two passes, not one per event.
import { performance } from 'node:perf_hooks';
import { findStage } from '../store/queries/stages.js';
import type { Stage } from '../store/models.js';
import type { Db } from '../store/schema.js';
import { fairOrder, holdOf } from './limits.js';
import { filterKey, type LabelsMatch, mismatch, type RunnerFilter, type StageTarget } from './match.js';

/** Who is asking, for the "why is it pending" view. */
export interface RunnerInfo {
  /** The runner's name when it tells us (`?machine=`), else its address. */
  name: string;
  /** Remote address of the request. */
  address: string;
}

/** A runner request waiting for a stage. */
export interface WaitingRunner extends RunnerInfo {
  id: number;
  filter: RunnerFilter;
  /** When it started waiting (ms since the epoch). */
  since: number;
}

interface Waiter extends WaitingRunner {
  key: string;
  resolve(stage: Stage | undefined): void;
  timer: NodeJS.Timeout;
}

/** Waiting runners with one filter, longest-waiting first (one match check serves them all). */
interface Group {
  filter: RunnerFilter;
  members: Map<number, Waiter>;
}

/** A stage handed to a runner that has not accepted it yet. */
export interface Offer extends RunnerInfo {
  stage: number;
  /** The filter of the runner it went to. */
  filter: RunnerFilter;
  /** ms since the epoch when the offer lapses and the stage may go to another runner. */
  until: number;
}

export interface QueueOptions {
  db: Db;
  labelsMatch: LabelsMatch;
  /** How long a handed-out stage is kept from other runners of this replica (default 15 s). */
  offerTtlMs?: number;
  log?: { warn(obj: object, msg: string): void };
}

export class Queue {
  private readonly waiters = new Map<number, Waiter>();
  private readonly groups = new Map<string, Group>();
  private readonly offers = new Map<number, Offer & { timer: NodeJS.Timeout }>();
  private seq = 0;
  private running = false;
  private again = false;
  private queued = false;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;
  /** Passes made so far, and the milliseconds they took (tests, metrics, bench). */
  passes = 0;
  passMs = 0;

  constructor(private readonly options: QueueOptions) {}

  /**
   * Waits up to `holdMs` for a stage this runner can run; undefined when none came (Drone's 204) or
   * the request went away (`signal`).
   */
  request(
    filter: RunnerFilter,
    info: RunnerInfo,
    holdMs: number,
    signal?: AbortSignal,
  ): Promise<Stage | undefined> {
    if (this.closed || signal?.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const id = ++this.seq;
      const key = filterKey(filter);
      const done = (stage: Stage | undefined) => {
        if (!this.waiters.delete(id)) return;
        const group = this.groups.get(key);
        group?.members.delete(id);
        if (group?.members.size === 0) this.groups.delete(key);
        clearTimeout(waiter.timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(stage);
      };
      const onAbort = () => done(undefined);
      const waiter: Waiter = {
        ...info,
        id,
        key,
        filter,
        since: Date.now(),
        resolve: done,
        timer: setTimeout(() => done(undefined), holdMs),
      };
      this.waiters.set(id, waiter);
      let group = this.groups.get(key);
      if (!group) {
        group = { filter, members: new Map() };
        this.groups.set(key, group);
      }
      group.members.set(id, waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.schedule();
    });
  }

  /**
   * Something may have become dispatchable: make a pass (or one more after the current one). The
   * pass starts on the next turn of the event loop, so everything that arrived together (a burst of
   * runners polling again) is served by one pass.
   */
  schedule(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.queued) return;
    this.queued = true;
    setImmediate(() => {
      this.queued = false;
      if (this.running || this.closed) return;
      this.running = true;
      void this.loop();
    });
  }

  /** A runner accepted (or someone else owns) the stage: forget the offer. */
  accepted(stageId: number): void {
    const offer = this.offers.get(stageId);
    if (!offer) return;
    clearTimeout(offer.timer);
    this.offers.delete(stageId);
  }

  /** The offer failed (the runner never got the answer): the stage may go to another runner now. */
  release(stageId: number): void {
    if (!this.offers.has(stageId)) return;
    this.accepted(stageId);
    this.schedule();
  }

  /** The runner requests waiting on this replica, longest-waiting first. */
  waiting(): WaitingRunner[] {
    return [...this.waiters.values()].map(({ resolve: _r, timer: _t, key: _k, ...w }) => w);
  }

  /** The open offer of a stage on this replica, if any. */
  offerOf(stageId: number): Offer | undefined {
    const o = this.offers.get(stageId);
    if (!o) return undefined;
    const { timer: _t, ...offer } = o;
    return offer;
  }

  /** Answers every waiting request with "nothing" and stops dispatching (server shutdown). */
  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    for (const w of [...this.waiters.values()]) w.resolve(undefined);
    for (const o of this.offers.values()) clearTimeout(o.timer);
    this.offers.clear();
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        const t0 = performance.now();
        await this.pass();
        this.passMs += performance.now() - t0;
      } while (this.again && !this.closed);
    } catch (err) {
      this.options.log?.warn({ err: (err as Error).message }, 'queue: dispatch failed; retrying in 1 s');
      // The database may be briefly away; runners keep waiting meanwhile.
      if (!this.retry && !this.closed) {
        this.retry = setTimeout(() => {
          this.retry = undefined;
          this.schedule();
        }, 1000);
        this.retry.unref();
      }
    } finally {
      this.running = false;
    }
  }

  private async pass(): Promise<void> {
    if (this.waiters.size === 0) return;
    this.passes++;
    // Only the columns dispatch needs, labels still as text: a pass reads every incomplete stage.
    const rows = await this.options.db
      .selectFrom('stages')
      .select([
        'id',
        'repo_id',
        'name',
        'status',
        'machine',
        'kind',
        'type',
        'os',
        'arch',
        'variant',
        'kernel',
        'labels',
        'limit',
        'throttle',
      ])
      .where('status', 'in', ['pending', 'running'])
      .orderBy('id')
      .execute();
    const pending = rows.filter((s) => s.status === 'pending' && s.machine === '' && !this.offers.has(s.id));
    for (const row of fairOrder(pending, rows)) {
      if (this.waiters.size === 0 || this.closed) return;
      if (holdOf(row, rows)) continue;
      const target = { ...row, labels: parseLabels(row.labels) };
      if (!this.pick(target)) continue;
      // The full row, fresh: it may have been accepted or cancelled (here or on another replica)
      // since the list was read.
      const stage = await findStage(this.options.db, row.id);
      if (stage?.status !== 'pending' || stage.machine !== '' || this.offers.has(stage.id)) continue;
      // Whoever is still waiting after the read.
      const waiter = this.pick(target);
      if (!waiter) continue;
      this.offer(stage, waiter);
      waiter.resolve(stage);
    }
  }

  /** The longest-waiting runner that can run `stage` (one check per distinct filter). */
  private pick(stage: StageTarget): Waiter | undefined {
    let best: Waiter | undefined;
    for (const group of this.groups.values()) {
      const first = group.members.values().next().value;
      if (!first || (best && best.id < first.id)) continue;
      if (mismatch(group.filter, stage, this.options.labelsMatch) === undefined) best = first;
    }
    return best;
  }

  private offer(stage: Stage, waiter: Waiter): void {
    const ttl = this.options.offerTtlMs ?? 15_000;
    const timer = setTimeout(() => this.release(stage.id), ttl);
    timer.unref();
    this.offers.set(stage.id, {
      stage: stage.id,
      filter: waiter.filter,
      name: waiter.name,
      address: waiter.address,
      until: Date.now() + ttl,
      timer,
    });
  }
}

/** A stage's `labels` column (JSON text) as a map; {} when unreadable. */
function parseLabels(text: string): Record<string, string> {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, string>) : {};
  } catch {
    return {};
  }
}
