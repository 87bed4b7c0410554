// The runner daemon (drone-reference.md §1.3): waits for the server, then `capacity` workers each
// long-poll for a stage, run it, and poll again — at once, without Drone's 10 s pause. Stopping is in
// three steps: drain (take no new work, let running stages finish), kill (cancel running stages; they
// are reported `killed`), abort (give up on reports not delivered yet).
import { isAbort, RpcError } from '../../protocol/client.js';
import type { Filter } from '../../protocol/types.js';
import { errorText } from './log.js';
import { runStage, type StageDeps } from './stage.js';

export interface RunnerOptions extends StageDeps {
  /** Stages run at once. */
  capacity: number;
  /** What this runner asks for. */
  filter: Filter;
  /** Resolves when the engine can run stages (e.g. the Docker daemon answers); retried until it does. */
  engineReady?: () => Promise<void>;
  /** Cap of the pause between two failed pings or polls (milliseconds); default 30 s. */
  maxBackoffMs?: number;
}

/** A running runner daemon. */
export class Runner {
  private readonly drainCtl = new AbortController();
  private readonly killCtl = new AbortController();
  private readonly abortCtl = new AbortController();
  private readonly running = new Set<number>();
  private started: Promise<void> | undefined;

  constructor(private readonly o: RunnerOptions) {}

  /** Stage ids running now. */
  get active(): number[] {
    return [...this.running];
  }

  /** True once drain (or a harder stop) was asked for. */
  get draining(): boolean {
    return this.drainCtl.signal.aborted;
  }

  /** Runs until drained and every running stage is done and reported. Safe to call more than once. */
  run(): Promise<void> {
    this.started ??= this.loop();
    return this.started;
  }

  /** Takes no new work; running stages go on. */
  drain(): void {
    this.drainCtl.abort();
  }

  /** Cancels running stages (they end `killed` and are reported). Implies drain. */
  kill(): void {
    this.drain();
    this.killCtl.abort();
  }

  /** Stops at once: running stages are cancelled and reports not delivered yet are given up. */
  abort(): void {
    this.kill();
    this.abortCtl.abort();
  }

  /** Graceful stop: drain, wait up to `graceMs` for running stages, then kill them; resolves when done. */
  async shutdown(graceMs: number): Promise<void> {
    this.drain();
    const done = this.run();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([done, grace]);
    clearTimeout(timer);
    if (this.running.size > 0) {
      this.o.log.warn({ stages: this.active }, 'grace period over: cancelling running stages');
      this.kill();
    }
    await done;
  }

  private async loop(): Promise<void> {
    const { log } = this.o;
    if (!(await this.waitUntilReady())) return;
    log.info(
      {
        name: this.o.name,
        capacity: this.o.capacity,
        type: this.o.filter.type,
        labels: this.o.filter.labels ?? {},
      },
      'runner started: polling for stages',
    );
    await Promise.all(Array.from({ length: Math.max(1, this.o.capacity) }, () => this.worker()));
    log.info({ name: this.o.name }, 'runner stopped');
  }

  /** Waits for the engine and the server (Drone: ping Docker, then ping the server). False if stopped first. */
  private async waitUntilReady(): Promise<boolean> {
    const signal = this.drainCtl.signal;
    const steps: [string, () => Promise<void>][] = [];
    if (this.o.engineReady) steps.push(['engine', this.o.engineReady]);
    steps.push(['server', () => this.o.client.ping(signal)]);
    for (const [what, check] of steps) {
      let last = '';
      for (let failures = 0; ; failures++) {
        if (signal.aborted) return false;
        try {
          await check();
          if (failures > 0) this.o.log.info({}, `${what} reachable`);
          break;
        } catch (e) {
          if (signal.aborted) return false;
          const error = errorText(e);
          const refused = e instanceof RpcError && (e.status === 401 || e.status === 403);
          // Say it once per kind of failure, not once per second.
          if (error !== last) {
            if (refused)
              this.o.log.error({ error }, 'the server refuses this runner: check the RPC secret; retrying');
            else this.o.log.warn({ error }, `${what} not reachable yet: retrying`);
          }
          last = error;
          await this.pause(failures, signal);
        }
      }
    }
    return true;
  }

  private async worker(): Promise<void> {
    const drain = this.drainCtl.signal;
    for (let failures = 0; !drain.aborted; ) {
      let stage: Awaited<ReturnType<RunnerOptions['client']['request']>>;
      try {
        stage = await this.o.client.request(this.o.filter, drain);
        failures = 0;
      } catch (e) {
        if (drain.aborted || isAbort(e, drain)) break;
        // Transient failures were retried by the client: this is a refusal (bad secret, a bug).
        this.o.log.error({ error: errorText(e) }, 'poll failed');
        await this.pause(failures++, drain);
        continue;
      }
      // Handed out as we were stopping: not accepted, so the server gives it to another runner.
      if (drain.aborted) break;
      this.running.add(stage.id);
      try {
        await runStage(this.o, stage, { kill: this.killCtl.signal, abort: this.abortCtl.signal });
      } catch (e) {
        if (!isAbort(e, this.abortCtl.signal)) {
          this.o.log.error({ stage: stage.id, error: errorText(e) }, 'stage failed in the runner');
        }
      } finally {
        this.running.delete(stage.id);
      }
    }
  }

  private pause(failures: number, signal: AbortSignal): Promise<void> {
    const cap = Math.min(this.o.maxBackoffMs ?? 30_000, 1000 * 2 ** Math.min(failures, 10));
    const ms = Math.round(cap / 2 + (Math.random() * cap) / 2);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
