// The settings of `hangar runner` (and of the runner embedded in `hangar server`): HANGAR_* variables,
// each with the DRONE_* alias a drone-runner-docker/-exec deployment already has (drone-reference.md
// §1.3), overridden by command-line flags. Reading is a pure function of the given variables.

import { type DockerRunnerSettings, readDockerRunnerSettings } from './config.js';

/** Which engine runs the stages; it is also the pipeline `type` the runner asks for. */
export type EngineName = 'docker' | 'exec';

/** What a runner runs with. */
export interface RunnerSettings {
  /** `http` or `https`. */
  proto: 'http' | 'https';
  /** Server host[:port]. */
  host: string;
  /** The shared RPC secret. */
  secret: string;
  /** Sent as `machine` when accepting a stage. */
  name: string;
  /** Stages run at once. */
  capacity: number;
  engine: EngineName;
  /** `node:` labels this runner matches (exactly, as Drone does). */
  labels: Record<string, string>;
  platform: { os: string; arch: string; variant: string; kernel: string };
  /** Globs of repository slugs / build events this runner may run (empty = all). */
  limits: { repos: string[]; events: string[]; trusted: boolean };
  /** Variables given to every step and to `${VAR}` substitution (DRONE_RUNNER_ENVIRON). */
  environ: Record<string, string>;
  /** Most steps of one stage running at once; 0 = no limit (DRONE_RUNNER_MAX_PROCS). */
  maxProcs: number;
  /** A docker `config.json` with the runner's own registry credentials (DRONE_DOCKER_CONFIG). */
  dockerConfig: string;
  /** After SIGTERM, how long running stages may go on before they are cancelled (milliseconds). */
  graceMs: number;
  /** Networks, mounts, resource limits, env file, netrc and clone settings of every stage (config.ts). */
  docker: DockerRunnerSettings;
}

/** Command-line flags of `hangar runner`; each overrides its variable. */
export interface RunnerFlags {
  proto?: string;
  host?: string;
  secret?: string;
  name?: string;
  capacity?: string;
  engine?: string;
  labels?: string;
  os?: string;
  arch?: string;
  variant?: string;
  kernel?: string;
  limitRepos?: string;
  limitEvents?: string;
  limitTrusted?: boolean;
  environ?: string;
  maxProcs?: string;
  dockerConfig?: string;
  grace?: string;
}

/** A setting the user got wrong; the message names the variable or flag. */
export class SettingsError extends Error {
  override name = 'SettingsError';
}

/** One row of the settings table: the variable, its Drone alias, its flag. */
interface Setting {
  env: string;
  alias?: string;
  flag: keyof RunnerFlags;
}

const S = {
  proto: { env: 'HANGAR_RPC_PROTO', alias: 'DRONE_RPC_PROTO', flag: 'proto' },
  host: { env: 'HANGAR_RPC_HOST', alias: 'DRONE_RPC_HOST', flag: 'host' },
  secret: { env: 'HANGAR_RPC_SECRET', alias: 'DRONE_RPC_SECRET', flag: 'secret' },
  name: { env: 'HANGAR_RUNNER_NAME', alias: 'DRONE_RUNNER_NAME', flag: 'name' },
  capacity: { env: 'HANGAR_RUNNER_CAPACITY', alias: 'DRONE_RUNNER_CAPACITY', flag: 'capacity' },
  engine: { env: 'HANGAR_RUNNER_ENGINE', flag: 'engine' },
  labels: { env: 'HANGAR_RUNNER_LABELS', alias: 'DRONE_RUNNER_LABELS', flag: 'labels' },
  os: { env: 'HANGAR_PLATFORM_OS', alias: 'DRONE_PLATFORM_OS', flag: 'os' },
  arch: { env: 'HANGAR_PLATFORM_ARCH', alias: 'DRONE_PLATFORM_ARCH', flag: 'arch' },
  variant: { env: 'HANGAR_PLATFORM_VARIANT', alias: 'DRONE_PLATFORM_VARIANT', flag: 'variant' },
  kernel: { env: 'HANGAR_PLATFORM_KERNEL', alias: 'DRONE_PLATFORM_KERNEL', flag: 'kernel' },
  limitRepos: { env: 'HANGAR_LIMIT_REPOS', alias: 'DRONE_LIMIT_REPOS', flag: 'limitRepos' },
  limitEvents: { env: 'HANGAR_LIMIT_EVENTS', alias: 'DRONE_LIMIT_EVENTS', flag: 'limitEvents' },
  limitTrusted: { env: 'HANGAR_LIMIT_TRUSTED', alias: 'DRONE_LIMIT_TRUSTED', flag: 'limitTrusted' },
  environ: { env: 'HANGAR_RUNNER_ENVIRON', alias: 'DRONE_RUNNER_ENVIRON', flag: 'environ' },
  maxProcs: { env: 'HANGAR_RUNNER_MAX_PROCS', alias: 'DRONE_RUNNER_MAX_PROCS', flag: 'maxProcs' },
  dockerConfig: { env: 'HANGAR_DOCKER_CONFIG', alias: 'DRONE_DOCKER_CONFIG', flag: 'dockerConfig' },
  grace: { env: 'HANGAR_RUNNER_GRACE', flag: 'grace' },
} as const satisfies Record<string, Setting>;

/** Defaults that depend on the host: its name and platform. */
export interface HostFacts {
  hostname: string;
  /** Node's `process.platform` (`linux`, `darwin`, `win32`). */
  platform: string;
  /** Node's `process.arch` (`x64`, `arm64`, `arm`, `ia32`). */
  arch: string;
}

/**
 * Reads the settings from `env` and `flags`. `needServer` = false leaves host and secret optional
 * (the embedded runner is given its own).
 */
export function readRunnerSettings(
  env: Record<string, string | undefined>,
  flags: RunnerFlags,
  host: HostFacts,
  needServer = true,
): RunnerSettings {
  const from = (s: Setting): { value: string; source: string } | undefined => {
    const flag = flags[s.flag];
    if (typeof flag === 'string') return { value: flag.trim(), source: `--${kebab(s.flag)}` };
    for (const name of [s.env, s.alias]) {
      const v = name ? env[name] : undefined;
      if (v !== undefined && v.trim() !== '') return { value: v.trim(), source: name as string };
    }
    return undefined;
  };
  const text = (s: Setting, fallback: string) => from(s)?.value ?? fallback;

  const protoText = text(S.proto, 'http').toLowerCase();
  if (protoText !== 'http' && protoText !== 'https') {
    throw new SettingsError(`${from(S.proto)?.source}: must be http or https, not "${protoText}"`);
  }
  let serverHost = text(S.host, '');
  const secret = text(S.secret, '');
  if (needServer) {
    if (serverHost === '')
      throw new SettingsError(
        'HANGAR_RPC_HOST (or DRONE_RPC_HOST, --host) is required: the server host[:port]',
      );
    if (secret === '')
      throw new SettingsError('HANGAR_RPC_SECRET (or DRONE_RPC_SECRET, --secret) is required');
  }
  // Drone's value is a bare host; a pasted URL is accepted for what it says.
  const url = /^(https?):\/\/([^/]+)\/*$/i.exec(serverHost);
  let proto = protoText as 'http' | 'https';
  if (url) {
    proto = url[1]!.toLowerCase() as 'http' | 'https';
    serverHost = url[2]!;
  }
  if (/[\s/]/.test(serverHost))
    throw new SettingsError(`${from(S.host)?.source}: must be host[:port], not "${serverHost}"`);

  const engineText = text(S.engine, 'docker').toLowerCase();
  if (engineText !== 'docker' && engineText !== 'exec') {
    throw new SettingsError(`${from(S.engine)?.source}: must be docker or exec, not "${engineText}"`);
  }

  const trustedFlag = flags.limitTrusted;
  const trustedText = trustedFlag === undefined ? from(S.limitTrusted)?.value : String(trustedFlag);

  return {
    proto,
    host: serverHost,
    secret,
    name: text(S.name, host.hostname) || 'hangar-runner',
    capacity: integer(from(S.capacity), 2, 1),
    engine: engineText,
    labels: mapSetting(from(S.labels)),
    // Drone's docker runner says linux/amd64 unless told otherwise (what a stage without `platform`
    // asks for); its exec runner says what the host is.
    platform: {
      os: text(S.os, engineText === 'exec' ? goOs(host.platform) : 'linux'),
      arch: text(S.arch, engineText === 'exec' ? goArch(host.arch) : 'amd64'),
      variant: text(S.variant, ''),
      kernel: text(S.kernel, ''),
    },
    limits: {
      repos: listSetting(from(S.limitRepos)),
      events: listSetting(from(S.limitEvents)),
      trusted:
        trustedText === undefined
          ? false
          : bool(trustedText, from(S.limitTrusted)?.source ?? '--limit-trusted'),
    },
    environ: mapSetting(from(S.environ)),
    maxProcs: integer(from(S.maxProcs), 0, 0),
    dockerConfig: text(S.dockerConfig, ''),
    graceMs: duration(from(S.grace), 10 * 60_000),
    docker: readDockerRunnerSettings(env),
  };
}

/** Every variable the runner reads, with its alias and flag (for help texts and the README). */
export function settingNames(): { env: string; alias?: string; flag: string }[] {
  return Object.values(S).map((s: Setting) => ({ env: s.env, alias: s.alias, flag: `--${kebab(s.flag)}` }));
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function integer(v: { value: string; source: string } | undefined, fallback: number, min: number): number {
  if (!v) return fallback;
  if (!/^\d+$/.test(v.value) || Number(v.value) < min) {
    throw new SettingsError(`${v.source}: must be a whole number ≥ ${min}, not "${v.value}"`);
  }
  return Number(v.value);
}

function bool(value: string, source: string): boolean {
  const v = value.toLowerCase();
  if (['1', 'true', 't', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'f', 'no', 'off', ''].includes(v)) return false;
  throw new SettingsError(`${source}: must be true or false, not "${value}"`);
}

/** A comma-separated setting's items, trimmed, without empty ones. */
export function listSetting(v: { value: string } | undefined): string[] {
  return (v?.value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** `k:v,k2:v2` (Drone's map format: split at the first `:`; `=` accepted too). */
export function mapSetting(v: { value: string; source: string } | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of listSetting(v)) {
    const at = item.search(/[:=]/);
    if (at <= 0)
      throw new SettingsError(`${v?.source}: expected key:value pairs separated by commas, got "${item}"`);
    out[item.slice(0, at).trim()] = item.slice(at + 1).trim();
  }
  return out;
}

/** `90s`, `10m`, `1h`, or plain seconds. */
function duration(v: { value: string; source: string } | undefined, fallback: number): number {
  if (!v) return fallback;
  const m = /^(\d+)(ms|s|m|h)?$/.exec(v.value);
  if (!m) throw new SettingsError(`${v.source}: must be a duration like 30s, 10m or 1h, not "${v.value}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000;
  return Number(m[1]) * unit;
}

/** Go's GOOS for Node's platform name. */
function goOs(platform: string): string {
  return platform === 'win32' ? 'windows' : platform;
}

/** Go's GOARCH for Node's arch name. */
function goArch(arch: string): string {
  return ({ x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64' } as Record<string, string>)[arch] ?? arch;
}
