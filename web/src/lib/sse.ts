// Server-sent events over `fetch` instead of the browser's EventSource, because EventSource can
// send neither an `Authorization` header nor a `Last-Event-ID` of our choosing. The parser follows
// the HTML standard's event-stream rules; the client reconnects after a dropped connection with
// the last event id, so the server can resume exactly where the stream broke.

/** One dispatched event. */
export interface SseEvent {
  /** `message` unless the server named it. */
  event: string;
  data: string;
  /** The last event id seen so far ('' when none). */
  id: string;
}

/** Incremental parser of a `text/event-stream` body. */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  /** The last `id:` field seen (kept across events, as the standard says). */
  lastEventId = '';
  /** The last `retry:` field seen, in milliseconds. */
  retry: number | undefined;

  constructor(lastEventId = '') {
    this.lastEventId = lastEventId;
  }

  /** Feeds a chunk of the body and returns the events it completed. */
  push(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const out: SseEvent[] = [];
    for (;;) {
      const m = /\r\n|\n|\r/.exec(this.buffer);
      if (!m) break;
      // A lone `\r` at the very end may be the first half of `\r\n`: wait for more.
      if (m[0] === '\r' && m.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      const ev = this.line(line);
      if (ev) out.push(ev);
    }
    return out;
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') {
      const data = this.data;
      const event = this.event;
      this.data = [];
      this.event = '';
      if (data.length === 0) return undefined;
      return { event: event || 'message', data: data.join('\n'), id: this.lastEventId };
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.lastEventId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retry = Number(value);
    return undefined;
  }
}

/** How a stream ended for good. */
export type StreamEnd =
  /** The server sent Drone's end marker (`event: error`, `data: eof`). */
  | { kind: 'eof' }
  /** The endpoint does not exist on this server (404/405/501): the caller should poll instead. */
  | { kind: 'unsupported' }
  /** The server refused (401/403/other 4xx); reconnecting would not help. */
  | { kind: 'refused'; status: number }
  /** `close()` was called. */
  | { kind: 'closed' };

/** Options of openStream. */
export interface StreamOptions {
  /** The current API token, if any. */
  token?: () => string | undefined;
  /** Resume after this event id. */
  lastEventId?: string;
  onEvent: (event: SseEvent) => void;
  /** Each time a connection is (re)established. */
  onOpen?: (reconnected: boolean) => void;
  /** Each time a connection drops and a reconnect is scheduled. */
  onDrop?: () => void;
  /** Once, when the stream ends for good. */
  onEnd?: (end: StreamEnd) => void;
  /** Delay before reconnecting, unless the server sent `retry:` (default 1000 ms). */
  retryMs?: number;
  fetch?: typeof fetch;
}

/** An open stream. */
export interface Stream {
  close(): void;
  /** The id of the last event received. */
  lastEventId(): string;
}

/** Opens `url` as an event stream that reconnects (with Last-Event-ID) until it ends or is closed. */
export function openStream(url: string, options: StreamOptions): Stream {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const controller = new AbortController();
  let lastId = options.lastEventId ?? '';
  let retry = options.retryMs ?? 1000;
  let ended = false;

  const end = (how: StreamEnd) => {
    if (ended) return;
    ended = true;
    controller.abort();
    options.onEnd?.(how);
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      controller.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(t);
          resolve();
        },
        { once: true },
      );
    });

  const run = async () => {
    let connections = 0;
    while (!ended) {
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      const token = options.token?.();
      if (token) headers.authorization = `Bearer ${token}`;
      if (lastId !== '') headers['last-event-id'] = lastId;
      let res: Response | undefined;
      try {
        res = await doFetch(url, { headers, signal: controller.signal, cache: 'no-store' });
      } catch {
        res = undefined;
      }
      if (ended) return;
      if (res && [404, 405, 501].includes(res.status)) return end({ kind: 'unsupported' });
      if (res && res.status >= 400 && res.status < 500) return end({ kind: 'refused', status: res.status });
      if (res?.ok && res.body) {
        options.onOpen?.(connections > 0);
        connections += 1;
        const parser = new SseParser(lastId);
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            for (const ev of parser.push(decoder.decode(value, { stream: true }))) {
              lastId = ev.id;
              if (ev.event === 'error' && ev.data === 'eof') return end({ kind: 'eof' });
              options.onEvent(ev);
              if (ended) return;
            }
          }
        } catch {
          // the connection dropped: reconnect below
        } finally {
          lastId = parser.lastEventId;
          if (parser.retry !== undefined) retry = parser.retry;
        }
      }
      if (ended) return;
      options.onDrop?.();
      await sleep(retry);
    }
  };
  void run();

  return {
    close: () => end({ kind: 'closed' }),
    lastEventId: () => lastId,
  };
}
