// What one part of the server tells the others: "the queue may have work", "this build was
// cancelled", "step S has new live lines", "step S ended", "build B changed". Events carry ids only;
// whoever hears one reads the database, which stays the only authority. In one process the bus is a
// set of handlers; on PostgreSQL the same events also travel to every other replica (pg.ts).

/** An event: ids only, never row contents (events may cross process boundaries). */
export type HangarEvent =
  /** Pending stages may be dispatchable: wake the dispatcher. */
  | { type: 'queue' }
  /** A build was cancelled, finished or lost a stage: wake the runners watching it. */
  | { type: 'cancel'; build: number }
  /** A step has new live log lines, up to position `to` when known. */
  | { type: 'lines'; step: number; to?: number }
  /** A step ended: its live log stream ends after the last line. */
  | { type: 'step'; step: number }
  /** A build (or one of its stages or steps) changed: UI events. */
  | { type: 'build'; repo: number; build: number }
  /** Events may have been missed (a replica's listener reconnected): everyone re-reads the database. */
  | { type: 'resync' };

export type EventType = HangarEvent['type'];
export type EventOf<T extends EventType> = Extract<HangarEvent, { type: T }>;
export type Handler<T extends EventType> = (event: EventOf<T>) => void;

/** Publishes and delivers events. */
export interface EventBus {
  /** Delivers `event` to this process's handlers (soon, never synchronously) and to other replicas. */
  publish(event: HangarEvent): void;
  /** Registers a handler; returns its removal. */
  on<T extends EventType>(type: T, handler: Handler<T>): () => void;
  /** Stops talking to other replicas. */
  close(): Promise<void>;
}

/** The in-process part of every bus: handlers per event type. */
export class LocalBus implements EventBus {
  private readonly handlers = new Map<EventType, Set<(event: HangarEvent) => void>>();

  publish(event: HangarEvent): void {
    // Never synchronously: a publisher is usually in the middle of something (a request handler
    // that has just committed), and a handler must not run inside it.
    queueMicrotask(() => this.deliver(event));
  }

  /** Hands an event to this process's handlers now (also what a remote event ends in). */
  deliver(event: HangarEvent): void {
    const set = this.handlers.get(event.type);
    if (!set) return;
    for (const handler of [...set]) {
      try {
        handler(event);
      } catch {
        // A failing handler must not stop the others; each handler guards its own work.
      }
    }
  }

  on<T extends EventType>(type: T, handler: Handler<T>): () => void {
    let set = this.handlers.get(type);
    if (!set) {
      set = new Set();
      this.handlers.set(type, set);
    }
    const h = handler as (event: HangarEvent) => void;
    set.add(h);
    return () => {
      set.delete(h);
    };
  }

  async close(): Promise<void> {}
}

/** The JSON form of an event, as it travels between replicas. */
export function encodeEvent(event: HangarEvent): string {
  return JSON.stringify(event);
}

/** An event read back from another replica; undefined for anything malformed. */
export function decodeEvent(value: unknown): HangarEvent | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const e = value as Record<string, unknown>;
  const id = (k: string) =>
    Number.isSafeInteger(e[k]) && (e[k] as number) > 0 ? (e[k] as number) : undefined;
  switch (e.type) {
    case 'queue':
      return { type: 'queue' };
    case 'resync':
      return { type: 'resync' };
    case 'cancel': {
      const build = id('build');
      return build === undefined ? undefined : { type: 'cancel', build };
    }
    case 'lines': {
      const step = id('step');
      if (step === undefined) return undefined;
      const to = e.to;
      return Number.isSafeInteger(to) && (to as number) >= 0
        ? { type: 'lines', step, to: to as number }
        : { type: 'lines', step };
    }
    case 'step': {
      const step = id('step');
      return step === undefined ? undefined : { type: 'step', step };
    }
    case 'build': {
      const repo = id('repo');
      const build = id('build');
      return repo === undefined || build === undefined ? undefined : { type: 'build', repo, build };
    }
    default:
      return undefined;
  }
}
