// bench/steps: what the Docker engine and the executor add over Docker itself, and how fast a log line
// reaches its consumer. In one run, alternating rounds of:
// - baseline: a plain sequential dockerode loop (network + volume, then per step create → start →
//   wait → remove, then volume + network removed), the same work any Docker runner must do;
// - hangar: the same steps compiled from YAML (clone disabled, serial) and run by executeStage on the
//   DockerEngine, setup and destroy included; the containers get the same image, entrypoint, command
//   and environment as the baseline's.
// Then one step printing stamped lines measures stamp → onLine. Prints numbers, asserts nothing.
// Profiled per step (Docker API call timings): the engine's own calls beyond the baseline's are an
// image inspect (pull policy), the attach, the next-exit wait registration and the OOM inspect, about
// 3–5 ms together; it removes the step containers at destroy, in parallel. The rest is Docker's
// start (~200–300 ms) and exit (~50–100 ms), so on a busy machine the ratio is mostly noise around 1.
// Env: BENCH_STEPS (20), BENCH_ROUNDS (3), BENCH_LINES (200), DOCKER_SOCKET.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import Docker from 'dockerode';
import { DockerEngine } from '../src/engine/docker/index.js';
import {
  LABEL_HANGAR,
  LABEL_OWNER_HOST,
  LABEL_OWNER_PID,
  LABEL_OWNER_STARTED,
} from '../src/engine/docker/labels.js';
import { currentOwner } from '../src/engine/docker/owner.js';
import { executeStage, type StageResult } from '../src/runner/execute/index.js';
import { compileStage } from '../src/spec/compile/index.js';
import { emptyContext } from '../src/spec/context.js';
import { parseManifest } from '../src/spec/manifest/parse.js';
import type { Pipeline } from '../src/spec/manifest/types.js';
import type { Plan, PlanStep } from '../src/spec/plan.js';

const STEPS = Number(process.env.BENCH_STEPS ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LINES = Number(process.env.BENCH_LINES ?? 200);
const IMAGE = 'hangar-test/busybox:1';
const TARGET = 1.15;
/** Everything not done by then is cancelled, so the benchmark stays under two minutes. */
const DEADLINE_MS = 110_000;

const socketPath = process.env.DOCKER_SOCKET ?? '/var/run/docker.sock';
const docker = new Docker({ socketPath, version: 'v1.41' });
const run = randomBytes(4).toString('hex');
/** On every resource this run makes (the engine copies plan labels), so cleanup finds them all. */
const BENCH_LABEL = 'io.hangar.bench';
const labels = { [BENCH_LABEL]: run };
const owner = currentOwner();
/** The baseline's resources also name their owner, so an engine's pruneOrphans removes them after a SIGKILL. */
const baselineLabels = {
  ...labels,
  [LABEL_HANGAR]: 'true',
  [LABEL_OWNER_HOST]: owner.host,
  [LABEL_OWNER_PID]: String(owner.pid),
  [LABEL_OWNER_STARTED]: owner.started,
};
const stop = new AbortController();

/** Wall-clock milliseconds with sub-millisecond precision (the container shares this clock). */
const wallMs = () => performance.timeOrigin + performance.now();

function pipelineYaml(name: string, commands: string[]): string {
  // JSON strings are valid YAML scalars and need no further quoting.
  const steps = commands.map(
    (c, i) => `- name: s${i + 1}\n  image: ${IMAGE}\n  commands: [${JSON.stringify(c)}]`,
  );
  return `kind: pipeline\ntype: docker\nname: ${name}\nclone:\n  disable: true\nsteps:\n${steps.join('\n')}\n`;
}

let stageNo = 0;
function compile(name: string, commands: string[]): Plan {
  const { manifest, diagnostics } = parseManifest(pipelineYaml(name, commands));
  const pipeline = manifest.resources.find((r): r is Pipeline => r.kind === 'pipeline');
  if (!pipeline || diagnostics.some((d) => d.severity === 'error'))
    throw new Error(`bench pipeline does not parse: ${diagnostics.map((d) => d.message).join('; ')}`);
  const ctx = emptyContext();
  Object.assign(ctx.build, { event: 'push', ref: 'refs/heads/main', target: 'main', number: 1 });
  const plan = compileStage(pipeline, ctx, { id: `bench-${run}-${++stageNo}` });
  plan.labels = { ...plan.labels, ...labels };
  return plan;
}

interface Round {
  /** Whole stage: network and volume, the steps, removal of everything. */
  totalMs: number;
}

/** The plain loop a Docker runner cannot do with less. */
async function baseline(plan: Plan): Promise<Round> {
  const t0 = performance.now();
  const name = `hangar-bench-${run}-${++stageNo}`;
  const network = await docker.createNetwork({
    Name: name,
    Driver: 'bridge',
    Labels: baselineLabels,
    CheckDuplicate: true,
  });
  const volume = `${name}-workspace`;
  await docker.createVolume({ Name: volume, Driver: 'local', Labels: baselineLabels });
  for (const [i, step] of plan.steps.entries()) {
    if (stop.signal.aborted) throw new Error('cancelled');
    const c = await docker.createContainer(baselineSpec(step, `${name}-${i + 1}`, name, volume, plan));
    await c.start();
    const { StatusCode } = (await c.wait()) as { StatusCode: number };
    if (StatusCode !== 0) throw new Error(`baseline step ${step.name} exited ${StatusCode}`);
    await c.remove({ force: true, v: true });
  }
  await docker.getVolume(volume).remove();
  await network.remove();
  return { totalMs: performance.now() - t0 };
}

function baselineSpec(
  step: PlanStep,
  name: string,
  network: string,
  volume: string,
  plan: Plan,
): Docker.ContainerCreateOptions {
  return {
    name,
    Image: step.image,
    Entrypoint: step.entrypoint,
    Cmd: step.command,
    Env: Object.entries(step.environment).map(([k, v]) => `${k}=${v}`),
    WorkingDir: step.workingDir,
    Labels: baselineLabels,
    HostConfig: {
      NetworkMode: network,
      Mounts: [{ Type: 'volume', Source: volume, Target: plan.workspace.base }],
    },
    NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [step.name] } } },
  };
}

async function hangar(engine: DockerEngine, plan: Plan): Promise<Round> {
  let lines = 0;
  const t0 = performance.now();
  const res = await executeStage(plan, engine, {
    signal: stop.signal,
    onLine: () => {
      lines++;
    },
  });
  const totalMs = performance.now() - t0;
  if (res.status !== 'success') throw new Error(`hangar stage ended ${res.status}: ${whyFailed(res)}`);
  // Each step prints its trace line, and the echo steps their output.
  const expected = plan.steps.reduce((n, s) => n + 1 + (s.commands[0]?.startsWith('echo') ? 1 : 0), 0);
  if (lines !== expected) throw new Error(`hangar delivered ${lines} lines, expected ${expected}`);
  return { totalMs };
}

/** One step printing stamped lines; each line's delay from its stamp to the onLine callback. */
async function latency(engine: DockerEngine): Promise<number[]> {
  // adjtimex reads the kernel's wall clock in microseconds (busybox `date` has no %N); awk prints it
  // as soon as adjtimex exits.
  const stamp = `adjtimex | awk '/tv_sec/{s=$2} /tv_usec/{u=$2} END{printf "%s%06d\\n", s, u}'`;
  const script = `i=0; while [ $i -lt ${LINES} ]; do ${stamp}; sleep 0.01; i=$((i+1)); done`;
  const plan = compile('latency', [script]);
  const delays: number[] = [];
  const res = await executeStage(plan, engine, {
    signal: stop.signal,
    onLine: (_step, line) => {
      const at = wallMs();
      const m = /^(\d{16})\n$/.exec(line.out);
      if (m) delays.push(at - Number(m[1]) / 1000);
    },
  });
  if (res.status !== 'success') throw new Error(`latency stage ended ${res.status}: ${whyFailed(res)}`);
  return delays;
}

function whyFailed(res: StageResult): string {
  const bad = res.steps.find((s) => s.status !== 'success');
  if (!bad) return res.error || 'no step failed';
  const tail = bad.log
    .slice(-3)
    .map((l) => l.out.trimEnd())
    .join(' | ');
  return `step ${bad.name} ${bad.status} (exit ${bad.exitCode}) ${bad.error} ${tail}`.trim();
}

/** Removes whatever this run left: containers, then volumes, then networks. */
async function cleanup(): Promise<number> {
  const filters = { label: [`${BENCH_LABEL}=${run}`] };
  let n = 0;
  const rm = (p: Promise<unknown>) =>
    p.then(
      () => void n++,
      () => undefined,
    );
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(containers.map((c) => rm(docker.getContainer(c.Id).remove({ force: true, v: true }))));
  const { Volumes } = await docker.listVolumes({ filters });
  await Promise.all((Volumes ?? []).map((v) => rm(docker.getVolume(v.Name).remove())));
  const networks = await docker.listNetworks({ filters });
  await Promise.all(networks.map((x) => rm(docker.getNetwork(x.Id).remove())));
  return n;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Nearest-rank percentile. */
function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

const ms = (x: number) => `${x.toFixed(1).padStart(7)} ms`;

async function main(): Promise<void> {
  try {
    await docker.getImage(IMAGE).inspect();
  } catch {
    execFileSync('bash', [new URL('../scripts/test-images.sh', import.meta.url).pathname], {
      stdio: 'inherit',
    });
  }
  const engine = new DockerEngine({ socketPath, killGraceMs: 1000 });
  const commands = Array.from({ length: STEPS }, (_, i) => (i % 2 ? 'true' : `echo x${i}`));
  console.log(`${STEPS} serial steps of ${IMAGE} (echo/true), ${ROUNDS} rounds each, alternating`);
  // Other work on the machine moves these numbers more than the engine does: show how busy it is.
  console.log(`load average at start: ${loadavg()[0]?.toFixed(2)} on ${availableParallelism()} cores\n`);

  // Warm-up (not counted): the first container and network of a process are slower, and the
  // engine's first setup also prunes orphans.
  await baseline(compile('warm', commands.slice(0, 2)));
  await hangar(engine, compile('warm', commands.slice(0, 2)));

  const base: Round[] = [];
  const hang: Round[] = [];
  const paired: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Alternating which goes first spreads slow drifts of the machine's load over both.
    const baseFirst = r % 2 === 0;
    if (baseFirst) base.push(await baseline(compile('base', commands)));
    hang.push(await hangar(engine, compile('hangar', commands)));
    if (!baseFirst) base.push(await baseline(compile('base', commands)));
    const b = base.at(-1)!.totalMs / STEPS;
    const h = hang.at(-1)!.totalMs / STEPS;
    paired.push(h / b);
    console.log(
      `round ${r + 1}: baseline ${ms(b)}/step   hangar ${ms(h)}/step   ratio ${(h / b).toFixed(3)}`,
    );
  }

  const delays = await latency(engine);

  const bStep = median(base.map((b) => b.totalMs)) / STEPS;
  const hStep = median(hang.map((h) => h.totalMs)) / STEPS;
  const ratio = hStep / bStep;
  // Setup and cleanup (network, volume, containers) are shared out over the steps on both sides.
  console.log(`\nbaseline (plain Docker API loop)  ${ms(bStep)} per step   (median of ${ROUNDS} rounds)`);
  console.log(`hangar (executeStage on Docker)   ${ms(hStep)} per step`);
  console.log(
    `ratio hangar / baseline           ${ratio.toFixed(3).padStart(7)}      target ≤ ${TARGET}: ${ratio <= TARGET ? 'met' : 'NOT met'}` +
      ` (median of per-round ratios ${median(paired).toFixed(3)})`,
  );
  if (delays.length === 0) {
    console.log('\nlog latency: no stamped lines arrived');
  } else {
    console.log(
      `\nlog latency, stamp in the container → onLine (${delays.length}/${LINES} lines): ` +
        `p50 ${percentile(delays, 50).toFixed(2)} ms, p95 ${percentile(delays, 95).toFixed(2)} ms, ` +
        `max ${Math.max(...delays).toFixed(2)} ms`,
    );
  }
}

const deadline = setTimeout(() => {
  console.error(`bench: over ${DEADLINE_MS / 1000} s, cancelling`);
  stop.abort();
}, DEADLINE_MS);
const onSignal = () => stop.abort();
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

let failed = false;
try {
  await main();
} catch (e) {
  failed = true;
  console.error(`bench failed: ${e instanceof Error ? e.message : String(e)}`);
} finally {
  clearTimeout(deadline);
  try {
    const left = await cleanup();
    if (left > 0) console.error(`bench: removed ${left} leftover resources`);
  } catch (e) {
    failed = true;
    console.error(`bench: cleanup failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
process.exitCode = failed || stop.signal.aborted ? 1 : 0;
