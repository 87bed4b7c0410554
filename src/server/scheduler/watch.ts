// Runners waiting to hear that their build was cancelled (`POST /rpc/v2/build/{id}/watch`). The
// database says whether a build is cancelled; this only decides when to look again. A cancel made
// through this server or another replica wakes the watchers of that build at once (the `cancel`
// event); as a safety net for writers that do not announce their change, the builds being watched
// are also re-read every `pollMs` (one query for all of them).
import type { Db } from '../store/schema.js';
import { isDone } from './reports.js';

/** How a wait ended. */
export type WaitResult = 'woken' | 'timeout' | 'aborted';

export class Watchers {
  private readonly byBuild = new Map<number, Set<() => void>>();
  private poller: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly pollMs: number,
  ) {}

  /**
   * Starts waiting until build `buildId` may have changed, `ms` passed or `signal` aborted. Register
   * before reading the build, so a change between the read and the wait still wakes it; `cancel`
   * ends an unneeded wait.
   */
  watch(buildId: number, ms: number, signal?: AbortSignal): { result: Promise<WaitResult>; cancel(): void } {
    let cancel = () => {};
    if (this.closed) return { result: Promise.resolve('timeout'), cancel };
    if (signal?.aborted) return { result: Promise.resolve('aborted'), cancel };
    const result = new Promise<WaitResult>((resolve) => {
      let set = this.byBuild.get(buildId);
      if (!set) {
        set = new Set();
        this.byBuild.set(buildId, set);
      }
      const finish = (result: WaitResult) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        set.delete(wake);
        if (set.size === 0 && this.byBuild.get(buildId) === set) this.byBuild.delete(buildId);
        resolve(result);
      };
      const wake = () => finish('woken');
      const onAbort = () => finish('aborted');
      const timer = setTimeout(() => finish('timeout'), ms);
      signal?.addEventListener('abort', onAbort, { once: true });
      set.add(wake);
      cancel = () => finish('timeout');
      this.startPolling();
    });
    return { result, cancel: () => cancel() };
  }

  /** Wakes the watchers of one build. */
  wake(buildId: number): void {
    for (const wake of [...(this.byBuild.get(buildId) ?? [])]) wake();
  }

  /** Wakes every watcher (events may have been missed, or the server stops). */
  wakeAll(): void {
    for (const id of [...this.byBuild.keys()]) this.wake(id);
  }

  /** How many requests are watching. */
  count(): number {
    let n = 0;
    for (const set of this.byBuild.values()) n += set.size;
    return n;
  }

  close(): void {
    this.closed = true;
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
    this.wakeAll();
  }

  private startPolling(): void {
    if (this.poller || this.closed || this.pollMs <= 0) return;
    this.poller = setInterval(() => void this.poll(), this.pollMs);
    this.poller.unref();
  }

  private async poll(): Promise<void> {
    const ids = [...this.byBuild.keys()];
    if (ids.length === 0) {
      if (this.poller) clearInterval(this.poller);
      this.poller = undefined;
      return;
    }
    try {
      const rows = await this.db
        .selectFrom('builds')
        .select(['id', 'status'])
        .where('id', 'in', ids)
        .execute();
      const seen = new Set(rows.map((r) => r.id));
      for (const r of rows) if (isDone(r.status)) this.wake(r.id);
      // A deleted build is as good as cancelled.
      for (const id of ids) if (!seen.has(id)) this.wake(id);
    } catch {
      // The next tick tries again; cancels announced by event are not affected.
    }
  }
}
