// One host process per step, in its own process group so that everything it starts can be stopped:
// on abort SIGTERM to the group, a grace period, then SIGKILL; when the step's main process exits,
// whatever it left running in its group is killed (as a container's processes end with it).
import { constants } from 'node:os';
import { execa } from 'execa';
import { EngineError } from '../engine.js';

export interface RunProcessOptions {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  output: (chunk: string) => void;
  signal: AbortSignal;
  /** Milliseconds between SIGTERM and SIGKILL on abort. */
  graceMs: number;
  /** Called with the group id once started, and with the same id once it is gone. */
  track?: (pgid: number, alive: boolean) => void;
}

/** Runs the process to completion; resolves with its exit code (128 + n when killed by signal n). */
export async function runProcess(opts: RunProcessOptions): Promise<number> {
  if (opts.signal.aborted) return 128 + constants.signals.SIGKILL;
  const sub = execa(opts.file, opts.args, {
    cwd: opts.cwd,
    env: opts.env,
    extendEnv: false,
    reject: false,
    buffer: false,
    stdin: 'ignore',
    detached: true,
    cleanup: false,
  });
  const pgid = sub.pid;
  let graceTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    if (pgid === undefined) return;
    killGroup(pgid, 'SIGTERM');
    graceTimer = setTimeout(() => killGroup(pgid, 'SIGKILL'), opts.graceMs);
  };
  if (pgid !== undefined) {
    opts.track?.(pgid, true);
    opts.signal.addEventListener('abort', onAbort, { once: true });
    // Leftover background processes would keep the output pipes open forever.
    sub.once('exit', () => killGroup(pgid, 'SIGKILL'));
  }
  for (const stream of [sub.stdout, sub.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (d: string) => opts.output(d));
  }
  try {
    const res = await sub;
    if (res.exitCode !== undefined) return res.exitCode;
    if (res.signal) return 128 + (constants.signals[res.signal] ?? 9);
    const code = (res as { code?: string }).code;
    if (code === 'ENOENT') throw new EngineError(`${opts.file}: not found on this host`, 'not_found');
    if (code === 'EACCES') throw new EngineError(`${opts.file}: permission denied`, 'permission_denied');
    throw new EngineError(`${opts.file} could not be started: ${res.shortMessage}`, 'start_failed');
  } finally {
    clearTimeout(graceTimer);
    opts.signal.removeEventListener('abort', onAbort);
    if (pgid !== undefined) opts.track?.(pgid, false);
  }
}

/** Sends a signal to a whole process group; a group that is already gone is fine. */
export function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: nothing left to signal.
  }
}
