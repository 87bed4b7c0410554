// Runs host `git` commands for the clone: argv arrays only, a `+ git …` trace line before each (as
// drone/git's `set -x` prints), output streamed with credentials redacted, fetches retried.
import { execa } from 'execa';
import { EngineError } from '../engine.js';
import { LineRedactor, redact } from './credentials.js';

/** Exit code reported when the clone was aborted. */
export const KILLED_EXIT = 137;

export interface GitContext {
  cwd: string;
  env: Record<string, string>;
  output: (chunk: string) => void;
  signal: AbortSignal;
  /** Values to redact from trace lines and output. */
  secrets: string[];
  /** Pause before retry n is n × this (milliseconds). */
  retryDelayMs: number;
}

export interface GitRunOptions {
  /** Extra attempts after a failure (network operations). */
  retries?: number;
  /** No trace line and no output: for probes whose failure is an expected answer. */
  quiet?: boolean;
}

/** Runs `git args…`; resolves with its exit code (137 when aborted). */
export async function git(ctx: GitContext, args: string[], opts: GitRunOptions = {}): Promise<number> {
  const attempts = 1 + Math.max(0, opts.retries ?? 0);
  let code = 0;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (ctx.signal.aborted) return KILLED_EXIT;
    if (attempt > 1) {
      const delay = ctx.retryDelayMs * (attempt - 1);
      ctx.output(`retrying in ${Math.round(delay / 100) / 10}s (attempt ${attempt} of ${attempts})\n`);
      if (!(await sleep(delay, ctx.signal))) return KILLED_EXIT;
    }
    code = await once(ctx, args, opts.quiet === true);
    if (code === 0 || code === KILLED_EXIT) return code;
  }
  return code;
}

async function once(ctx: GitContext, args: string[], quiet: boolean): Promise<number> {
  const redactor = new LineRedactor(ctx.secrets, ctx.output);
  if (!quiet) ctx.output(`+ ${redact(['git', ...args].map(quote).join(' '), ctx.secrets)}\n`);
  const sub = execa('git', args, {
    cwd: ctx.cwd,
    env: ctx.env,
    extendEnv: false,
    reject: false,
    buffer: false,
    stdin: 'ignore',
    cancelSignal: ctx.signal,
    forceKillAfterDelay: 2000,
  });
  if (!quiet) {
    for (const stream of [sub.stdout, sub.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (d: string) => redactor.write(d));
    }
  }
  const res = await sub;
  redactor.end();
  if (res.isCanceled || ctx.signal.aborted) return KILLED_EXIT;
  if (res.exitCode === undefined) {
    if ((res as { code?: string }).code === 'ENOENT') {
      throw new EngineError('git is not installed on this host (not found in PATH)', 'git_missing');
    }
    throw new EngineError(`git could not be started: ${res.shortMessage}`, 'git_failed');
  }
  return res.exitCode;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

/** Sleeps; resolves false when aborted first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
