// Per-step log writer (drone-reference.md §4.8): raw output chunks in, masked Lines out. Lines carry
// Drone's shape; live delivery stops at the size cap while the retained history keeps the tail.
import { Masker } from './mask.js';

/** One log line, as Drone's runner sends it. */
export interface Line {
  /** 0-based index of the line in the step's output. */
  pos: number;
  /** The text including its trailing `\n` (a final partial line has none). */
  out: string;
  /** Whole seconds since the step's writer was created. */
  time: number;
}

/** Drone's per-step cap (`defaultLimit`): 5 MB. */
export const DEFAULT_LOG_LIMIT = 5 * 1024 * 1024;

/** A line without a newline is cut at this length so one endless line cannot grow without bound. */
export const MAX_LINE_LENGTH = 64 * 1024;

export interface LineWriterOptions {
  /** Secret values to mask (each split, trimmed and filtered as Drone does). */
  secrets?: Iterable<string>;
  /** Receives each line while the step is under its cap. */
  onLine?: (line: Line) => void;
  /** Size cap of the retained history in bytes (UTF-8); default 5 MB. */
  limit?: number;
  /** Clock in milliseconds; default `Date.now`. */
  now?: () => number;
}

/** Splits, masks, numbers, times and retains one step's output. */
export class LineWriter {
  private readonly masker: Masker;
  private readonly onLine: ((line: Line) => void) | undefined;
  private readonly limit: number;
  private readonly now: () => number;
  private readonly start: number;
  private partial = '';
  private pos = 0;
  private size = 0;
  private live = true;
  private closed = false;
  private lines: Line[] = [];
  /** Index of the first retained line in `lines` (dropping from the front without shifting). */
  private head = 0;

  constructor(opts: LineWriterOptions = {}) {
    this.masker = new Masker(opts.secrets ?? []);
    this.onLine = opts.onLine;
    this.limit = opts.limit ?? DEFAULT_LOG_LIMIT;
    this.now = opts.now ?? Date.now;
    this.start = this.now();
  }

  /** Feeds raw output. Complete lines are delivered at once; a partial one waits for its newline. */
  write(chunk: string): void {
    if (this.closed || chunk.length === 0) return;
    this.split(this.masker.write(chunk));
  }

  /** Flushes what is held back (a final partial line included) and returns the retained history. */
  close(): Line[] {
    if (!this.closed) {
      this.split(this.masker.end());
      if (this.partial.length > 0) this.emit(this.partial);
      this.partial = '';
      this.closed = true;
    }
    return this.history();
  }

  /** The retained lines: everything, or the tail once the cap was exceeded. */
  history(): Line[] {
    return this.lines.slice(this.head);
  }

  /** False once the cap was exceeded and live delivery stopped. */
  get streaming(): boolean {
    return this.live;
  }

  private split(text: string): void {
    const buf = this.partial + text;
    let from = 0;
    for (;;) {
      const nl = buf.indexOf('\n', from);
      const end = nl === -1 ? buf.length : nl + 1;
      if (end - from > MAX_LINE_LENGTH) {
        // Cut an overlong line, never between the two halves of a surrogate pair.
        let at = from + MAX_LINE_LENGTH;
        const code = buf.charCodeAt(at - 1);
        if (code >= 0xd800 && code <= 0xdbff) at--;
        this.emit(buf.slice(from, at));
        from = at;
        continue;
      }
      if (nl === -1) break;
      this.emit(buf.slice(from, end));
      from = end;
    }
    this.partial = buf.slice(from);
  }

  private emit(out: string): void {
    const line: Line = {
      pos: this.pos++,
      out,
      time: Math.max(0, Math.floor((this.now() - this.start) / 1000)),
    };
    const bytes = Buffer.byteLength(out);
    while (this.size + bytes > this.limit && this.head < this.lines.length) {
      this.live = false;
      this.size -= Buffer.byteLength(this.lines[this.head]!.out);
      this.head++;
    }
    if (this.size + bytes > this.limit) this.live = false;
    this.size += bytes;
    this.lines.push(line);
    // Compact now and then so dropped lines do not pin memory.
    if (this.head > 1024 && this.head * 2 > this.lines.length) {
      this.lines = this.lines.slice(this.head);
      this.head = 0;
    }
    if (this.live) this.onLine?.(line);
  }
}
