// The server's settings, read once at start from the environment and the command line (flags win).
// Everything else in the server gets a ServerConfig handed in; nothing else reads process.env.
import { isAbsolute, join, resolve } from 'node:path';

/** What `hangar server` runs with. */
export interface ServerConfig {
  /** Interface to listen on ('' or '0.0.0.0' = every IPv4 interface, '::' = every interface). */
  readonly host: string;
  /** TCP port to listen on (0 = any free port). */
  readonly port: number;
  /** Absolute path of the data directory (SQLite file, generated secret key). */
  readonly dataDir: string;
  /** Store URL: `sqlite:PATH` or `postgres://…`. */
  readonly databaseUrl: string;
  /** API token to give the bootstrap admin ('' = generate one on the first start). */
  readonly adminToken: string;
  /** AES-256 key for secrets at rest; undefined = use (or create) the key file in the data dir. */
  readonly secretKey: Buffer | undefined;
  /** Shared secret of the runner RPC ('' = RPC disabled, as Drone answers 403 without one). */
  readonly rpcSecret: string;
  /** Public host[:port] of the server, for links and webhook URLs. */
  readonly serverHost: string;
  /** Public scheme of the server. */
  readonly serverProto: 'http' | 'https';
  /** Log level (pino). */
  readonly logLevel: LogLevel;
  /** How runner labels must match a stage's `node` labels: Drone's exact maps, or stage ⊆ runner. */
  readonly labelsMatch: 'exact' | 'subset';
  /** Seconds a runner keeps an accepted stage without a sign of life. */
  readonly runnerLeaseSeconds: number;
  /** Seconds between sweeps for stages whose runner's lease ran out. */
  readonly reaperIntervalSeconds: number;
}

/** Log levels of the server. */
export const logLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/** Command-line flags of `hangar server` (each overrides its variable). */
export interface ConfigFlags {
  addr?: string;
  data?: string;
  database?: string;
}

/** A setting a user got wrong; the message names the variable or flag. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The public link of the server (`proto://host`). */
export function serverLink(config: Pick<ServerConfig, 'serverProto' | 'serverHost'>): string {
  return `${config.serverProto}://${config.serverHost}`;
}

/**
 * Reads the settings. `env` is normally process.env; `cwd` resolves a relative data dir. Drone's
 * names are accepted where Hangar has the same setting (`DRONE_RPC_SECRET`, `DRONE_SERVER_HOST`,
 * `DRONE_SERVER_PROTO`, `DRONE_DATABASE_SECRET`), so a runner's environment can be shared.
 */
export function readServerConfig(
  env: Record<string, string | undefined>,
  flags: ConfigFlags = {},
  cwd = process.cwd(),
): ServerConfig {
  const get = (name: string, alias?: string): string | undefined => {
    const v = env[name] ?? (alias ? env[alias] : undefined);
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };

  const addrText = flags.addr ?? get('HANGAR_ADDR') ?? '127.0.0.1:8080';
  const { host, port } = parseAddr(addrText, flags.addr !== undefined ? '--addr' : 'HANGAR_ADDR');

  const dataText = flags.data ?? get('HANGAR_DATA') ?? './hangar-data';
  const dataDir = isAbsolute(dataText) ? dataText : resolve(cwd, dataText);

  const databaseUrl = flags.database ?? get('HANGAR_DATABASE_URL') ?? `sqlite:${join(dataDir, 'hangar.db')}`;

  const adminToken = get('HANGAR_ADMIN_TOKEN') ?? '';
  if (adminToken !== '' && !/^[\x21-\x7e]{16,256}$/.test(adminToken)) {
    throw new ConfigError(
      'HANGAR_ADMIN_TOKEN must be 16 to 256 printable characters without spaces (e.g. `openssl rand -hex 16`)',
    );
  }

  const keyText = get('HANGAR_SECRET_KEY', 'DRONE_DATABASE_SECRET');
  const secretKey = keyText === undefined ? undefined : parseSecretKey(keyText);

  const rpcSecret = get('HANGAR_RPC_SECRET', 'DRONE_RPC_SECRET') ?? '';

  const proto = (get('HANGAR_SERVER_PROTO', 'DRONE_SERVER_PROTO') ?? 'http').toLowerCase();
  if (proto !== 'http' && proto !== 'https') {
    throw new ConfigError(`HANGAR_SERVER_PROTO must be http or https, not "${proto}"`);
  }
  const serverHost = get('HANGAR_SERVER_HOST', 'DRONE_SERVER_HOST') ?? defaultServerHost(host, port);
  if (/[\s/]/.test(serverHost)) {
    throw new ConfigError(
      `HANGAR_SERVER_HOST must be a host[:port] without scheme or path, not "${serverHost}"`,
    );
  }

  const level = (get('HANGAR_LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(logLevels as readonly string[]).includes(level)) {
    throw new ConfigError(`HANGAR_LOG_LEVEL must be one of ${logLevels.join(', ')}, not "${level}"`);
  }

  const labelsMatch = (get('HANGAR_LABELS_MATCH') ?? 'exact').toLowerCase();
  if (labelsMatch !== 'exact' && labelsMatch !== 'subset') {
    throw new ConfigError(`HANGAR_LABELS_MATCH must be exact or subset, not "${labelsMatch}"`);
  }
  const runnerLeaseSeconds = seconds(get('HANGAR_RUNNER_LEASE'), 'HANGAR_RUNNER_LEASE', 60, 5, 3600);
  const reaperIntervalSeconds = seconds(
    get('HANGAR_REAPER_INTERVAL'),
    'HANGAR_REAPER_INTERVAL',
    10,
    1,
    runnerLeaseSeconds,
  );

  return {
    host,
    port,
    dataDir,
    databaseUrl,
    adminToken,
    secretKey,
    rpcSecret,
    serverHost,
    serverProto: proto,
    logLevel: level as LogLevel,
    labelsMatch,
    runnerLeaseSeconds,
    reaperIntervalSeconds,
  };
}

function seconds(text: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be a whole number of seconds from ${min} to ${max}, not "${text}"`);
  }
  return n;
}

/** Parses `host:port`, `:port` (every interface, as Go reads it) or `[ipv6]:port`. */
export function parseAddr(text: string, source = 'address'): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(text.trim());
  if (!m) {
    throw new ConfigError(`${source} must be HOST:PORT, :PORT or [IPV6]:PORT, not "${text}"`);
  }
  const port = Number(m[3]);
  if (port > 65535) throw new ConfigError(`${source}: port ${port} is out of range (0-65535)`);
  const host = m[1] ?? (m[2] === '' ? '0.0.0.0' : (m[2] as string));
  return { host, port };
}

/**
 * A 32-byte AES key from its text: 64 hex digits, base64 of 32 bytes, or (as Drone's
 * DRONE_DATABASE_SECRET is used) any 32-character string taken as its bytes.
 */
export function parseSecretKey(text: string): Buffer {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (Buffer.byteLength(text, 'utf8') === 32) return Buffer.from(text, 'utf8');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const key = Buffer.from(text, 'base64');
    if (key.length === 32) return key;
  }
  throw new ConfigError(
    'HANGAR_SECRET_KEY must be 32 bytes: 64 hex digits (`openssl rand -hex 32`), base64, or a 32-character string',
  );
}

function defaultServerHost(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' || host === '' ? 'localhost' : host;
  return `${h.includes(':') ? `[${h}]` : h}:${port}`;
}
