// The lines of one step's log as the UI has seen them, from any mix of sources: the stored log,
// live events, a re-fetch after a reconnect. Lines are keyed by position, so a line received twice
// is kept once and lines arriving out of order land in place; holes are reported so the caller can
// fetch what a dropped connection missed.
import type { Line } from './types.js';

/** Ordered, de-duplicated log lines. */
export class LogBuffer {
  private readonly list: Line[] = [];
  /** Bumped on every change (React re-renders on it). */
  version = 0;

  /** The lines, by position. */
  get lines(): readonly Line[] {
    return this.list;
  }

  get size(): number {
    return this.list.length;
  }

  /** Position of the last line, or -1. */
  get lastPos(): number {
    return this.list.at(-1)?.pos ?? -1;
  }

  /** Adds lines; returns how many were new. */
  add(lines: readonly Line[]): number {
    let added = 0;
    for (const line of lines) {
      if (!Number.isInteger(line.pos) || line.pos < 0) continue;
      const last = this.list.at(-1);
      if (!last || line.pos > last.pos) {
        this.list.push(line);
        added++;
        continue;
      }
      const at = this.indexOf(line.pos);
      if (this.list[at]?.pos === line.pos) continue;
      this.list.splice(at, 0, line);
      added++;
    }
    if (added > 0) this.version++;
    return added;
  }

  /** Replaces everything (a log that was purged or re-uploaded). */
  reset(lines: readonly Line[] = []): void {
    this.list.length = 0;
    this.add(lines);
    this.version++;
  }

  /**
   * Missing position ranges `[from, to]` (inclusive) between the first and the last line held.
   * Lines before the first one are not holes: a live log keeps only its tail.
   */
  gaps(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 1; i < this.list.length; i++) {
      const prev = this.list[i - 1]!.pos;
      const cur = this.list[i]!.pos;
      if (cur > prev + 1) out.push([prev + 1, cur - 1]);
    }
    return out;
  }

  /** The raw text of the log, as the step printed it. */
  text(): string {
    return this.list.map((l) => (l.out.endsWith('\n') ? l.out : `${l.out}\n`)).join('');
  }

  /** Index of the first line with position >= pos. */
  private indexOf(pos: number): number {
    let lo = 0;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.list[mid]!.pos < pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** A Line from an event's JSON data, or undefined when it is not one. */
export function parseLine(data: string): Line | undefined {
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.pos !== 'number' || typeof o.out !== 'string') return undefined;
  return { pos: o.pos, out: o.out, time: typeof o.time === 'number' ? o.time : 0 };
}
