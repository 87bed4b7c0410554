// Builds a Runner from its settings: the RPC client, the poll filter, the compiler options (with the
// docker runner settings and the env file's variables) and the runner's registry credentials. The
// caller brings the engine (the CLI picks Docker or exec).
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Engine } from '../../engine/engine.js';
import { Client, type ClientOptions } from '../../protocol/client.js';
import type { Filter } from '../../protocol/types.js';
import { parseDockerConfig, type RegistryCredential } from '../../spec/compile/registry-auth.js';
import { dockerCompileOptions, runnerGlobals } from './config.js';
import type { RunnerLogger } from './log.js';
import { Runner, type RunnerOptions } from './runner.js';
import type { RunnerSettings } from './settings.js';
import { SettingsError } from './settings.js';

/** Proxy variables a runner copies from its host into every step (runner-go `environ.Proxy`). */
const PROXY_VARS = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY'];

export interface CreateRunnerOptions {
  engine: Engine;
  log: RunnerLogger;
  /** The host's environment (for proxy variables); default none. */
  hostEnv?: Record<string, string | undefined>;
  /** Client tuning (timeouts, backoff) and a different address than `settings` (the embedded runner). */
  client?: Partial<ClientOptions>;
  engineReady?: () => Promise<void>;
  /** Passed through to the runner (tests shorten the log flush). */
  runner?: Partial<Pick<RunnerOptions, 'flushMs' | 'now' | 'maxBackoffMs'>>;
}

/** The filter a runner polls with (Drone leaves out empty labels). */
export function filterOf(s: RunnerSettings): Filter {
  const f: Filter = {
    kind: 'pipeline',
    type: s.engine,
    os: s.platform.os,
    arch: s.platform.arch,
    variant: s.platform.variant,
    kernel: s.platform.kernel,
  };
  if (Object.keys(s.labels).length > 0) f.labels = { ...s.labels };
  return f;
}

/** Reads the runner's docker config.json (DRONE_DOCKER_CONFIG); an unreadable file is a settings error. */
export async function readRegistries(path: string): Promise<RegistryCredential[]> {
  if (path === '') return [];
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new SettingsError(
      `cannot read the docker config ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  try {
    return parseDockerConfig(text);
  } catch (e) {
    throw new SettingsError(`${path}: ${(e as Error).message}`);
  }
}

/** A Runner for these settings (not started: call `run()`). */
export async function createRunner(settings: RunnerSettings, o: CreateRunnerOptions): Promise<Runner> {
  const proxy: Record<string, string> = {};
  for (const name of PROXY_VARS) {
    for (const key of [name, name.toLowerCase()]) {
      const v = o.hostEnv?.[key];
      if (v) proxy[key] = v;
    }
  }
  const globals = await runnerGlobals(settings.environ, settings.docker);
  const client = new Client({
    address: `${settings.proto}://${settings.host}`,
    secret: settings.secret,
    userAgent: 'hangar-runner',
    machine: settings.name,
    // Unique per process: a restarted runner has lost its stages and must not claim their leases.
    runnerId: `${settings.name}/${randomBytes(6).toString('hex')}`,
    onRetry: (r) =>
      o.log.warn(
        { call: r.call, attempt: r.attempt, delayMs: r.delayMs, reason: r.reason },
        'server not answering: retrying',
      ),
    ...o.client,
  });
  return new Runner({
    client,
    name: settings.name,
    capacity: settings.capacity,
    filter: filterOf(settings),
    engine: o.engine,
    engineReady: o.engineReady,
    limits: settings.limits,
    compile: { ...dockerCompileOptions(settings.docker), environ: globals, proxy, labels: settings.labels },
    globals,
    maxProcs: settings.maxProcs,
    registries: await readRegistries(settings.dockerConfig),
    log: o.log,
    ...o.runner,
  });
}
