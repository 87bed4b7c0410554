// `hangar runner`: a runner daemon for a Hangar server (or a Drone server: it speaks RPC v2). Settings
// come from HANGAR_* variables (or the DRONE_* names of drone-runner-docker/-exec) and flags. On
// SIGTERM/SIGINT it takes no new work and lets running stages finish; after the grace period they are
// cancelled and reported `killed`. A second signal gives up on undelivered reports and exits.
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import type { Command } from 'commander';
import Docker from 'dockerode';
import { pino } from 'pino';
import { DockerEngine } from '../../engine/docker/index.js';
import type { Engine } from '../../engine/engine.js';
import { ExecEngine } from '../../engine/exec/index.js';
import {
  createRunner,
  dockerSettingNames,
  type Runner,
  type RunnerFlags,
  type RunnerLogger,
  type RunnerSettings,
  readEnvFile,
  readRegistries,
  readRunnerSettings,
  SettingsError,
} from '../../runner/daemon/index.js';
import { UsageError } from '../errors.js';

const say = (line: string) => process.stderr.write(`hangar runner: ${line}\n`);

/**
 * The engine of a runner and how to tell that it is up. Docker is up once it answers and what a
 * killed runner on this host left behind (containers still running its steps, volumes, networks) is
 * removed: a runner that gets no stage for hours must not leave them running that long.
 */
export function runnerEngine(
  settings: Pick<RunnerSettings, 'engine'>,
  log?: RunnerLogger,
): {
  engine: Engine;
  ready?: () => Promise<void>;
} {
  if (settings.engine === 'exec') return { engine: new ExecEngine() };
  const socketPath = process.env.DOCKER_SOCKET ?? '/var/run/docker.sock';
  const docker = new Docker({ socketPath });
  const engine = new DockerEngine({ socketPath });
  return {
    engine,
    ready: async () => {
      await docker.ping();
      const pruned = await engine.pruneOrphans();
      if (pruned.containers + pruned.volumes + pruned.networks > 0) {
        log?.info({ ...pruned }, 'removed what a runner that died on this host left in Docker');
      }
    },
  };
}

/** Whether `hangar server` runs its embedded runner: yes unless `--no-runner` or HANGAR_EMBEDDED_RUNNER=false. */
export function embeddedRunnerWanted(
  env: Record<string, string | undefined>,
  flag: boolean | undefined,
): boolean {
  if (flag === false) return false;
  const v = (env.HANGAR_EMBEDDED_RUNNER ?? '').trim().toLowerCase();
  if (v === '') return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  throw new UsageError(`HANGAR_EMBEDDED_RUNNER must be true or false, not "${v}"`);
}

/**
 * The settings of the runner inside `hangar server`, checked before the server listens: the runner
 * variables of the environment, always the Docker engine; host and secret come later.
 */
export async function embeddedRunnerSettings(
  env: Record<string, string | undefined>,
): Promise<RunnerSettings> {
  try {
    const host = { hostname: hostname(), platform: process.platform, arch: process.arch };
    const settings: RunnerSettings = { ...readRunnerSettings(env, {}, host, false), engine: 'docker' };
    await readRegistries(settings.dockerConfig);
    await readEnvFile(settings.docker.envFile);
    return settings;
  } catch (e) {
    if (e instanceof SettingsError) throw new UsageError(`embedded runner: ${e.message}`);
    throw e;
  }
}

/**
 * Starts the runner inside `hangar server` on the local Docker engine. It reaches the server's own
 * RPC endpoint over loopback HTTP, exactly as a remote runner does. Call `shutdown()` before the
 * server closes.
 */
export async function startEmbeddedRunner(
  settings: RunnerSettings,
  o: { listening: AddressInfo | string | null; secret: string; log: RunnerLogger },
): Promise<Runner> {
  const a = o.listening;
  if (!a || typeof a !== 'object') throw new Error('the server is not listening on a TCP port');
  // A server listening on every interface is reached on loopback; one bound to an address, there.
  const wildcard = a.address === '0.0.0.0' || a.address === '::';
  const ip = wildcard ? (a.family === 'IPv6' ? '::1' : '127.0.0.1') : a.address;
  const host = `${ip.includes(':') ? `[${ip}]` : ip}:${a.port}`;
  const s: RunnerSettings = { ...settings, proto: 'http', host, secret: o.secret };
  const { engine, ready } = runnerEngine(s, o.log);
  const runner = await createRunner(s, { engine, log: o.log, engineReady: ready, hostEnv: process.env });
  void runner.run();
  return runner;
}

/** Registers `hangar runner`. */
export function registerRunner(program: Command): void {
  program
    .command('runner')
    .description('run stages for a Hangar (or Drone) server: polls it over the runner RPC')
    .option('--host <host:port>', 'server host (HANGAR_RPC_HOST, DRONE_RPC_HOST)')
    .option('--proto <proto>', 'http or https (HANGAR_RPC_PROTO, DRONE_RPC_PROTO; default http)')
    .option('--secret <secret>', 'shared RPC secret (HANGAR_RPC_SECRET, DRONE_RPC_SECRET)')
    .option('--name <name>', 'runner name (HANGAR_RUNNER_NAME; default the host name)')
    .option('--capacity <n>', 'stages at once (HANGAR_RUNNER_CAPACITY; default 2)')
    .option('--engine <engine>', 'docker or exec (HANGAR_RUNNER_ENGINE; default docker)')
    .option('--labels <k:v,…>', 'labels stages must match (HANGAR_RUNNER_LABELS)')
    .option('--os <os>', 'platform os (HANGAR_PLATFORM_OS)')
    .option('--arch <arch>', 'platform arch (HANGAR_PLATFORM_ARCH)')
    .option('--variant <variant>', 'platform variant (HANGAR_PLATFORM_VARIANT)')
    .option('--kernel <version>', 'platform kernel version (HANGAR_PLATFORM_KERNEL)')
    .option('--limit-repos <globs>', 'only these repositories (HANGAR_LIMIT_REPOS)')
    .option('--limit-events <globs>', 'only these build events (HANGAR_LIMIT_EVENTS)')
    .option('--limit-trusted', 'only trusted repositories (HANGAR_LIMIT_TRUSTED)')
    .option('--environ <k:v,…>', 'variables for every step (HANGAR_RUNNER_ENVIRON)')
    .option('--max-procs <n>', 'steps of a stage at once, 0 = no limit (HANGAR_RUNNER_MAX_PROCS)')
    .option('--docker-config <file>', 'registry credentials, a docker config.json (HANGAR_DOCKER_CONFIG)')
    .option(
      '--grace <duration>',
      'after SIGTERM, how long stages may finish (HANGAR_RUNNER_GRACE; default 10m)',
    )
    .addHelpText(
      'after',
      `\nSettings of every stage, from variables only (Drone names in brackets; see the README):\n${dockerSettingNames()
        .map((n) => `  ${n.env}${n.aliases.length > 0 ? ` (${n.aliases.join(', ')})` : ''}`)
        .join('\n')}`,
    )
    .action(async (flags: RunnerFlags) => {
      await runRunner(flags);
    });
}

async function runRunner(flags: RunnerFlags): Promise<void> {
  let settings: RunnerSettings;
  try {
    settings = readRunnerSettings(process.env, flags, {
      hostname: hostname(),
      platform: process.platform,
      arch: process.arch,
    });
  } catch (e) {
    if (e instanceof SettingsError) throw new UsageError(e.message);
    throw e;
  }
  const level = (process.env.HANGAR_LOG_LEVEL ?? 'info').toLowerCase();
  const log = pino({ level, base: { runner: settings.name } });
  const { engine, ready } = runnerEngine(settings, log);
  let runner: Awaited<ReturnType<typeof createRunner>>;
  try {
    runner = await createRunner(settings, { engine, log, engineReady: ready, hostEnv: process.env });
  } catch (e) {
    if (e instanceof SettingsError) throw new UsageError(e.message);
    throw e;
  }

  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      say(`${sig}: taking no new stages; running ones may finish (${Math.round(settings.graceMs / 1000)} s)`);
      void runner.shutdown(settings.graceMs);
    } else {
      say(`${sig} again: cancelling running stages and exiting`);
      runner.abort();
    }
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  say(
    `${settings.engine} runner "${settings.name}" (capacity ${settings.capacity}) for ${settings.proto}://${settings.host}`,
  );
  try {
    await runner.run();
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    log.flush();
  }
}
