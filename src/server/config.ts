// The server's settings, read once at start from the environment and the command line (flags win).
// Everything else in the server gets a ServerConfig handed in; nothing else reads process.env.
import { isAbsolute, join, resolve } from 'node:path';
import { type ConvertSettings, readConvertSettings } from './convert/settings.js';
import { parseGoDuration } from './cron/schedule.js';

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
  /** Seconds between passes over the due cron jobs; 0 = cron jobs only run when asked through the API. */
  readonly cronIntervalSeconds: number;
  /** Where and how build statuses are reported to the SCMs (drone-reference.md §5.8). */
  readonly status: StatusSettings;
  /** Hold pull requests from forks for approval: their stages start `blocked`. */
  readonly forkApproval: boolean;
  /** Signing in through an SCM's OAuth and the browser session cookie. */
  readonly login: LoginSettings;
  /** A user made (or updated) at every start, as Drone's DRONE_USER_CREATE. */
  readonly userCreate: UserCreate | undefined;
  /** Jsonnet and the convert extension (drone-reference.md §5.9); undefined = YAML only. */
  readonly convert?: ConvertSettings;
}

/** HANGAR_USER_CREATE: `username:LOGIN[,admin:true][,machine:true][,token:TOKEN]`. */
export interface UserCreate {
  readonly login: string;
  readonly admin: boolean;
  readonly machine: boolean;
  /** API token to give the user ('' = none; a machine account needs one). */
  readonly token: string;
}

/** An SCM users can sign in with. */
export type OAuthScm = 'github' | 'gitea' | 'gitlab';

/** The OAuth application of the SCM users sign in with. */
export interface OAuthSettings {
  readonly scm: OAuthScm;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Web URL of the SCM (authorize and token endpoints), no trailing slash. */
  readonly server: string;
  /** API base URL for the signed-in user (GitHub: api.github.com or SERVER/api/v3; Gitea/GitLab: the server). */
  readonly api: string;
}

/** Sign-in settings (drone-reference.md §5.2). */
export interface LoginSettings {
  /** The SCM's OAuth application; undefined = API tokens only. */
  readonly oauth: OAuthSettings | undefined;
  /** Key signing session cookies; undefined = use (or create) the key file in the data dir. */
  readonly cookieSecret: Buffer | undefined;
  /** Lifetime of a session cookie in seconds (Drone's default 720h). */
  readonly cookieTimeoutSeconds: number;
  /** No new accounts through OAuth; existing users still sign in. */
  readonly registrationClosed: boolean;
  /** Logins and organisations whose members may create an account by signing in ([] = anyone). */
  readonly userFilter: readonly string[];
}

/** An SCM with a commit-status API. */
export type StatusScm = 'github' | 'gitea' | 'gitlab';

/** Commit-status settings. */
export interface StatusSettings {
  /** Send no statuses at all. */
  readonly disabled: boolean;
  /** Context prefix (`continuous-integration/drone` → `…/push`, `…/pr`, …). */
  readonly name: string;
  /** API base URL per SCM; an SCM without one gets no statuses. */
  readonly endpoints: Readonly<Partial<Record<StatusScm, string>>>;
  /** Token per SCM, used when a repository's owner has no SCM token of their own. */
  readonly tokens: Readonly<Partial<Record<StatusScm, string>>>;
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

  const cronIntervalSeconds = bool(get('HANGAR_CRON_DISABLED', 'DRONE_CRON_DISABLED'), 'HANGAR_CRON_DISABLED')
    ? 0
    : cronInterval(get('HANGAR_CRON_INTERVAL', 'DRONE_CRON_INTERVAL'));
  let status = statusSettings(get);
  const forkApproval = bool(get('HANGAR_FORK_APPROVAL'), 'HANGAR_FORK_APPROVAL');
  const login = loginSettings(get, status);
  // As in Drone, the SCM users sign in with is also where their repositories' statuses and files are.
  const signInScm = login.oauth?.scm;
  if (login.oauth && signInScm && status.endpoints[signInScm] === undefined) {
    status = { ...status, endpoints: { ...status.endpoints, [signInScm]: login.oauth.api } };
  }

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
    cronIntervalSeconds,
    status,
    forkApproval,
    login,
    convert: readConvertSettings(get, (msg) => new ConfigError(msg)),
    userCreate: userCreate(get('HANGAR_USER_CREATE', 'DRONE_USER_CREATE')),
  };
}

function userCreate(text: string | undefined): UserCreate | undefined {
  if (text === undefined) return undefined;
  const fields: Record<string, string> = {};
  for (const part of text.split(',')) {
    const i = part.indexOf(':');
    const key = (i < 0 ? part : part.slice(0, i)).trim().toLowerCase();
    if (!['username', 'admin', 'machine', 'token'].includes(key) || i < 0) {
      throw new ConfigError(
        `HANGAR_USER_CREATE must be username:LOGIN[,admin:true][,machine:true][,token:TOKEN], not "${part.trim()}"`,
      );
    }
    fields[key] = part.slice(i + 1).trim();
  }
  const login = fields.username ?? '';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,249}$/.test(login)) {
    throw new ConfigError('HANGAR_USER_CREATE needs username:LOGIN (letters, digits, ".", "_", "-")');
  }
  const token = fields.token ?? '';
  if (token !== '' && !/^[\x21-\x7e]{16,256}$/.test(token)) {
    throw new ConfigError('HANGAR_USER_CREATE token must be 16 to 256 printable characters without spaces');
  }
  const machine = bool(fields.machine, 'HANGAR_USER_CREATE machine');
  if (machine && token === '')
    throw new ConfigError('HANGAR_USER_CREATE: a machine account needs token:TOKEN');
  return { login, admin: bool(fields.admin, 'HANGAR_USER_CREATE admin'), machine, token };
}

/** A boolean setting: true/false, 1/0, yes/no, on/off (any case); unset = false. */
function bool(text: string | undefined, name: string): boolean {
  if (text === undefined) return false;
  const t = text.toLowerCase();
  if (['true', '1', 'yes', 'on', 't'].includes(t)) return true;
  if (['false', '0', 'no', 'off', 'f'].includes(t)) return false;
  throw new ConfigError(`${name} must be true or false, not "${text}"`);
}

/** The cron tick: whole seconds (`45`) or a Go duration (`30s`, `1m`, Drone's `30m`), 1 s to 24 h. */
function cronInterval(text: string | undefined): number {
  if (text === undefined) return 30;
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : parseGoDuration(text);
  if (ms === undefined || ms < 1000 || ms > 86_400_000) {
    throw new ConfigError(
      `HANGAR_CRON_INTERVAL must be seconds or a duration (30s, 1m) from 1s to 24h, not "${text}"`,
    );
  }
  return Math.floor(ms / 1000);
}

// Where each SCM's API lives when only its token is given, and the path its status client adds.
const statusDefaults: Record<StatusScm, { api?: string; suffix?: RegExp }> = {
  github: { api: 'https://api.github.com' },
  gitea: { suffix: /\/api\/v1$/ },
  gitlab: { api: 'https://gitlab.com', suffix: /\/api\/v4$/ },
};

function statusSettings(get: (name: string, alias?: string) => string | undefined): StatusSettings {
  const endpoints: Partial<Record<StatusScm, string>> = {};
  const tokens: Partial<Record<StatusScm, string>> = {};
  const aliases: Record<StatusScm, string> = {
    github: 'DRONE_GITHUB_API_SERVER',
    gitea: 'DRONE_GITEA_SERVER',
    gitlab: 'DRONE_GITLAB_SERVER',
  };
  for (const scm of ['github', 'gitea', 'gitlab'] as const) {
    const NAME = scm.toUpperCase();
    const token = get(`HANGAR_${NAME}_TOKEN`);
    const given = get(`HANGAR_${NAME}_API`, aliases[scm]);
    const api = given ?? (token !== undefined ? statusDefaults[scm].api : undefined);
    if (token !== undefined) tokens[scm] = token;
    if (api === undefined) {
      if (token !== undefined)
        throw new ConfigError(`HANGAR_${NAME}_TOKEN needs HANGAR_${NAME}_API, the URL of the ${scm} server`);
      continue;
    }
    let url: URL;
    try {
      url = new URL(api);
    } catch {
      throw new ConfigError(`HANGAR_${NAME}_API must be an http(s) URL, not "${api}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ConfigError(`HANGAR_${NAME}_API must be an http(s) URL, not "${api}"`);
    }
    // Gitea's and GitLab's clients add /api/v1 and /api/v4 themselves.
    const suffix = statusDefaults[scm].suffix;
    let base = `${url.origin}${url.pathname}`.replace(/\/+$/, '');
    if (suffix) base = base.replace(suffix, '');
    endpoints[scm] = base;
  }
  return {
    disabled: bool(get('HANGAR_STATUS_DISABLED', 'DRONE_STATUS_DISABLED'), 'HANGAR_STATUS_DISABLED'),
    name: get('HANGAR_STATUS_NAME', 'DRONE_STATUS_NAME') ?? 'continuous-integration/drone',
    endpoints,
    tokens,
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

// Web URLs of the hosted SCMs, used when only a client id is given.
const oauthServers: Record<OAuthScm, string | undefined> = {
  github: 'https://github.com',
  gitea: undefined,
  gitlab: 'https://gitlab.com',
};

function loginSettings(
  get: (name: string, alias?: string) => string | undefined,
  status: StatusSettings,
): LoginSettings {
  const configured: OAuthSettings[] = [];
  for (const scm of ['github', 'gitea', 'gitlab'] as const) {
    const NAME = scm.toUpperCase();
    const clientId = get(`HANGAR_${NAME}_CLIENT_ID`, `DRONE_${NAME}_CLIENT_ID`);
    const clientSecret = get(`HANGAR_${NAME}_CLIENT_SECRET`, `DRONE_${NAME}_CLIENT_SECRET`);
    if (clientId === undefined && clientSecret === undefined) continue;
    if (clientId === undefined || clientSecret === undefined) {
      throw new ConfigError(
        `signing in with ${scm} needs both HANGAR_${NAME}_CLIENT_ID and HANGAR_${NAME}_CLIENT_SECRET`,
      );
    }
    // Gitea's and GitLab's web and API share one URL: HANGAR_*_API (or Drone's *_SERVER) serves both.
    const serverText =
      get(`HANGAR_${NAME}_SERVER`, scm === 'github' ? 'DRONE_GITHUB_SERVER' : undefined) ??
      (scm === 'github' ? undefined : status.endpoints[scm]) ??
      oauthServers[scm];
    if (serverText === undefined) {
      throw new ConfigError(
        `HANGAR_${NAME}_CLIENT_ID needs HANGAR_${NAME}_SERVER, the URL of the ${scm} server`,
      );
    }
    const server = httpUrl(serverText, `HANGAR_${NAME}_SERVER`);
    const api =
      status.endpoints[scm] ??
      (scm !== 'github'
        ? server
        : server === 'https://github.com'
          ? 'https://api.github.com'
          : `${server}/api/v3`);
    configured.push({ scm, clientId, clientSecret, server, api });
  }
  if (configured.length > 1) {
    throw new ConfigError(
      `sign-in can use one SCM, but OAuth clients are set for ${configured.map((o) => o.scm).join(' and ')}; keep one`,
    );
  }

  const secretText = get('HANGAR_COOKIE_SECRET', 'DRONE_COOKIE_SECRET');
  if (secretText !== undefined && Buffer.byteLength(secretText, 'utf8') < 16) {
    throw new ConfigError(
      'HANGAR_COOKIE_SECRET must be at least 16 characters (e.g. `openssl rand -hex 32`)',
    );
  }
  const timeoutText = get('HANGAR_COOKIE_TIMEOUT', 'DRONE_COOKIE_TIMEOUT') ?? '720h';
  const timeoutMs = parseGoDuration(timeoutText);
  if (timeoutMs === undefined || timeoutMs < 60_000 || timeoutMs > 366 * 86_400_000) {
    throw new ConfigError(
      `HANGAR_COOKIE_TIMEOUT must be a duration (720h, 30m) from 1m to 8784h, not "${timeoutText}"`,
    );
  }
  const filterText = get('HANGAR_USER_FILTER', 'DRONE_USER_FILTER') ?? '';
  return {
    oauth: configured[0],
    cookieSecret: secretText === undefined ? undefined : Buffer.from(secretText, 'utf8'),
    cookieTimeoutSeconds: Math.floor(timeoutMs / 1000),
    registrationClosed: bool(
      get('HANGAR_REGISTRATION_CLOSED', 'DRONE_REGISTRATION_CLOSED'),
      'HANGAR_REGISTRATION_CLOSED',
    ),
    userFilter: filterText
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter((s) => s !== ''),
  };
}

/** An http(s) URL without query or trailing slash. */
function httpUrl(text: string, name: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL, not "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name} must be an http(s) URL, not "${text}"`);
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}
