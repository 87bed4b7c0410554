// A small Server-Sent Events client for tests: keeps every message and comment as it arrives, and can
// disconnect at any point (to test resumption).
import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';

/** One SSE message. */
export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

export class SseClient {
  readonly messages: SseMessage[] = [];
  readonly comments: string[] = [];
  status = 0;
  headers: IncomingMessage['headers'] = {};
  ended = false;
  /** True once the connection is gone (closed by either side). */
  closed = false;
  private buffer = '';
  private req: ClientRequest | undefined;
  private res: IncomingMessage | undefined;

  /** Opens `url`; resolves once the response headers arrived. */
  open(url: string, headers: Record<string, string> = {}): Promise<this> {
    return new Promise((resolve, reject) => {
      this.req = httpRequest(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
        this.res = res;
        res.socket.on('close', () => {
          this.closed = true;
        });
        this.status = res.statusCode ?? 0;
        this.headers = res.headers;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => this.feed(chunk));
        res.on('end', () => {
          this.ended = true;
        });
        res.on('close', () => {
          this.ended = true;
        });
        res.on('error', () => {});
        resolve(this);
      });
      this.req.on('error', (err) => {
        this.ended = true;
        reject(err);
      });
      this.req.end();
    });
  }

  /** Stops reading (a client too slow to keep up). */
  pause(): void {
    this.res?.pause();
  }

  /** Reads again. */
  resume(): void {
    this.res?.resume();
  }

  /** Drops the connection (as a browser losing its network does). */
  close(): void {
    this.req?.destroy();
    this.ended = true;
  }

  /** The data of the log lines received so far, parsed. */
  lines(): { pos: number; out: string; time: number }[] {
    return this.messages.filter((m) => m.event === undefined).map((m) => JSON.parse(m.data));
  }

  /** True once Drone's end marker arrived. */
  get eof(): boolean {
    return this.messages.some((m) => m.event === 'error' && m.data === 'eof');
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end < 0) return;
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const msg: SseMessage = { data: '' };
      let hasData = false;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) {
          this.comments.push(line.slice(1).trim());
          continue;
        }
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') {
          msg.data = hasData ? `${msg.data}\n${value}` : value;
          hasData = true;
        } else if (field === 'id') msg.id = value;
        else if (field === 'event') msg.event = value;
      }
      if (hasData) this.messages.push(msg);
    }
  }
}
