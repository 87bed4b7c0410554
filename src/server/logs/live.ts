// Live step logs. Lines a runner sends (`/logs/batch`) are stored first — in the `lines` table, one
// row per position, repeats ignored — and then announced; a subscriber (an SSE client) keeps the
// position it expects next and reads whatever it has not seen from the table. So a subscriber on
// another replica, one that reconnects with `Last-Event-ID`, or one that fell behind gets every
// line exactly once, in order. Lines are delivered contiguously: a hole (a batch still in flight,
// or one a runner lost) is waited for up to `gapWaitMs`, then skipped. A subscriber that cannot keep
// up is paused while its socket drains, and the SSE layer drops it if it stays stuck; lines are never
// dropped. When the step ends, the stream ends after its last line (read from the uploaded log if
// the live lines are gone by then).
import type { EventBus } from '../events/bus.js';
import type { Line } from '../store/models.js';
import { appendLines, findLog, readLines } from '../store/queries/logs.js';
import type { Db } from '../store/schema.js';

/** Where a subscriber's lines go. */
export interface LineSink {
  /**
   * Takes lines in order until the client's buffer is full; returns how many it took. Fewer than
   * given means "full": the rest is offered again after `onDrain`.
   */
  write(lines: Line[]): number;
  /** Calls `cb` once the client can take more. */
  onDrain(cb: () => void): void;
  /** Every line has been sent and the step ended. */
  end(): void;
}

/** A subscription; `close` stops it (the client went away). */
export interface Subscription {
  close(): void;
}

export interface LiveLogsOptions {
  db: Db;
  bus: EventBus;
  /** How long a hole in the positions is waited for before it is skipped (default 2 s). */
  gapWaitMs?: number;
  /** Lines read per query (default 1000). */
  pageSize?: number;
  log?: { warn(obj: object, msg: string): void };
}

interface Sub {
  next: number;
  sink: LineSink;
  pumping: boolean;
  again: boolean;
  draining: boolean;
  gapSince: number | undefined;
  gapTimer: NodeJS.Timeout | undefined;
  closed: boolean;
}

interface Feed {
  step: number;
  subs: Set<Sub>;
  ended: boolean;
  /** The uploaded log, parsed, once the live lines may be gone. */
  stored?: Line[];
}

export class LiveLogs {
  private readonly feeds = new Map<number, Feed>();
  private readonly off: (() => void)[] = [];
  private readonly gapWaitMs: number;
  private readonly pageSize: number;

  constructor(private readonly options: LiveLogsOptions) {
    this.gapWaitMs = options.gapWaitMs ?? 2000;
    this.pageSize = options.pageSize ?? 1000;
    const { bus } = options;
    this.off.push(
      bus.on('lines', (e) => {
        const feed = this.feeds.get(e.step);
        if (!feed) return;
        for (const sub of feed.subs) if (e.to === undefined || sub.next <= e.to) this.pump(feed, sub);
      }),
      bus.on('step', (e) => {
        const feed = this.feeds.get(e.step);
        if (feed) this.end(feed);
      }),
      bus.on('resync', () => {
        for (const feed of this.feeds.values()) for (const sub of feed.subs) this.pump(feed, sub);
      }),
    );
  }

  /** Stores a batch of a step's lines and delivers them; returns how many were new. */
  async append(stepId: number, lines: Line[]): Promise<number> {
    if (lines.length === 0) return 0;
    const sorted = [...lines].sort((a, b) => a.pos - b.pos);
    const added = await appendLines(this.options.db, stepId, sorted);
    const feed = this.feeds.get(stepId);
    // Straight to local subscribers when the batch is exactly what is stored now.
    if (feed && added === sorted.length && contiguous(sorted)) this.push(feed, sorted);
    const to = sorted[sorted.length - 1]?.pos;
    this.options.bus.publish({ type: 'lines', step: stepId, ...(to !== undefined ? { to } : {}) });
    return added;
  }

  /** The step ended: its streams end after their last line, here and on other replicas. */
  ended(stepId: number): void {
    this.options.bus.publish({ type: 'step', step: stepId });
  }

  /**
   * Streams step `stepId`'s lines from position `from` on. Call `markEnded` when the step is found
   * to be done (after subscribing, so an end that happens in between is not missed).
   */
  subscribe(stepId: number, from: number, sink: LineSink): Subscription & { markEnded(): void } {
    let feed = this.feeds.get(stepId);
    if (!feed) {
      feed = { step: stepId, subs: new Set(), ended: false };
      this.feeds.set(stepId, feed);
    }
    const f = feed;
    const sub: Sub = {
      next: Math.max(0, from),
      sink,
      pumping: false,
      again: false,
      draining: false,
      gapSince: undefined,
      gapTimer: undefined,
      closed: false,
    };
    f.subs.add(sub);
    this.pump(f, sub);
    return {
      close: () => this.drop(f, sub),
      markEnded: () => this.end(f),
    };
  }

  /** Subscribers on this replica (metrics, tests). */
  subscribers(): number {
    let n = 0;
    for (const f of this.feeds.values()) n += f.subs.size;
    return n;
  }

  /** Ends every stream without its end marker (server shutdown: clients reconnect elsewhere). */
  close(): void {
    for (const off of this.off) off();
    for (const feed of [...this.feeds.values()]) for (const sub of [...feed.subs]) this.drop(feed, sub);
  }

  private end(feed: Feed): void {
    if (feed.ended) return;
    feed.ended = true;
    for (const sub of feed.subs) this.pump(feed, sub);
  }

  private push(feed: Feed, lines: Line[]): void {
    for (const sub of feed.subs) {
      const first = lines[0] as Line;
      // Behind a hole the lines after it are stored already: read them in order instead.
      if (sub.pumping || sub.draining || sub.closed || sub.gapSince !== undefined || first.pos > sub.next) {
        this.pump(feed, sub);
        continue;
      }
      const fresh = lines.filter((l) => l.pos >= sub.next);
      if (fresh.length === 0) continue;
      this.deliver(feed, sub, fresh);
    }
  }

  private deliver(feed: Feed, sub: Sub, lines: Line[]): void {
    const taken = sub.sink.write(lines);
    if (taken > 0) sub.next = (lines[taken - 1] as Line).pos + 1;
    if (taken < lines.length && !sub.closed) {
      sub.draining = true;
      sub.sink.onDrain(() => {
        sub.draining = false;
        this.pump(feed, sub);
      });
    }
  }

  /** Reads and delivers what `sub` has not seen; one pump per subscriber at a time. */
  private pump(feed: Feed, sub: Sub): void {
    if (sub.closed) return;
    if (sub.pumping) {
      sub.again = true;
      return;
    }
    sub.pumping = true;
    void this.run(feed, sub)
      .catch((err) => {
        this.options.log?.warn(
          { step: feed.step, err: (err as Error).message },
          'logs: cannot read live lines',
        );
        // Try again a little later; the client keeps its position.
        if (!sub.closed) setTimeout(() => this.pump(feed, sub), 1000).unref();
      })
      .finally(() => {
        sub.pumping = false;
        if (sub.again && !sub.closed) {
          sub.again = false;
          this.pump(feed, sub);
        }
      });
  }

  private async run(feed: Feed, sub: Sub): Promise<void> {
    for (;;) {
      sub.again = false;
      if (sub.closed || sub.draining) return;
      const rows = await this.read(feed, sub.next);
      if (sub.closed) return;
      const out: Line[] = [];
      let blocked = false;
      let expect = sub.next;
      for (const row of rows) {
        if (row.pos < expect) continue;
        if (row.pos > expect && !this.gapExpired(feed, sub)) {
          blocked = true;
          break;
        }
        out.push(row);
        expect = row.pos + 1;
        sub.gapSince = undefined;
      }
      if (out.length > 0) {
        this.deliver(feed, sub, out);
        if (sub.draining || sub.closed) return;
      }
      if (blocked) return;
      if (rows.length < this.pageSize) {
        if (feed.ended && !sub.again) this.finish(feed, sub);
        if (!sub.again) return;
      }
    }
  }

  /** True when the hole before `sub.next` has been waited for long enough (or the step ended). */
  private gapExpired(feed: Feed, sub: Sub): boolean {
    if (feed.ended) return true;
    const now = Date.now();
    if (sub.gapSince === undefined) sub.gapSince = now;
    if (now - sub.gapSince >= this.gapWaitMs) return true;
    if (!sub.gapTimer) {
      sub.gapTimer = setTimeout(
        () => {
          sub.gapTimer = undefined;
          this.pump(feed, sub);
        },
        this.gapWaitMs - (now - sub.gapSince),
      );
      sub.gapTimer.unref();
    }
    return false;
  }

  private async read(feed: Feed, from: number): Promise<Line[]> {
    const rows = await readLines(this.options.db, feed.step, from, this.pageSize);
    if (rows.length > 0 || !feed.ended) return rows;
    // The step ended and its live lines may have been replaced by the uploaded log.
    if (!feed.stored) feed.stored = parseLog(await findLog(this.options.db, feed.step));
    return feed.stored.filter((l) => l.pos >= from).slice(0, this.pageSize);
  }

  private finish(feed: Feed, sub: Sub): void {
    this.drop(feed, sub);
    sub.sink.end();
  }

  private drop(feed: Feed, sub: Sub): void {
    sub.closed = true;
    if (sub.gapTimer) clearTimeout(sub.gapTimer);
    feed.subs.delete(sub);
    if (feed.subs.size === 0 && this.feeds.get(feed.step) === feed) this.feeds.delete(feed.step);
  }
}

function contiguous(lines: readonly Line[]): boolean {
  for (let i = 1; i < lines.length; i++)
    if ((lines[i] as Line).pos !== (lines[i - 1] as Line).pos + 1) return false;
  return true;
}

/** The lines of an uploaded log (a JSON array of lines); [] when absent or unreadable. */
export function parseLog(data: Buffer | undefined): Line[] {
  if (!data) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString('utf8'));
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const out: Line[] = [];
  for (const l of parsed) {
    if (typeof l !== 'object' || l === null) continue;
    const { pos, out: text, time } = l as Record<string, unknown>;
    if (!Number.isSafeInteger(pos) || typeof text !== 'string') continue;
    out.push({ pos: pos as number, out: text, time: typeof time === 'number' ? time : 0 });
  }
  return out.sort((a, b) => a.pos - b.pos);
}
