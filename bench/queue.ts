// bench/queue: the runner queue over HTTP on loopback. A `hangar` server (the real app, SQLite in a
// temporary directory, logs silenced) runs in a child process so its memory and CPU are its own;
// this process plays the runners, each a loop of `POST /rpc/v2/stage` (polling again at once after a
// 204, as Hangar's runner does) and an accept of whatever it is handed. Measured:
// - enqueue → accept latency (p50, p99) with 1, 100 and 1,000 runners waiting: a stage is created
//   (and the queue woken, as the trigger does) and the clock stops when a runner's accept returns;
// - dispatch throughput: a burst of stages handed out to 100 runners and accepted, stages/s;
// - 1,000 idle runners long-polling: server RSS and CPU, and requests per minute per runner.
// Targets: p99 ≤ 50 ms with 100 runners, ≥ 500 stages/s, ≤ 2 requests/min per idle runner,
// ≤ 300 MB RSS with 1,000 idle runners. Prints numbers, asserts nothing.
// Env: BENCH_SAMPLES (300 hand-offs per runner count), BENCH_BURST (5000 stages),
// BENCH_IDLE_SECONDS (65: at least two 30 s poll cycles), BENCH_HOLD_MS (30000, the server's hold).
import { type ChildProcess, spawn } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const SECRET = 'bench-queue-secret';
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);
const BURST = Number(process.env.BENCH_BURST ?? 5000);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 65);
const HOLD_MS = Number(process.env.BENCH_HOLD_MS ?? 30_000);
/** Everything is stopped by then, whatever state it is in. */
const DEADLINE_MS = 10 * 60_000;

// ---------------------------------------------------------------------------------------------
// The server (child process).

async function serve(dir: string): Promise<void> {
  const { createApp, createLogger } = await import('../src/server/app.js');
  const { readServerConfig } = await import('../src/server/config.js');
  const { createSecretBox } = await import('../src/server/secrets/box.js');
  const { openStore } = await import('../src/server/store/db.js');
  const { createBuildWithStages } = await import('../src/server/store/queries/builds.js');
  const { createRepo } = await import('../src/server/store/queries/repos.js');
  const { schedulerOf } = await import('../src/server/scheduler/index.js');
  const { randomBytes } = await import('node:crypto');

  const store = await openStore(`sqlite:${join(dir, 'hangar.db')}`);
  const config = readServerConfig({
    HANGAR_DATA: dir,
    HANGAR_ADDR: '127.0.0.1:0',
    HANGAR_RPC_SECRET: SECRET,
    HANGAR_LOG_LEVEL: 'silent',
  });
  const repos = await Promise.all(
    Array.from({ length: 10 }, (_, i) => createRepo(store.db, { namespace: 'bench', name: `repo-${i}` })),
  );
  let next = 0;
  const app = createApp(
    {
      store,
      config,
      logger: createLogger('silent'),
      clock: { now: () => new Date() },
      box: createSecretBox(randomBytes(32)),
      version: 'bench',
      queue: { holdMs: HOLD_MS },
    },
    {
      extraRoutes: [
        (scope, ctx) => {
          // Bench-only routes of this throwaway server: make stages, report, clean up.
          scope.post('/bench/enqueue', async (request) => {
            const q = request.query as Record<string, string | undefined>;
            const builds = Number(q.builds ?? 1);
            const stages = Number(q.stages ?? 1);
            const ids: number[] = [];
            for (let b = 0; b < builds; b++) {
              const repo = repos[next++ % repos.length]!;
              const made = await createBuildWithStages(
                store.db,
                { repo_id: repo.id, event: 'push' },
                Array.from({ length: stages }, (_, i) => ({ name: `s${i}` })),
              );
              ids.push(...made.stages.map((s) => s.id));
            }
            schedulerOf(ctx).schedule();
            return { ids };
          });
          scope.get('/bench/stats', async () => {
            const cpu = process.cpuUsage();
            return {
              rss: process.memoryUsage().rss,
              cpuMs: (cpu.user + cpu.system) / 1000,
              waiting: schedulerOf(ctx).queue.waiting().length,
              passes: schedulerOf(ctx).queue.passes,
              passMs: schedulerOf(ctx).queue.passMs,
            };
          });
          scope.post('/bench/finish', async () => {
            await store.db
              .updateTable('stages')
              .set({ status: 'success', lease_expires: 0 })
              .where('status', 'in', ['pending', 'running'])
              .execute();
            return {};
          });
        },
      ],
    },
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  process.stdout.write(`READY ${typeof address === 'object' && address ? address.port : 0}\n`);
  const stop = async () => {
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('disconnect', () => void stop());
}

// ---------------------------------------------------------------------------------------------
// The runners (this process).

interface Answer {
  status: number;
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
let port = 0;
/** Requests the simulated runners made. */
let runnerRequests = 0;

function call(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Answer> {
  const payload = body === undefined ? '' : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        agent,
        headers: { 'X-Drone-Token': SECRET, 'content-length': Buffer.byteLength(payload) },
        ...(signal ? { signal } : {}),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Called when a runner's accept of stage `id` returned. */
const accepted = new Map<number, (at: number) => void>();
const early = new Map<number, number>();

/** A runner: poll, accept, poll again — until `signal` aborts. */
async function runner(name: string, signal: AbortSignal): Promise<void> {
  const filter = { kind: 'pipeline', type: 'docker', os: 'linux', arch: 'amd64', variant: '', kernel: '' };
  while (!signal.aborted) {
    let got: Answer;
    try {
      runnerRequests++;
      got = await call('POST', '/rpc/v2/stage', filter, signal);
    } catch {
      if (signal.aborted) return;
      await sleep(100);
      continue;
    }
    if (got.status !== 200) continue;
    const id = (JSON.parse(got.body) as { id: number }).id;
    runnerRequests++;
    const acc = await call('POST', `/rpc/v2/stage/${id}?machine=${name}`).catch(() => undefined);
    if (acc?.status !== 200) continue;
    const at = performance.now();
    const done = accepted.get(id);
    if (done) done(at);
    else early.set(id, at);
  }
}

function waitAccepted(id: number): Promise<number> {
  const at = early.get(id);
  if (at !== undefined) {
    early.delete(id);
    return Promise.resolve(at);
  }
  return new Promise((resolve) => accepted.set(id, resolve));
}

async function stats(): Promise<{
  rss: number;
  cpuMs: number;
  waiting: number;
  passes: number;
  passMs: number;
}> {
  return JSON.parse((await call('GET', '/bench/stats')).body);
}

async function untilWaiting(n: number): Promise<void> {
  const end = Date.now() + 60_000;
  while ((await stats()).waiting < n) {
    if (Date.now() > end) throw new Error(`only ${(await stats()).waiting} of ${n} runners are waiting`);
    await sleep(50);
  }
}

/** Starts `n` runners; returns their stopper. */
async function startRunners(n: number, tag: string): Promise<AbortController> {
  const stop = new AbortController();
  // Every runner's request listens to this one signal.
  setMaxListeners(0, stop.signal);
  for (let i = 0; i < n; i++) void runner(`${tag}-${i}`, stop.signal);
  await untilWaiting(n);
  return stop;
}

async function latency(runners: number): Promise<void> {
  const stop = await startRunners(runners, `lat${runners}`);
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    // Start each hand-off with every runner waiting again.
    await untilWaiting(runners);
    const t0 = performance.now();
    const { ids } = JSON.parse((await call('POST', '/bench/enqueue')).body) as { ids: number[] };
    samples.push((await waitAccepted(ids[0] as number)) - t0);
  }
  stop.abort();
  await call('POST', '/bench/finish');
  samples.sort((a, b) => a - b);
  console.log(
    `  ${String(runners).padStart(5)} waiting runners: p50 ${pct(samples, 50).toFixed(1)} ms, ` +
      `p99 ${pct(samples, 99).toFixed(1)} ms, max ${(samples.at(-1) ?? 0).toFixed(1)} ms (${samples.length} hand-offs)`,
  );
}

async function throughput(runners: number): Promise<void> {
  const stop = await startRunners(runners, 'tp');
  const before = await stats();
  const t0 = performance.now();
  const { ids } = JSON.parse(
    (await call('POST', `/bench/enqueue?builds=${BURST / 100}&stages=100`)).body,
  ) as {
    ids: number[];
  };
  const created = performance.now();
  const ends = await Promise.all(ids.map(waitAccepted));
  const t1 = Math.max(...ends);
  const after = await stats();
  stop.abort();
  await call('POST', '/bench/finish');
  console.log(
    `  ${ids.length} stages to ${runners} runners: ${(ids.length / ((t1 - t0) / 1000)).toFixed(0)} stages/s ` +
      `(creation ${(created - t0).toFixed(0)} ms included, ${(t1 - t0).toFixed(0)} ms in all, ` +
      `${after.passes - before.passes} dispatch passes taking ${(after.passMs - before.passMs).toFixed(0)} ms)`,
  );
}

async function idle(runners: number): Promise<void> {
  const stop = await startRunners(runners, 'idle');
  const s0 = await stats();
  const r0 = runnerRequests;
  const t0 = performance.now();
  let peak = s0.rss;
  const end = Date.now() + IDLE_SECONDS * 1000;
  while (Date.now() < end) {
    await sleep(1000);
    peak = Math.max(peak, (await stats()).rss);
  }
  const s1 = await stats();
  const minutes = (performance.now() - t0) / 60_000;
  const made = runnerRequests - r0;
  stop.abort();
  console.log(
    `  ${runners} idle runners for ${IDLE_SECONDS} s: server RSS ${mb(s1.rss)} MB (peak ${mb(peak)} MB), ` +
      `CPU ${((100 * (s1.cpuMs - s0.cpuMs)) / (minutes * 60_000)).toFixed(1)} % of one core, ` +
      `${(made / runners / minutes).toFixed(2)} requests/min per runner`,
  );
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'hangar-bench-queue-'));
  const self = fileURLToPath(import.meta.url);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', self, '--serve', dir], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const deadline = setTimeout(() => {
    console.error('bench/queue: deadline reached, stopping');
    child.kill('SIGKILL');
    process.exit(1);
  }, DEADLINE_MS);
  deadline.unref();
  try {
    port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /READY (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', (code) => reject(new Error(`server exited (${code})`)));
    });
    const s = await stats();
    console.log(
      `bench/queue: server pid ${child.pid} (run through tsx, whose loader alone takes ~75 MB), SQLite, ` +
        `hold ${HOLD_MS / 1000} s; RSS at rest ${mb(s.rss)} MB`,
    );
    console.log('enqueue → accept latency (target p99 ≤ 50 ms with 100 runners):');
    for (const n of [1, 100, 1000]) await latency(n);
    console.log('dispatch throughput (target ≥ 500 stages/s):');
    await throughput(100);
    console.log('idle long polls (targets ≤ 2 requests/min per runner, ≤ 300 MB RSS):');
    await idle(1000);
  } finally {
    agent.destroy();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await rm(dir, { recursive: true, force: true });
  }
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

if (process.argv[2] === '--serve') await serve(process.argv[3] as string);
else await main();
