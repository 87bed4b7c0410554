// One Server-Sent Events response in Drone's format (drone-reference.md §5.11): the headers, a `: ping`
// comment first and every `keepaliveMs`, `data: <json>` messages (with `id:` when the message has a
// position to resume from), and `event: error` / `data: eof` at the end. Buffering per client is
// bounded: past `highWaterBytes` the writer reports back-pressure (the caller waits for `drain`),
// and a client that does not drain for `stallMs`, or whose buffer passes `maxBufferBytes`, is
// disconnected — it can reconnect and resume; nothing is dropped on the server's side.
import type { FastifyReply } from 'fastify';

export interface SseOptions {
  keepaliveMs: number;
  /** Above this many buffered bytes `send` answers false (default 64 KiB). */
  highWaterBytes?: number;
  /** A client with more than this buffered is dropped (default 1 MiB). */
  maxBufferBytes?: number;
  /** A client that has not drained for this long is dropped (default 30 s). */
  stallMs?: number;
}

export class SseStream {
  private readonly raw: FastifyReply['raw'];
  private keepalive: NodeJS.Timeout | undefined;
  private stall: NodeJS.Timeout | undefined;
  private readonly closeHandlers: (() => void)[] = [];
  private readonly drainHandlers: (() => void)[] = [];
  private closed = false;
  private readonly high: number;
  private readonly max: number;
  private readonly stallMs: number;

  constructor(reply: FastifyReply, options: SseOptions) {
    this.high = options.highWaterBytes ?? 64 * 1024;
    this.max = options.maxBufferBytes ?? 1024 * 1024;
    this.stallMs = options.stallMs ?? 30_000;
    reply.hijack();
    this.raw = reply.raw;
    this.raw.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    this.raw.on('close', () => this.shutdown());
    this.raw.on('drain', () => {
      if (this.stall) clearTimeout(this.stall);
      this.stall = undefined;
      for (const cb of this.drainHandlers.splice(0)) cb();
    });
    this.write(': ping\n\n');
    this.keepalive = setInterval(() => {
      if (this.raw.writableLength < this.high) this.write(': ping\n\n');
    }, options.keepaliveMs);
    this.keepalive.unref();
  }

  /** True until the client is gone or the stream ended. */
  get open(): boolean {
    return !this.closed;
  }

  /** True when the client can take another message now (open, buffer below the high-water mark). */
  get ready(): boolean {
    return !this.closed && this.raw.writableLength < this.high;
  }

  /**
   * Sends one message. A client whose buffer already holds more than `maxBufferBytes` is dropped
   * instead (a sender that respects `ready` never gets there). False when the client should be
   * given time to drain.
   */
  send(data: string, id?: number): boolean {
    if (this.closed) return false;
    if (this.raw.writableLength > this.max) {
      this.drop();
      return false;
    }
    this.write(`${id !== undefined ? `id: ${id}\n` : ''}data: ${data}\n\n`);
    return this.ready;
  }

  /** Calls `cb` when the client's buffer drained (at once if it is not full). */
  onDrain(cb: () => void): void {
    if (this.closed) return;
    if (this.raw.writableLength < this.high) {
      queueMicrotask(cb);
      return;
    }
    this.drainHandlers.push(cb);
    this.stall ??= setTimeout(() => this.drop(), this.stallMs);
  }

  /** Calls `cb` once when the client goes away or the stream ends. */
  onClose(cb: () => void): void {
    if (this.closed) queueMicrotask(cb);
    else this.closeHandlers.push(cb);
  }

  /** Ends the stream with Drone's end marker. */
  end(): void {
    if (this.closed) return;
    this.write('event: error\ndata: eof\n\n');
    this.raw.end();
    this.shutdown();
  }

  /** Disconnects the client (slow, or the server is stopping). */
  drop(): void {
    if (this.closed) return;
    this.raw.destroy();
    this.shutdown();
  }

  private write(text: string): void {
    if (!this.closed && !this.raw.destroyed) this.raw.write(text);
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.keepalive) clearInterval(this.keepalive);
    if (this.stall) clearTimeout(this.stall);
    this.drainHandlers.length = 0;
    for (const cb of this.closeHandlers.splice(0)) cb();
  }
}
