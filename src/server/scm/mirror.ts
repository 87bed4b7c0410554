// Bare mirrors of remote git repositories (scm `git`: a repository known only by its http(s) URL).
// The server keeps one per repo under DATA/mirrors/<repo id>.git and reads configuration files,
// commits and changed files from it with the same git readers as a repository on this machine.
// Nothing authoritative lives there: a missing or stale mirror is cloned or fetched again, so every
// server replica keeps its own. Git runs from argv arrays with none of the machine's configuration;
// credentials reach it through a credential helper that reads them from the environment, never
// through the URL, so no git message or log line can carry them.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Repo } from '../store/models.js';
import { headBranch, resolveRevision, runGit, safeRevision } from './git.js';

/** The scm of a repository Hangar mirrors from a remote URL. */
export const MIRROR_SCM = 'git';

/** Whether Hangar reads `repo` from a mirror of its remote URL. */
export function isMirrored(repo: Pick<Repo, 'scm'>): boolean {
  return repo.scm === MIRROR_SCM;
}

/** Basic-auth credentials of a private remote. */
export interface RemoteCredentials {
  username: string;
  password: string;
}

/** A remote that cannot be mirrored or fetched; `statusCode` is the API's answer. Never holds a password. */
export class MirrorError extends Error {
  override name = 'MirrorError';
  constructor(
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}

/** The URL of a remote as Hangar accepts it: http(s), no credentials in it. Throws MirrorError. */
export function checkRemoteUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Not echoed: a malformed URL may still hold a password.
    throw new MirrorError('the clone URL is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MirrorError(`${url.protocol.replace(/:$/, '')} URLs cannot be mirrored: give an http(s) URL`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new MirrorError(
      'the URL must not hold credentials: give them with --username and --password-stdin',
    );
  }
  if (url.hash !== '' || url.search !== '')
    throw new MirrorError('the URL must not have a query or fragment');
  return url;
}

/** Checks credentials before they reach git's line-based credential protocol. */
export function checkCredentials(c: RemoteCredentials): void {
  if (c.username === '' || c.password === '')
    throw new MirrorError('both a username and a password are needed');
  if (/[\n\r\0]/.test(c.username) || /[\n\r\0]/.test(c.password)) {
    throw new MirrorError('the username and password must be single lines');
  }
}

/** Settings of a Mirrors. */
export interface MirrorOptions {
  /** The folder of the mirrors (DATA/mirrors). */
  root: string;
  /** The credentials of a repo's remote, if it has any. */
  credentials: (repo: Repo) => Promise<RemoteCredentials | undefined>;
  /** Longest a clone or fetch may take (default 120 s). */
  timeoutMs?: number;
}

// Answers git's `get` with the credentials in the environment, for the remote's own host only (a
// redirect to another host gets nothing). Git runs it through a shell; it holds no secret itself.
const HELPER =
  '!f() { test "$1" = get || exit 0; h=; while IFS= read -r l && test -n "$l"; do case "$l" in host=*) h="$l";; esac; done; ' +
  'test "$h" = "host=$HANGAR_GIT_HOST" || exit 0; printf "username=%s\\npassword=%s\\n" "$HANGAR_GIT_USERNAME" "$HANGAR_GIT_PASSWORD"; }; f';

// What of the server's environment a remote fetch may use: the PATH, proxies and CA settings.
const PASSED = [
  'PATH',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'GIT_SSL_CAINFO',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
];

function remoteEnv(url: URL, creds: RemoteCredentials | undefined): Record<string, string> {
  const env: Record<string, string> = {
    LANG: 'C',
    LC_ALL: 'C',
    HOME: '/nonexistent',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_OPTIONAL_LOCKS: '0',
    // No transport but http(s), also not through a redirect or a submodule.
    GIT_ALLOW_PROTOCOL: 'http:https',
    // An empty helper first clears any helper configured anywhere else.
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'credential.helper',
    GIT_CONFIG_VALUE_0: '',
  };
  for (const k of PASSED) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  if (creds) {
    Object.assign(env, {
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_1: 'credential.helper',
      GIT_CONFIG_VALUE_1: HELPER,
      HANGAR_GIT_HOST: url.host,
      HANGAR_GIT_USERNAME: creds.username,
      HANGAR_GIT_PASSWORD: creds.password,
    });
  }
  return env;
}

/** Git's complaint as one line a user can act on; the password is cut out should git ever echo it. */
export function describeFetchFailure(url: string, stderr: string, creds?: RemoteCredentials): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const all = lines.join('\n');
  const last = (lines.find((l) => l.startsWith('fatal:')) ?? lines.at(-1) ?? 'git failed').replace(
    /^fatal: /,
    '',
  );
  let message: string;
  if (
    /Authentication failed|could not read (Username|Password)|terminal prompts disabled|HTTP 40[13]\b/.test(
      all,
    )
  )
    message = creds
      ? `authentication failed for ${url}: the remote refused the username and password`
      : `authentication failed for ${url} (a private remote needs --username and --password-stdin)`;
  else if (
    /not valid: is this a git repository|not a git repository|HTTP 404\b|repository '.*' not found/.test(all)
  )
    message = `${url} is not a git repository (${last})`;
  else if (
    /Could not resolve host|Failed to connect|Couldn't connect|Connection refused|timed out|unable to access/.test(
      all,
    )
  )
    message = `cannot reach ${url}: ${last}`;
  else message = `cannot fetch ${url}: ${last}`;
  if (creds && creds.password.length >= 3) message = message.split(creds.password).join('******');
  return message.length > 500 ? `${message.slice(0, 500)}…` : message;
}

/** The bare mirrors of one server. */
export class Mirrors {
  private readonly timeoutMs: number;
  /** Per mirror: the last operation queued (clones, fetches and removals of one mirror run in turn). */
  private readonly tails = new Map<string, Promise<unknown>>();
  /** Per mirror: a fetch queued but not started yet, which whoever asks meanwhile shares. */
  private readonly waiting = new Map<string, Promise<string>>();

  constructor(private readonly options: MirrorOptions) {
    this.timeoutMs = options.timeoutMs ?? 120_000;
  }

  /** Where `repo`'s mirror lives. */
  dir(repo: Pick<Repo, 'id'>): string {
    return join(this.options.root, `${repo.id}.git`);
  }

  /** The mirror of `repo`, cloned first if this server has none (or one of another URL). */
  async ensure(repo: Repo): Promise<string> {
    const dir = this.dir(repo);
    if (await this.current(repo, dir)) return dir;
    return this.inTurn(dir, async () => {
      if (!(await this.current(repo, dir))) await this.clone(repo, dir, undefined);
      return dir;
    });
  }

  /**
   * Brings the mirror up to date with its remote (cloning it when missing). A fetch asked for while
   * another runs waits for it and then runs once for every caller that asked meanwhile, so each
   * sees the remote as it was at least when they asked. `creds` replace the stored credentials
   * (when registering them). MirrorError when the remote cannot be read.
   */
  fetch(repo: Repo, creds?: RemoteCredentials): Promise<string> {
    const dir = this.dir(repo);
    const queued = this.waiting.get(dir);
    if (queued && !creds) return queued;
    const run: Promise<string> = this.inTurn(dir, async () => {
      if (this.waiting.get(dir) === run) this.waiting.delete(dir);
      if (await this.current(repo, dir)) await this.update(repo, dir, creds);
      else await this.clone(repo, dir, creds);
      return dir;
    });
    if (!creds) this.waiting.set(dir, run);
    return run;
  }

  /** The mirror's commit for `rev`, fetching once when it does not have it yet. */
  async resolve(repo: Repo, rev: string): Promise<{ dir: string; sha: string | undefined }> {
    const dir = await this.ensure(repo);
    if (!safeRevision(rev)) return { dir, sha: undefined };
    const sha = await resolveRevision(dir, rev);
    if (sha) return { dir, sha };
    await this.fetch(repo);
    return { dir, sha: await resolveRevision(dir, rev) };
  }

  /** The branch the remote's HEAD names, as last fetched. */
  async defaultBranch(repo: Pick<Repo, 'id'>): Promise<string | undefined> {
    return headBranch(this.dir(repo));
  }

  /** Deletes the mirror (nothing else needs it: it is cloned again when asked for). */
  async remove(repo: Pick<Repo, 'id'>): Promise<void> {
    const dir = this.dir(repo);
    await this.inTurn(dir, () => rm(dir, { recursive: true, force: true }));
  }

  private inTurn<T>(dir: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.tails.get(dir) ?? Promise.resolve()).catch(() => undefined).then(fn);
    this.tails.set(dir, run);
    void run
      .catch(() => undefined)
      .then(() => {
        if (this.tails.get(dir) === run) this.tails.delete(dir);
      });
    return run;
  }

  /** A mirror exists at `dir` and is one of `repo`'s URL. */
  private async current(repo: Repo, dir: string): Promise<boolean> {
    try {
      if (!(await stat(dir)).isDirectory()) return false;
      const url = (await runGit(dir, ['config', '--get', 'remote.origin.url'])).trim();
      return url === repo.git_http_url;
    } catch {
      return false;
    }
  }

  private async credentialsOf(repo: Repo, given: RemoteCredentials | undefined) {
    return given ?? (await this.options.credentials(repo));
  }

  // Clones into a temporary folder and renames it into place: a reader never sees half a mirror,
  // and a failed clone leaves nothing behind.
  private async clone(repo: Repo, dir: string, given: RemoteCredentials | undefined): Promise<void> {
    const url = checkRemoteUrl(repo.git_http_url);
    const creds = await this.credentialsOf(repo, given);
    await mkdir(this.options.root, { recursive: true });
    const tmp = join(this.options.root, `.clone-${repo.id}-${randomBytes(6).toString('hex')}`);
    try {
      await this.remote(url, creds, ['clone', '--mirror', '--quiet', '--', url.href, tmp]);
      await rm(dir, { recursive: true, force: true });
      await rename(tmp, dir);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  private async update(repo: Repo, dir: string, given: RemoteCredentials | undefined): Promise<void> {
    const url = checkRemoteUrl(repo.git_http_url);
    const creds = await this.credentialsOf(repo, given);
    await this.remote(url, creds, ['-C', dir, 'fetch', '--prune', '--quiet', 'origin']);
  }

  private async remote(url: URL, creds: RemoteCredentials | undefined, args: string[]): Promise<void> {
    const res = await execa('git', args, {
      reject: false,
      stdin: 'ignore',
      extendEnv: false,
      env: remoteEnv(url, creds),
      timeout: this.timeoutMs,
      maxBuffer: 1024 * 1024,
    });
    if (res.timedOut) {
      throw new MirrorError(
        `cannot reach ${url.href}: no answer within ${Math.round(this.timeoutMs / 1000)} s`,
      );
    }
    if (res.exitCode !== 0 || res.failed) {
      throw new MirrorError(describeFetchFailure(url.href, String(res.stderr ?? ''), creds));
    }
  }
}
