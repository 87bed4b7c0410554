// The docker runner's settings for what every container of a stage gets (drone-runner-docker
// `command/daemon/config.go`): extra networks and network driver options, bind mounts, devices,
// resource limits, a dotenv file of global variables, netrc for the clone only, the clone image and
// the privileged images. Read by `hangar runner`, the runner of `hangar server` and `hangar exec`:
// HANGAR_* names, each with the DRONE_* name (and Drone's legacy name) as aliases. Reading the
// variables is pure; only the env file and the docker config.json are files.
import { readFile } from 'node:fs/promises';
import { parse as parseDotenv } from 'dotenv';
import type { CompileOptions } from '../../spec/compile/compile.js';
import type { RunnerDevice, RunnerResources, RunnerVolume } from '../../spec/compile/runner-settings.js';
import { parseBytesSize } from '../../spec/manifest/values.js';
import { listSetting, mapSetting, SettingsError } from './settings.js';

/** What the runner adds to every container, and how it compiles stages. */
export interface DockerRunnerSettings {
  /** Existing Docker networks every step joins (DRONE_RUNNER_NETWORKS). */
  networks: string[];
  /** Driver options of the stage network (DRONE_RUNNER_NETWORK_OPTS). */
  networkOptions: Record<string, string>;
  /** Bind mounts into every step (DRONE_RUNNER_VOLUMES). */
  volumes: RunnerVolume[];
  /** Host devices given to every step (DRONE_RUNNER_DEVICES). */
  devices: RunnerDevice[];
  /** Resource limits of every step (DRONE_MEMORY_LIMIT, DRONE_CPU_*, DRONE_SHM_SIZE). */
  resources: Required<RunnerResources>;
  /** A dotenv file of variables for every step and for `${VAR}` (DRONE_RUNNER_ENV_FILE); '' = none. */
  envFile: string;
  /** Netrc credentials only in the clone step (DRONE_NETRC_CLONE_ONLY). */
  netrcCloneOnly: boolean;
  /** Image of the clone step (DRONE_RUNNER_CLONE_IMAGE); '' = Drone's default. */
  cloneImage: string;
  /** Images privileged automatically besides Drone's plugins (DRONE_RUNNER_PRIVILEGED_IMAGES). */
  privilegedImages: string[];
  /** Privileged plugins may mount volumes (DRONE_FLAG_ALLOW_DOCKER_PLUGIN_VOLUMES). */
  allowPluginVolumes: boolean;
}

/** One variable: the Hangar name first, then the Drone names it stands for. */
const V = {
  networks: ['HANGAR_RUNNER_NETWORKS', 'DRONE_RUNNER_NETWORKS'],
  networkOptions: ['HANGAR_RUNNER_NETWORK_OPTS', 'DRONE_RUNNER_NETWORK_OPTS'],
  volumes: ['HANGAR_RUNNER_VOLUMES', 'DRONE_RUNNER_VOLUMES'],
  devices: ['HANGAR_RUNNER_DEVICES', 'DRONE_RUNNER_DEVICES'],
  memLimit: ['HANGAR_MEMORY_LIMIT', 'DRONE_MEMORY_LIMIT', 'DRONE_LIMIT_MEM'],
  memswapLimit: ['HANGAR_MEMORY_SWAP_LIMIT', 'DRONE_MEMORY_SWAP_LIMIT', 'DRONE_LIMIT_MEM_SWAP'],
  cpuQuota: ['HANGAR_CPU_QUOTA', 'DRONE_CPU_QUOTA', 'DRONE_LIMIT_CPU_QUOTA'],
  cpuPeriod: ['HANGAR_CPU_PERIOD', 'DRONE_CPU_PERIOD'],
  cpuShares: ['HANGAR_CPU_SHARES', 'DRONE_CPU_SHARES', 'DRONE_LIMIT_CPU_SHARES'],
  cpuSet: ['HANGAR_CPU_SET', 'DRONE_CPU_SET', 'DRONE_LIMIT_CPU_SET'],
  shmSize: ['HANGAR_SHM_SIZE', 'DRONE_SHM_SIZE'],
  envFile: ['HANGAR_RUNNER_ENV_FILE', 'DRONE_RUNNER_ENV_FILE'],
  netrcCloneOnly: ['HANGAR_NETRC_CLONE_ONLY', 'DRONE_NETRC_CLONE_ONLY'],
  cloneImage: ['HANGAR_RUNNER_CLONE_IMAGE', 'DRONE_RUNNER_CLONE_IMAGE'],
  privilegedImages: ['HANGAR_RUNNER_PRIVILEGED_IMAGES', 'DRONE_RUNNER_PRIVILEGED_IMAGES'],
  allowPluginVolumes: ['HANGAR_ALLOW_PLUGIN_VOLUMES', 'DRONE_FLAG_ALLOW_DOCKER_PLUGIN_VOLUMES'],
} as const satisfies Record<string, readonly string[]>;

/** The variables read here, each with its aliases (for help texts and the README). */
export function dockerSettingNames(): { env: string; aliases: string[] }[] {
  return Object.values(V).map(([env, ...aliases]) => ({ env, aliases }));
}

type Env = Record<string, string | undefined>;
interface Value {
  value: string;
  source: string;
}

function lookup(env: Env, names: readonly string[]): Value | undefined {
  for (const name of names) {
    const v = env[name];
    if (v !== undefined && v.trim() !== '') return { value: v.trim(), source: name };
  }
  return undefined;
}

/** A byte size: plain bytes as Drone reads them, or `512MiB`, `1g`; `allowUnlimited` admits -1. */
function size(v: Value | undefined, allowUnlimited = false): number {
  if (!v) return 0;
  if (allowUnlimited && v.value === '-1') return -1;
  const n = parseBytesSize(v.value);
  if (n === undefined)
    throw new SettingsError(
      `${v.source}: must be a size in bytes such as 1073741824 or 1GiB, not "${v.value}"`,
    );
  return n;
}

function whole(v: Value | undefined): number {
  if (!v) return 0;
  if (!/^\d+$/.test(v.value))
    throw new SettingsError(`${v.source}: must be a whole number, not "${v.value}"`);
  return Number(v.value);
}

function bool(v: Value | undefined): boolean {
  if (!v) return false;
  const t = v.value.toLowerCase();
  if (['1', 'true', 't', 'yes', 'on'].includes(t)) return true;
  if (['0', 'false', 'f', 'no', 'off'].includes(t)) return false;
  throw new SettingsError(`${v.source}: must be true or false, not "${v.value}"`);
}

/** `src:dst[:ro]`, comma-separated; the same source twice keeps the last, as Drone's map does. */
function volumes(v: Value | undefined): RunnerVolume[] {
  const bySource = new Map<string, RunnerVolume>();
  for (const item of listSetting(v)) {
    const at = item.indexOf(':');
    const source = at > 0 ? item.slice(0, at) : '';
    let target = at > 0 ? item.slice(at + 1) : '';
    const readOnly = target.endsWith(':ro');
    if (readOnly) target = target.slice(0, -3);
    if (source === '' || !target.startsWith('/') || target.includes(':'))
      throw new SettingsError(`${v?.source}: expected SOURCE:/container/path[:ro], got "${item}"`);
    bySource.delete(source);
    bySource.set(source, { source, target, readOnly });
  }
  return [...bySource.values()];
}

/** `/dev/host[:/dev/container]`, comma-separated. */
function devices(v: Value | undefined): RunnerDevice[] {
  return listSetting(v).map((item) => {
    const [host = '', container = host, ...rest] = item.split(':');
    if (!host.startsWith('/') || !container.startsWith('/') || rest.length > 0)
      throw new SettingsError(`${v?.source}: expected /dev/host[:/dev/container], got "${item}"`);
    return { host, container };
  });
}

/** The runner's docker config.json (HANGAR_DOCKER_CONFIG, DRONE_DOCKER_CONFIG) for `hangar exec`; '' = none. */
export function dockerConfigPath(env: Env): string {
  return lookup(env, ['HANGAR_DOCKER_CONFIG', 'DRONE_DOCKER_CONFIG'])?.value ?? '';
}

/** Reads the docker runner settings from `env`; a malformed value is a SettingsError naming it. */
export function readDockerRunnerSettings(env: Env): DockerRunnerSettings {
  const get = (names: readonly string[]) => lookup(env, names);
  const cpuSet = listSetting(get(V.cpuSet));
  const bad = cpuSet.find((c) => !/^\d+(-\d+)?$/.test(c));
  if (bad !== undefined)
    throw new SettingsError(`${get(V.cpuSet)?.source}: expected CPUs such as 0,1 or 0-3, got "${bad}"`);
  return {
    networks: listSetting(get(V.networks)),
    networkOptions: mapSetting(get(V.networkOptions)),
    volumes: volumes(get(V.volumes)),
    devices: devices(get(V.devices)),
    resources: {
      memLimit: size(get(V.memLimit)),
      memswapLimit: size(get(V.memswapLimit), true),
      shmSize: size(get(V.shmSize)),
      cpuQuota: whole(get(V.cpuQuota)),
      cpuPeriod: whole(get(V.cpuPeriod)),
      cpuShares: whole(get(V.cpuShares)),
      cpuSet,
    },
    envFile: get(V.envFile)?.value ?? '',
    netrcCloneOnly: bool(get(V.netrcCloneOnly)),
    cloneImage: get(V.cloneImage)?.value ?? '',
    privilegedImages: listSetting(get(V.privilegedImages)),
    allowPluginVolumes: bool(get(V.allowPluginVolumes)),
  };
}

/** The compiler options these settings stand for. */
export function dockerCompileOptions(
  s: DockerRunnerSettings,
): Pick<
  CompileOptions,
  | 'networks'
  | 'networkOptions'
  | 'volumes'
  | 'devices'
  | 'resources'
  | 'netrcCloneOnly'
  | 'cloneImage'
  | 'privilegedImages'
  | 'allowPluginVolumes'
> {
  return {
    networks: [...s.networks],
    networkOptions: { ...s.networkOptions },
    volumes: s.volumes.map((v) => ({ ...v })),
    devices: s.devices.map((d) => ({ ...d })),
    resources: { ...s.resources, cpuSet: [...s.resources.cpuSet] },
    netrcCloneOnly: s.netrcCloneOnly,
    cloneImage: s.cloneImage || undefined,
    privilegedImages: [...s.privilegedImages],
    allowPluginVolumes: s.allowPluginVolumes,
  };
}

/** An assignment line of a dotenv file: its key and the quote its value starts with, if any. */
const ASSIGNMENT = /^[ \t]*(?:export[ \t]+)?([\w.-]+)[ \t]*(?:=|:[ \t])[ \t]*(['"`])?/gm;
/** godotenv's `$VAR` / `${VAR}` (A–Z, 0–9, `_`), with `\$` for a literal `$`. */
const EXPANSION = /(\\)?(\$)(\()?\{?([A-Z0-9_]+)?\}?/g;

/**
 * Expands variables as godotenv (Drone's env file reader) does: in unquoted and double-quoted values,
 * `$VAR` and `${VAR}` become the value of an earlier variable of the file (unknown ones: empty), and
 * `\$` a plain `$`; single-quoted values stay as written.
 */
function expandLikeGodotenv(text: string, parsed: Record<string, string>): Record<string, string> {
  const quoteOf = new Map<string, string>();
  for (const m of text.matchAll(ASSIGNMENT)) quoteOf.set(m[1]!, m[2] ?? '');
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    out[key] =
      quoteOf.get(key) === "'"
        ? value
        : value.replace(
            EXPANSION,
            (all: string, backslash?: string, _dollar?: string, paren?: string, name?: string) => {
              if (backslash === '\\' || paren === '(') return all.slice(1);
              return name ? (out[name] ?? '') : all;
            },
          );
  }
  return out;
}

/**
 * Reads the runner's env file as Drone does with godotenv (dotenv syntax: `KEY=value`,
 * `export KEY=value`, quotes, `#` comments; `$VAR` expansion as above); '' = none. An unreadable
 * file is a SettingsError.
 */
export async function readEnvFile(path: string): Promise<Record<string, string>> {
  if (path === '') return {};
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new SettingsError(
      `cannot read the env file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  return expandLikeGodotenv(text, parseDotenv(text));
}

/** The runner's global variables: DRONE_RUNNER_ENVIRON, then the env file's (which win, as in Drone). */
export async function runnerGlobals(
  environ: Record<string, string>,
  s: Pick<DockerRunnerSettings, 'envFile'>,
): Promise<Record<string, string>> {
  return { ...environ, ...(await readEnvFile(s.envFile)) };
}
