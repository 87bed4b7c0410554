// Reports one stage to the server in Drone's order (drone-reference.md §2.4): the stage running with
// its steps (learning their ids), then per step: running → log batches → full log upload → final
// status, and last the stage's final status once every step's reports are through.
//
// Each step has its own queue of reports, so a slow upload of one step does not hold back the live
// lines of another, while the order within a step is kept. Reports never block the steps: if the
// server is away, they wait in their queue (the client retries) and go out when it is back. Fields
// are copied at the moment an event happens, so a late "running" report never carries a later status.
import { isAbort, RpcError } from '../../protocol/client.js';
import type { Client } from '../../protocol/client.js';
import type { Line, Stage, Step } from '../../protocol/types.js';
import type { StageResult, StepInfo, StepOutcome } from '../execute/types.js';
import { errorText, type RunnerLogger } from './log.js';

/** Server-side limit on error strings (Drone truncates to 500 characters). */
const MAX_ERROR = 500;
/** Upper bound of one log batch's text, so a backlog goes out in bodies every server accepts. */
const MAX_BATCH_BYTES = 256 * 1024;

export interface ReporterOptions {
  client: Client;
  /** Aborting abandons every report not sent yet (hard shutdown). */
  signal: AbortSignal;
  log: RunnerLogger;
  /** Longest time a log line waits before it is sent (Drone: 1 s). */
  flushMs?: number;
  /** Clock in milliseconds. */
  now?: () => number;
}

interface StepState {
  wire: Step;
  /** The end of this step's queue of reports. */
  chain: Promise<void>;
  /** Lines not sent yet. */
  pending: Line[];
  timer: NodeJS.Timeout | undefined;
  /** A flush is queued and has not taken its lines yet. */
  flushQueued: boolean;
  lastFlush: number;
}

type StepFields = Pick<Step, 'status' | 'exit_code' | 'started' | 'stopped' | 'error'>;

/** The reports of one accepted stage. `stage` is the wire object; the client keeps its version. */
export class StageReporter {
  private readonly steps = new Map<number, StepState>();
  private readonly flushMs: number;
  private readonly now: () => number;

  constructor(
    readonly stage: Stage,
    private readonly o: ReporterOptions,
  ) {
    this.flushMs = o.flushMs ?? 1000;
    this.now = o.now ?? Date.now;
  }

  /**
   * Reports the stage running with one pending step per planned step (numbered as the executor
   * numbers them) and learns the step ids. Throws when the server refuses: the stage must not run.
   */
  async begin(infos: StepInfo[], started: number): Promise<void> {
    const stage = this.stage;
    stage.status = 'running';
    stage.started = started;
    stage.stopped = 0;
    stage.steps = infos.map((info) => {
      const wire: Step = {
        id: 0,
        step_id: stage.id,
        number: info.number,
        name: info.name,
        status: 'pending',
        errignore: info.step.errPolicy === 'ignore',
        exit_code: 0,
        started: 0,
        stopped: 0,
        version: 0,
        depends_on: info.step.dependsOn,
        image: info.step.image,
        detached: info.step.detach,
      };
      this.steps.set(info.number, {
        wire,
        chain: Promise.resolve(),
        pending: [],
        timer: undefined,
        flushQueued: false,
        lastFlush: 0,
      });
      return wire;
    });
    await this.o.client.updateStage(stage, this.o.signal);
    const missing = stage.steps.filter((s) => !s.id).map((s) => s.name);
    if (missing.length > 0) {
      throw new RpcError(
        `update stage: the server returned no id for step(s) ${missing.join(', ')}`,
        0,
        'update stage',
      );
    }
  }

  /**
   * Reports a stage that ends before anything ran (configuration error, runner limits, missing
   * details): `error` with the message and no steps, as Drone's runner does.
   */
  async fail(message: string, now: number): Promise<void> {
    const stage = this.stage;
    stage.status = 'error';
    stage.error = truncate(message);
    stage.started = stage.started || now;
    stage.stopped = now;
    stage.steps = [];
    await this.o.client.updateStage(stage, this.o.signal);
  }

  /** A step started: queue its "running" report. */
  stepStarted(info: StepInfo, started: number): void {
    const st = this.steps.get(info.number);
    if (!st) return;
    this.update(st, { status: 'running', started, stopped: 0, exit_code: 0, error: '' });
  }

  /** A masked line of a step's output: sent within `flushMs`. */
  line(info: StepInfo, line: Line): void {
    const st = this.steps.get(info.number);
    if (!st) return;
    st.pending.push(line);
    this.scheduleFlush(st);
  }

  /** A step ended (or was skipped): its last lines, its whole log, then its final status. */
  stepEnded(info: StepInfo, outcome: StepOutcome): void {
    const st = this.steps.get(info.number);
    if (!st) return;
    clearTimeout(st.timer);
    st.timer = undefined;
    const fields: StepFields = {
      status: outcome.status,
      exit_code: outcome.exitCode,
      started: outcome.started,
      stopped: outcome.stopped,
      error: truncate(outcome.error),
    };
    if (outcome.status !== 'skipped') {
      this.queueFlush(st);
      const log = outcome.log;
      this.enqueue(st, 'log upload', () => this.o.client.upload(st.wire.id, log, this.o.signal));
    }
    this.update(st, fields);
  }

  /** Waits for every step's reports, then reports the stage's result. */
  async finish(result: StageResult): Promise<void> {
    for (const st of this.steps.values()) {
      if (st.timer) {
        clearTimeout(st.timer);
        st.timer = undefined;
        this.queueFlush(st);
      }
    }
    await Promise.all([...this.steps.values()].map((st) => st.chain));
    if (this.o.signal.aborted) return;
    const stage = this.stage;
    stage.status = result.status;
    stage.exit_code = result.exitCode;
    stage.error = truncate(result.error);
    stage.started = stage.started || result.started;
    stage.stopped = result.stopped;
    await this.o.client.updateStage(stage, this.o.signal);
  }

  private update(st: StepState, fields: StepFields): void {
    this.enqueue(st, `update step (${fields.status})`, async () => {
      Object.assign(st.wire, fields);
      await this.o.client.updateStep(st.wire, this.o.signal);
    });
  }

  private scheduleFlush(st: StepState): void {
    if (st.timer || st.flushQueued) return;
    const wait = Math.max(0, st.lastFlush + this.flushMs - this.now());
    st.timer = setTimeout(() => {
      st.timer = undefined;
      this.queueFlush(st);
    }, wait);
  }

  /** Queues one batch report that sends whatever lines are pending when its turn comes. */
  private queueFlush(st: StepState): void {
    if (st.flushQueued) return;
    st.flushQueued = true;
    this.enqueue(st, 'log batch', async () => {
      st.flushQueued = false;
      st.lastFlush = this.now();
      const lines = st.pending.splice(0);
      for (const batch of chunks(lines)) await this.o.client.batch(st.wire.id, batch, this.o.signal);
    });
  }

  /** Appends a report to the step's queue; a failure is logged and the queue goes on. */
  private enqueue(st: StepState, what: string, op: () => Promise<unknown>): void {
    st.chain = st.chain.then(async () => {
      if (this.o.signal.aborted) return;
      try {
        await op();
      } catch (e) {
        if (isAbort(e, this.o.signal)) return;
        if (e instanceof RpcError && e.status === 409) {
          // The server ended the step itself (a cancel): its record stands, as in Drone.
          this.o.log.info({ stage: this.stage.id, step: st.wire.name }, `${what} superseded on the server`);
          return;
        }
        this.o.log.warn(
          { stage: this.stage.id, step: st.wire.name, error: errorText(e) },
          `${what} not delivered`,
        );
      }
    });
  }
}

/** Batches of at most MAX_BATCH_BYTES of text (at least one line each). */
function chunks(lines: Line[]): Line[][] {
  const out: Line[][] = [];
  let cur: Line[] = [];
  let size = 0;
  for (const line of lines) {
    const n = line.out.length;
    if (cur.length > 0 && size + n > MAX_BATCH_BYTES) {
      out.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(line);
    size += n;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

function truncate(s: string): string {
  return s.length > MAX_ERROR ? s.slice(0, MAX_ERROR) : s;
}
