// The event bus across server replicas sharing one PostgreSQL: events go out with NOTIFY (after the
// publisher's transaction has committed, so a receiver that reads the database sees the change) and
// come in on one dedicated LISTEN connection per replica. The channel is named after the store's
// schema, so servers on different schemas of one database do not hear each other. A replica whose
// listener lost its connection reconnects and tells its own handlers to re-read the database
// (`resync`): notifications sent meanwhile are gone, the rows are not.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import type { Db } from '../store/schema.js';
import { decodeEvent, encodeEvent, type HangarEvent, LocalBus } from './bus.js';

/** Where the bus logs trouble (pino's shape). */
export interface BusLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface PgBusOptions {
  /** Connection URL of the database (the LISTEN connection is opened with it). */
  url: string;
  /** The store: NOTIFY goes through its pool, and its schema names the channel. */
  db: Db;
  log?: BusLog;
  /** Reconnect backoff of the listener, in ms (default 250 ms doubling up to 10 s). */
  reconnect?: { minMs?: number; maxMs?: number };
}

/** PostgreSQL's limit is 8000 bytes per payload; stay well below it. */
const MAX_PAYLOAD = 7000;

/** The channel of a schema: `hangar_<schema>`, a plain lower-case identifier of at most 63 bytes. */
export function channelName(schema: string): string {
  const clean = schema.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return `hangar_${clean}`.slice(0, 63);
}

/**
 * A LocalBus whose events also travel through PostgreSQL NOTIFY/LISTEN. Until `start` has found the
 * channel and connected, events are delivered locally and kept for the other replicas.
 */
export class PgBus extends LocalBus {
  private readonly origin = randomBytes(8).toString('hex');
  private client: pg.Client | undefined;
  private closed = false;
  private started = false;
  private retryMs: number;
  private retryTimer: NodeJS.Timeout | undefined;
  private outbox: string[] = [];
  private flushing = false;
  /** The channel (known once started). */
  channel = '';

  constructor(private readonly options: PgBusOptions) {
    super();
    this.retryMs = options.reconnect?.minMs ?? 250;
  }

  /** Finds the channel and connects the listener; a failure is thrown (a wrong URL should stop the server). */
  async start(): Promise<void> {
    const row = await sql<{ s: string | null }>`select current_schema() as s`.execute(this.options.db);
    this.channel = channelName(row.rows[0]?.s ?? 'public');
    await this.connect();
    this.started = true;
    this.kick();
  }

  override publish(event: HangarEvent): void {
    super.publish(event);
    if (this.closed) return;
    const text = encodeEvent(event);
    // Many identical wake-ups in one tick (a burst of new stages) travel once.
    if (!this.outbox.includes(text)) this.outbox.push(text);
    this.kick();
  }

  private kick(): void {
    if (this.flushing || !this.started || this.outbox.length === 0) return;
    this.flushing = true;
    setImmediate(() => void this.flush());
  }

  override async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    if (client) await client.end().catch(() => {});
  }

  private async flush(): Promise<void> {
    try {
      while (this.outbox.length > 0 && !this.closed) {
        const payloads = pack(this.origin, this.outbox.splice(0));
        const calls = payloads.map((p) => sql`pg_notify(${this.channel}, ${p})`);
        await sql`select ${sql.join(calls)}`.execute(this.options.db);
      }
    } catch (err) {
      this.options.log?.warn({ err: (err as Error).message }, 'events: cannot notify other replicas');
    } finally {
      this.flushing = false;
      if (!this.closed) this.kick();
    }
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.url, keepAlive: true });
    client.on('notification', (msg) => {
      if (msg.channel !== this.channel || msg.payload === undefined) return;
      this.receive(msg.payload);
    });
    // Without an 'error' listener a dropped connection would crash the process.
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    await client.connect();
    await client.query(`listen "${this.channel}"`);
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.retryMs = this.options.reconnect?.minMs ?? 250;
  }

  private receive(payload: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload);
    } catch {
      return;
    }
    const msg = parsed as { o?: unknown; e?: unknown };
    // Our own notifications were delivered locally when published.
    if (msg.o === this.origin || !Array.isArray(msg.e)) return;
    for (const raw of msg.e) {
      const event = decodeEvent(raw);
      if (event) this.deliver(event);
    }
  }

  private lost(client: pg.Client): void {
    if (this.client !== client || this.closed) return;
    this.client = undefined;
    client.end().catch(() => {});
    this.options.log?.warn({ channel: this.channel }, 'events: lost the LISTEN connection; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retryTimer) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, this.options.reconnect?.maxMs ?? 10_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect().then(
        () => {
          if (this.closed) return;
          this.options.log?.info({ channel: this.channel }, 'events: listening again');
          // Whatever was notified while we were away is lost; the rows are not.
          this.deliver({ type: 'resync' });
        },
        () => this.scheduleReconnect(),
      );
    }, delay);
    this.retryTimer.unref();
  }
}

/** Groups encoded events into as few payloads as fit PostgreSQL's size limit. */
function pack(origin: string, events: string[]): string[] {
  const out: string[] = [];
  let batch: string[] = [];
  let size = 0;
  const emit = () => {
    if (batch.length > 0) out.push(`{"o":"${origin}","e":[${batch.join(',')}]}`);
    batch = [];
    size = 0;
  };
  for (const e of events) {
    if (size + e.length + 40 > MAX_PAYLOAD) emit();
    batch.push(e);
    size += e.length + 1;
  }
  emit();
  return out;
}
