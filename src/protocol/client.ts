// The runner's side of Drone's RPC v2 (drone-reference.md §2) over fetch. Same calls, same bodies and
// the same copy-back rules as Drone's `client/http.go`, with three differences:
// - an empty long poll (204) is answered by polling again at once (Drone sleeps 10 s);
// - transient failures (transport errors, 408/429/502/503/504, a per-attempt timeout) are retried
//   with capped exponential backoff and jitter, for as long as the caller's signal allows, so a
//   report survives the server being away for minutes; other errors are returned at once;
// - log batches are retried like everything else (Drone fires and forgets them); the server ignores
//   positions it already has.
import {
  type Card,
  type Details,
  type Filter,
  type Line,
  RPC_PATHS,
  RUNNER_HEADER,
  type Stage,
  type Step,
  TOKEN_HEADER,
} from './types.js';

/** How a failed call ended. `status` 0 = no HTTP answer (connection refused, reset, timeout). */
export class RpcError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly call: string,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

/** What the client tells its caller before it waits to try a call again. */
export interface RetryInfo {
  call: string;
  /** 1 for the first retry. */
  attempt: number;
  delayMs: number;
  /** Why the previous attempt failed (no secrets: a status code or a transport error's message). */
  reason: string;
}

export interface ClientOptions {
  /** `proto://host[:port]` of the server (a trailing slash is ignored). */
  address: string;
  /** The shared RPC secret (`X-Drone-Token`). */
  secret: string;
  /** Backoff between retries: the first delay and the cap, in milliseconds (default 500 ms, 30 s). */
  backoff?: { minMs?: number; maxMs?: number };
  /** Longest wait for one ordinary call (default 60 s); a timeout counts as a transient failure. */
  timeoutMs?: number;
  /** Longest wait for one long poll (default 120 s; the server answers 204 after 30 s). */
  pollTimeoutMs?: number;
  /** Told before every retry (for logging). */
  onRetry?: (info: RetryInfo) => void;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Random source for jitter, in [0, 1). */
  random?: () => number;
  /** Sent as User-Agent. */
  userAgent?: string;
  /** The runner's name: sent with each poll (`?machine=`) so the server can show who is waiting. */
  machine?: string;
  /** The runner's stable id for stage leases (`X-Hangar-Runner`; Hangar's extension). */
  runnerId?: string;
}

/** HTTP statuses that mean "the server (or a proxy before it) is not answering right now". */
const TRANSIENT = new Set([408, 429, 502, 503, 504]);

/** A poll answered this fast counts as "quick"; several quick ones in a row back off as errors do. */
const QUICK_POLL_MS = 500;
const QUICK_POLLS_BEFORE_BACKOFF = 3;

interface Answer {
  status: number;
  text: string;
}

interface CallOptions {
  signal?: AbortSignal;
  body?: unknown;
  /** Long poll: longer attempt timeout. */
  poll?: boolean;
  /** Retry transient failures (default true). */
  retry?: boolean;
  /** Statuses handed back to the caller instead of failing (2xx always are). */
  accept?: number[];
  /** Set when an attempt may have reached the server without its answer reaching us. */
  onAmbiguous?: () => void;
}

/** A Drone RPC v2 client: every call is cancellable with an AbortSignal. */
export class Client {
  private readonly base: string;
  private readonly fetch: typeof fetch;
  private readonly random: () => number;
  private readonly minMs: number;
  private readonly maxMs: number;
  private readonly timeoutMs: number;
  private readonly pollTimeoutMs: number;

  constructor(private readonly opts: ClientOptions) {
    this.base = opts.address.replace(/\/+$/, '');
    this.fetch = opts.fetch ?? globalThis.fetch;
    this.random = opts.random ?? Math.random;
    this.minMs = Math.max(1, opts.backoff?.minMs ?? 500);
    this.maxMs = Math.max(this.minMs, opts.backoff?.maxMs ?? 30_000);
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.pollTimeoutMs = opts.pollTimeoutMs ?? 120_000;
  }

  /** One connectivity check (no retry): resolves when the server accepts the secret. */
  async ping(signal?: AbortSignal): Promise<void> {
    await this.call('ping', 'POST', RPC_PATHS.ping, { signal, retry: false });
  }

  /**
   * Long-polls for a stage matching `filter` until one is handed out (or the signal aborts): an empty
   * answer polls again at once, failures back off.
   */
  async request(filter: Filter, signal?: AbortSignal): Promise<Stage> {
    let quick = 0;
    for (let attempt = 0; ; ) {
      const sent = Date.now();
      const path = this.opts.machine
        ? `${RPC_PATHS.request}?machine=${encodeURIComponent(this.opts.machine)}`
        : RPC_PATHS.request;
      const res = await this.call('request', 'POST', path, {
        signal,
        body: filter,
        poll: true,
        accept: [204],
      });
      const stage =
        res.status === 204 || res.text.trim() === '' ? undefined : this.json<Stage>('request', res);
      if (stage && stage.id > 0) return stage;
      // A server answering 204 at once, over and over, must not make us spin.
      quick = Date.now() - sent < QUICK_POLL_MS ? quick + 1 : 0;
      if (quick >= QUICK_POLLS_BEFORE_BACKOFF)
        await this.pause('request', ++attempt, 'empty answers', signal);
      else attempt = 0;
    }
  }

  /**
   * Accepts a handed-out stage for `machine`; undefined when another runner has it (409). If an
   * earlier attempt may have succeeded unseen, a 409 is checked against the stage's owner.
   */
  async accept(stageId: number, machine: string, signal?: AbortSignal): Promise<Stage | undefined> {
    let ambiguous = false;
    const res = await this.call('accept', 'POST', RPC_PATHS.accept(stageId, machine), {
      signal,
      accept: [409],
      onAmbiguous: () => {
        ambiguous = true;
      },
    });
    if (res.status !== 409) return this.json<Stage>('accept', res);
    if (!ambiguous) return undefined;
    const details = await this.details(stageId, signal);
    return details.stage.machine === machine && details.stage.status === 'pending'
      ? details.stage
      : undefined;
  }

  /** The context of an accepted stage: repo, build, config (still base64), secrets, netrc. */
  async details(stageId: number, signal?: AbortSignal): Promise<Details> {
    const res = await this.call('details', 'GET', RPC_PATHS.details(stageId), { signal });
    return this.json<Details>('details', res);
  }

  /**
   * Reports a stage (with its steps). As Drone's client does, copies `updated`/`version` back into
   * `stage`, and for each step (matched by `number`) its `id`, `step_id`, `started`, `stopped`,
   * `version`: this is how step ids are learned.
   */
  async updateStage(stage: Stage, signal?: AbortSignal): Promise<Stage> {
    for (const s of stage.steps ?? []) validateStep(s);
    let ambiguous = false;
    const res = await this.call('update stage', 'PUT', RPC_PATHS.updateStage(stage.id), {
      signal,
      body: stage,
      accept: [409],
      onAmbiguous: () => {
        ambiguous = true;
      },
    });
    if (res.status === 409) {
      // Our own earlier attempt may have been applied (the server bumps the version by one). That can
      // be assumed only when nothing needs to be learned from the answer: no step waits for its id.
      if (ambiguous && (stage.steps ?? []).every((s) => s.id > 0)) {
        stage.version += 1;
        return stage;
      }
      throw new RpcError(`update stage: ${describe(res)}`, 409, 'update stage');
    }
    const dst = this.json<Stage>('update stage', res);
    stage.updated = dst.updated;
    stage.version = dst.version;
    const byNumber = new Map((dst.steps ?? []).map((s) => [s.number, s]));
    for (const step of stage.steps ?? []) {
      const from = byNumber.get(step.number);
      if (!from) continue;
      step.id = from.id;
      step.step_id = from.step_id;
      step.started = from.started;
      step.stopped = from.stopped;
      step.version = from.version;
    }
    return stage;
  }

  /**
   * Reports a step; copies the new `version` back into `step` (as Drone's client does). A 409 (the
   * step changed on the server, e.g. a cancel) fails, unless an earlier attempt may have been applied.
   */
  async updateStep(step: Step, signal?: AbortSignal): Promise<Step> {
    validateStep(step);
    let ambiguous = false;
    const res = await this.call('update step', 'PUT', RPC_PATHS.updateStep(step.id), {
      signal,
      body: step,
      accept: [409],
      onAmbiguous: () => {
        ambiguous = true;
      },
    });
    if (res.status === 409) {
      if (ambiguous) {
        step.version += 1;
        return step;
      }
      throw new RpcError(`update step: ${describe(res)}`, 409, 'update step');
    }
    const dst = this.json<Step>('update step', res);
    step.version = dst.version;
    return step;
  }

  /** Long-polls until the build is cancelled (or done): resolves true then; loops on 204. */
  async watch(buildId: number, signal?: AbortSignal): Promise<boolean> {
    let quick = 0;
    for (let attempt = 0; ; ) {
      const sent = Date.now();
      const res = await this.call('watch', 'POST', RPC_PATHS.watch(buildId), {
        signal,
        poll: true,
        accept: [204],
      });
      if (res.status !== 204) return true;
      quick = Date.now() - sent < QUICK_POLL_MS ? quick + 1 : 0;
      if (quick >= QUICK_POLLS_BEFORE_BACKOFF) await this.pause('watch', ++attempt, 'empty answers', signal);
      else attempt = 0;
    }
  }

  /** Appends live log lines of a step. */
  async batch(stepId: number, lines: Line[], signal?: AbortSignal): Promise<void> {
    await this.call('log batch', 'POST', RPC_PATHS.batch(stepId), { signal, body: lines });
  }

  /** Stores the whole log of a finished step. */
  async upload(stepId: number, lines: Line[], signal?: AbortSignal): Promise<void> {
    await this.call('log upload', 'POST', RPC_PATHS.upload(stepId), { signal, body: lines });
  }

  /** Stores a step's adaptive card. */
  async card(stepId: number, card: Card, signal?: AbortSignal): Promise<void> {
    await this.call('card', 'POST', RPC_PATHS.card(stepId), { signal, body: card });
  }

  private async call(name: string, method: string, path: string, o: CallOptions): Promise<Answer> {
    const retry = o.retry ?? true;
    for (let attempt = 1; ; attempt++) {
      throwIfAborted(o.signal);
      let reason: string;
      let status = 0;
      try {
        const res = await this.once(method, path, o);
        if ((res.status >= 200 && res.status < 300) || o.accept?.includes(res.status)) return res;
        status = res.status;
        if (!TRANSIENT.has(res.status)) throw new RpcError(`${name}: ${describe(res)}`, res.status, name);
        reason = `HTTP ${res.status}`;
        // A gateway timeout may hide a request the server did handle.
        if (res.status === 504 || res.status === 408) o.onAmbiguous?.();
      } catch (e) {
        if (e instanceof RpcError) throw e;
        throwIfAborted(o.signal);
        reason = transportReason(e);
        o.onAmbiguous?.();
      }
      if (!retry) throw new RpcError(`${name}: ${reason}`, status, name);
      await this.pause(name, attempt, reason, o.signal);
    }
  }

  private async once(method: string, path: string, o: CallOptions): Promise<Answer> {
    const headers: Record<string, string> = { [TOKEN_HEADER]: this.opts.secret, Accept: 'application/json' };
    if (this.opts.userAgent) headers['User-Agent'] = this.opts.userAgent;
    if (this.opts.runnerId) headers[RUNNER_HEADER] = this.opts.runnerId;
    let body: string | undefined;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['Content-Type'] = 'application/json';
    }
    // A large upload on a slow link gets more time (at 32 KB/s), or it would time out on every attempt.
    const ms = (o.poll ? this.pollTimeoutMs : this.timeoutMs) + Math.ceil((body?.length ?? 0) / 32);
    const timeout = AbortSignal.timeout(ms);
    const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
    const res = await this.fetch(`${this.base}${path}`, {
      method,
      headers,
      body,
      signal,
      redirect: 'manual',
    });
    // Reading the body is part of the attempt: a connection dropped mid-body is transient too.
    return { status: res.status, text: await res.text() };
  }

  private async pause(
    name: string,
    attempt: number,
    reason: string,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const cap = Math.min(this.maxMs, this.minMs * 2 ** Math.min(attempt - 1, 30));
    // Equal jitter: never less than half the step, so retries of many runners spread but still back off.
    const delayMs = Math.round(cap / 2 + (this.random() * cap) / 2);
    this.opts.onRetry?.({ call: name, attempt, delayMs, reason });
    await sleep(delayMs, signal);
  }

  private json<T>(name: string, res: Answer): T {
    try {
      return JSON.parse(res.text) as T;
    } catch {
      throw new RpcError(`${name}: the server's answer is not JSON (HTTP ${res.status})`, res.status, name);
    }
  }
}

/** Drone's client refuses to send a step without `number` or `step_id`, or a running one without `started`. */
function validateStep(step: Step): void {
  if (!step.number) throw new RpcError('invalid step: number is missing', 0, 'update step');
  if (!step.step_id)
    throw new RpcError(`invalid step ${step.number}: step_id (the stage id) is missing`, 0, 'update step');
  if (step.status === 'running' && !step.started) {
    throw new RpcError(`invalid step ${step.number}: a running step needs started`, 0, 'update step');
  }
}

/** The server's message (`{"message": …}` or plain text), kept short. */
function describe(res: Answer): string {
  let message = res.text.trim();
  try {
    const parsed = JSON.parse(message) as { message?: unknown };
    if (parsed && typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // plain text (Drone answers errors as text)
  }
  if (message.length > 300) message = `${message.slice(0, 300)}…`;
  return message === '' ? `HTTP ${res.status}` : `HTTP ${res.status}: ${message}`;
}

function transportReason(e: unknown): string {
  if (e instanceof Error) {
    if (e.name === 'TimeoutError') return 'timed out';
    const cause = (e as { cause?: unknown }).cause;
    const code = (cause as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string') return code;
    if (cause instanceof Error && cause.message) return cause.message;
    return e.message || e.name;
  }
  return String(e);
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** True when `e` is the rejection of an aborted call (the caller's signal), not a failure. */
export function isAbort(e: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted && e === signal.reason) return true;
  return e instanceof Error && e.name === 'AbortError';
}
