// `hangar repo ls|info|add|enable|disable|update`: repositories through the server's API, as
// drone-cli's `drone repo` (drone-reference.md Appendix B). `repo add PATH [--name OWNER/NAME]`
// registers a git repository on this machine (scm `local`, clone URL = its path); enabling it makes
// the server install a post-receive hook in a bare repository, so every `git push` into it builds.
// `repo add URL` registers a remote one by its http(s) URL (scm `git`): the server keeps a mirror
// of it, fetched when it is added and before each build; credentials come from stdin only.
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { parseGoDuration } from '../../server/cron/schedule.js';
import { headBranch, hooksDir, inspectRepository } from '../../server/scm/git.js';
import { HOOK_MARKER } from '../../server/scm/local-hook.js';
import { apiClient, parseSlug, repoPath } from '../api-client.js';
import {
  type FormatOptions,
  outputFormat,
  printFields,
  printJson,
  printTable,
  withFormat,
  yesNo,
} from '../api-output.js';
import { UsageError } from '../errors.js';

/** What a PATH-OR-URL argument names: a directory here, or a remote http(s) URL. */
export type RepoLocation = { kind: 'local'; dir: string } | { kind: 'remote'; url: string };

/** Where a PATH-OR-URL argument points; UsageError for URLs Hangar cannot mirror. */
export function repoLocation(arg: string, cwd = process.cwd()): RepoLocation {
  if (arg.startsWith('file://')) return { kind: 'local', dir: fileURLToPath(arg) };
  if (/^https?:\/\//i.test(arg)) {
    let url: URL;
    try {
      url = new URL(arg);
    } catch {
      throw new UsageError(`${arg} is not a valid URL`);
    }
    if (url.username || url.password) {
      throw new UsageError(
        'the URL must not hold credentials: give --username and pipe the password or token into --password-stdin',
      );
    }
    return { kind: 'remote', url: url.href };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(arg) || /^[^/]+@[^/]+:/.test(arg)) {
    throw new UsageError(
      `${arg}: only http(s) URLs of remote repositories can be added (or a path or file:// URL on the server's machine)`,
    );
  }
  return { kind: 'local', dir: resolve(cwd, arg) };
}

/** A repository name from a directory: `app.git` → `app`, with characters the API refuses replaced. */
export function nameFromDir(dir: string): string {
  const base = basename(dir).replace(/\.git$/, '') || 'repo';
  return base.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^\.+/, '') || 'repo';
}

/** A repository as the API shows it. */
interface RepoJson {
  slug: string;
  namespace: string;
  scm: string;
  active: boolean;
  visibility: string;
  default_branch: string;
  config_path: string;
  git_http_url: string;
  link: string;
  trusted: boolean;
  protected: boolean;
  ignore_forks: boolean;
  ignore_pull_requests: boolean;
  auto_cancel_pushes: boolean;
  auto_cancel_pull_requests: boolean;
  auto_cancel_running: boolean;
  timeout: number;
  throttle?: number;
  counter: number;
  build?: { number: number; status: string };
  permissions?: { read: boolean; write: boolean; admin: boolean };
}

function printRepo(r: RepoJson): void {
  const perms = r.permissions
    ? ((['admin', 'write', 'read'] as const).find((p) => r.permissions?.[p]) ?? 'none')
    : undefined;
  printFields([
    ['Repository', r.slug],
    ['SCM', r.scm || '-'],
    ['Active', yesNo(r.active)],
    ['Visibility', r.visibility],
    ['Default branch', r.default_branch],
    ['Config', r.config_path],
    ['Clone URL', r.git_http_url],
    ...(r.link ? [['Link', r.link] as [string, unknown]] : []),
    ['Trusted', yesNo(r.trusted)],
    ['Protected', yesNo(r.protected)],
    ['Ignore forks', yesNo(r.ignore_forks)],
    ['Ignore pull requests', yesNo(r.ignore_pull_requests)],
    ['Auto-cancel pushes', yesNo(r.auto_cancel_pushes)],
    ['Auto-cancel pull requests', yesNo(r.auto_cancel_pull_requests)],
    ['Auto-cancel running', yesNo(r.auto_cancel_running)],
    ['Timeout', `${r.timeout}m`],
    ['Throttle', r.throttle ? String(r.throttle) : 'none'],
    ['Builds', String(r.counter)],
    ...(perms ? [['Your access', perms] as [string, unknown]] : []),
  ]);
}

/** Minutes of a `--timeout` value: whole minutes, or a Go duration (`90m`, `1h30m`). */
export function timeoutMinutes(text: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) * 60_000 : parseGoDuration(text);
  const minutes = ms === undefined ? Number.NaN : Math.round(ms / 60_000);
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 525_600) {
    throw new UsageError(`--timeout must be minutes or a duration (90m, 1h30m) up to a year, not "${text}"`);
  }
  return minutes;
}

// The on/off settings of `repo update`: flag → API field.
const SWITCHES = {
  trusted: 'trusted',
  protected: 'protected',
  ignoreForks: 'ignore_forks',
  ignorePullRequests: 'ignore_pull_requests',
  autoCancelPushes: 'auto_cancel_pushes',
  autoCancelPullRequests: 'auto_cancel_pull_requests',
  autoCancelRunning: 'auto_cancel_running',
} as const;

interface UpdateOptions extends FormatOptions, Partial<Record<keyof typeof SWITCHES, boolean>> {
  timeout?: string;
  visibility?: string;
  config?: string;
  throttle?: string;
  buildCounter?: string;
  unsafe?: boolean;
}

/** The PATCH body of `repo update`; UsageError when it would change nothing or a value is wrong. */
export function repoPatch(opts: UpdateOptions): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const [flag, field] of Object.entries(SWITCHES)) {
    const v = opts[flag as keyof typeof SWITCHES];
    if (v !== undefined) patch[field] = v;
  }
  if (opts.timeout !== undefined) patch.timeout = timeoutMinutes(opts.timeout);
  if (opts.visibility !== undefined) {
    if (!['public', 'private', 'internal'].includes(opts.visibility))
      throw new UsageError(`--visibility must be public, private or internal, not "${opts.visibility}"`);
    patch.visibility = opts.visibility;
  }
  if (opts.config !== undefined) {
    if (opts.config.trim() === '') throw new UsageError('--config must name a file');
    patch.config_path = opts.config;
  }
  if (opts.throttle !== undefined) {
    if (!/^\d{1,7}$/.test(opts.throttle))
      throw new UsageError(`--throttle must be a number, not "${opts.throttle}"`);
    patch.throttle = Number(opts.throttle);
  }
  if (opts.buildCounter !== undefined) {
    if (!opts.unsafe) {
      throw new UsageError(
        'setting the build counter can put the repository in an inconsistent state; add --unsafe to do it anyway',
      );
    }
    if (!/^\d{1,10}$/.test(opts.buildCounter))
      throw new UsageError(`--build-counter must be a number, not "${opts.buildCounter}"`);
    patch.counter = Number(opts.buildCounter);
  }
  if (Object.keys(patch).length === 0) throw new UsageError('nothing to update: give at least one setting');
  return patch;
}

/** Registers `hangar repo …`. */
export function registerRepo(program: Command): void {
  const repo = program.command('repo').description('repositories on a Hangar server');

  withFormat(
    repo
      .command('ls')
      .description('list the repositories you have access to')
      .option('--org <namespace>', 'only repositories of this owner')
      .option('--active', 'only active (enabled) repositories'),
  ).action(async (opts: FormatOptions & { org?: string; active?: boolean }) => {
    const format = outputFormat(opts);
    const client = apiClient();
    const query = new URLSearchParams({ latest: 'true' });
    const list = ((await client.request('GET', '/api/user/repos', { query })) ?? []) as RepoJson[];
    const repos = list
      .filter((r) => !opts.org || r.namespace === opts.org)
      .filter((r) => !opts.active || r.active);
    if (format === 'json') return printJson(repos);
    printTable(
      ['REPOSITORY', 'ACTIVE', 'SCM', 'VISIBILITY', 'BRANCH', 'LAST BUILD'],
      repos.map((r) => [
        r.slug,
        yesNo(r.active),
        r.scm || '-',
        r.visibility,
        r.default_branch,
        r.build ? `#${r.build.number} ${r.build.status}` : '-',
      ]),
      'no repositories',
    );
  });

  withFormat(
    repo
      .command('sync')
      .description('re-read your repositories and your access to them from your SCM (GitHub, Gitea, GitLab)')
      .option('--scm <scm>', 'the SCM your token is for, when the server knows several'),
  ).action(async (opts: FormatOptions & { scm?: string }) => {
    const format = outputFormat(opts);
    const query = new URLSearchParams(opts.scm ? { scm: opts.scm } : {});
    const list = ((await apiClient().request('POST', '/api/user/repos', { query })) ?? []) as RepoJson[];
    if (format === 'json') return printJson(list);
    printTable(
      ['REPOSITORY', 'ACTIVE', 'SCM', 'VISIBILITY', 'BRANCH'],
      list.map((r) => [r.slug, yesNo(r.active), r.scm || '-', r.visibility, r.default_branch]),
      'no repositories',
    );
  });

  withFormat(
    repo
      .command('info')
      .description("show a repository's settings")
      .argument('<repo>', 'repository, OWNER/NAME'),
  ).action(async (slug: string, opts: FormatOptions) => {
    const format = outputFormat(opts);
    const res = (await apiClient().request('GET', repoPath(slug))) as RepoJson;
    if (format === 'json') return printJson(res);
    printRepo(res);
  });

  for (const verb of ['enable', 'disable'] as const) {
    withFormat(
      repo
        .command(verb)
        .description(
          verb === 'enable'
            ? 'activate a repository: its webhooks and pushes start builds, you become its owner'
            : 'deactivate a repository: nothing builds it any more (its history stays)',
        )
        .argument('<repo>', 'repository, OWNER/NAME'),
    ).action(async (slug: string, opts: FormatOptions) => {
      const format = outputFormat(opts);
      const res = (await apiClient().request(
        verb === 'enable' ? 'POST' : 'DELETE',
        repoPath(slug),
      )) as RepoJson;
      if (format === 'json') return printJson(res);
      process.stdout.write(`${verb}d ${res.slug}\n`);
    });
  }

  const update = repo
    .command('update')
    .description("change a repository's settings (`--no-X` turns a setting off)")
    .argument('<repo>', 'repository, OWNER/NAME')
    .option('--trusted', 'trusted: privileged steps and host volumes allowed (system admins)')
    .option('--no-trusted')
    .option('--protected', 'protected: builds of unsigned configurations wait for approval')
    .option('--no-protected')
    .option('--ignore-forks', 'build no pull requests from forks')
    .option('--no-ignore-forks')
    .option('--ignore-pull-requests', 'build no pull requests at all')
    .option('--no-ignore-pull-requests')
    .option('--auto-cancel-pushes', 'a new push cancels the pending builds of its branch')
    .option('--no-auto-cancel-pushes')
    .option('--auto-cancel-pull-requests', 'a new pull request build cancels the pending ones')
    .option('--no-auto-cancel-pull-requests')
    .option('--auto-cancel-running', 'auto-cancel running builds too')
    .option('--no-auto-cancel-running')
    .option('--timeout <duration>', 'build timeout: minutes, or a duration (90m, 1h30m)')
    .option('--visibility <visibility>', 'public, private or internal')
    .option('--config <path>', 'configuration file (default .drone.yml)')
    .option(
      '--throttle <n>',
      'at most this many running stages of the repository (system admins; 0 = no limit)',
    )
    .option('--build-counter <n>', 'the last build number (system admins; needs --unsafe)')
    .option('--unsafe', 'confirm --build-counter');
  withFormat(update).action(async (slug: string, opts: UpdateOptions) => {
    const format = outputFormat(opts);
    const patch = repoPatch(opts);
    const res = (await apiClient().request('PATCH', repoPath(slug), { json: patch })) as RepoJson;
    if (format === 'json') return printJson(res);
    process.stdout.write(`updated ${res.slug}\n`);
    printRepo(res);
  });

  withFormat(
    repo
      .command('webhook')
      .description(
        "where, and signed with which secret, a git remote's forge sends push webhooks (repo admins)",
      )
      .argument('<repo>', 'repository, OWNER/NAME'),
  ).action(async (slug: string, opts: FormatOptions) => {
    const format = outputFormat(opts);
    const res = (await apiClient().request('GET', `${repoPath(slug)}/webhook`)) as {
      url: string;
      secret: string;
    };
    if (format === 'json') return printJson(res);
    printFields([
      ['URL', res.url],
      ['Secret', res.secret],
      ['Events', 'push (content type application/json)'],
    ]);
  });

  repo
    .command('add')
    .description(
      'register a git repository: a directory on this machine (bare: pushes into it build) or a remote http(s) URL',
    )
    .argument('<path-or-url>', 'repository directory (bare or not), file:// URL, or http(s) URL of a remote')
    .option('--name <owner/name>', 'name in Hangar (default: YOUR-LOGIN/DIRECTORY-OR-URL-NAME)')
    .option('--username <user>', 'user name for a private remote (with --password-stdin)')
    .option('--password-stdin', 'read the password or token of a private remote from stdin')
    .action(async (arg: string, opts: AddOptions) => {
      const where = repoLocation(arg);
      if (where.kind === 'remote') return addRemote(where.url, opts);
      if (opts.username !== undefined || opts.passwordStdin)
        throw new UsageError('--username and --password-stdin are for remote URLs only');
      const dir = where.dir;
      const found = await inspectRepository(dir);
      if (!found) throw new UsageError(`${dir} is not a git repository`);
      const client = apiClient();
      let slug = opts.name;
      if (!slug) {
        const me = (await client.request('GET', '/api/user')) as { login: string };
        slug = `${me.login}/${nameFromDir(dir)}`;
      }
      const { owner, name } = parseSlug(slug);
      const branch = (await headBranch(dir)) ?? 'main';
      const created = (await client.request(
        'POST',
        `/api/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`,
        {
          json: {
            scm: 'local',
            uid: dir,
            git_http_url: dir,
            default_branch: branch,
            private: true,
            visibility: 'private',
          },
        },
      )) as { slug: string; default_branch: string };
      process.stdout.write(
        `registered ${created.slug} (local, ${found.bare ? 'bare' : 'working copy'}) at ${dir}\n`,
      );
      if (!found.bare) {
        process.stdout.write(`start builds with: hangar build create ${created.slug} [--branch B]\n`);
        return;
      }
      const hook = join(await hooksDir(dir, found.gitDir), 'post-receive');
      const text = await readFile(hook, 'utf8').catch(() => '');
      if (text.includes(HOOK_MARKER)) {
        process.stdout.write(`installed ${hook}: every push into ${dir} notifies the server\n`);
      } else {
        process.stdout.write(
          `warning: no Hangar post-receive hook in ${hook}; pushes will not build until the server installs it (hangar runs the server on this machine?)\n`,
        );
      }
    });
}

interface AddOptions {
  name?: string;
  username?: string;
  passwordStdin?: boolean;
}

/** The password piped into `--password-stdin`: its first line. */
async function readPassword(): Promise<string> {
  if (process.stdin.isTTY)
    throw new UsageError('--password-stdin reads a pipe: echo "$TOKEN" | hangar repo add …');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (password === '' || /[\r\n]/.test(password))
    throw new UsageError('--password-stdin needs one line: the password or token');
  return password;
}

/** `repo add URL`: the server mirrors the remote (fetching it now) and builds it on request. */
async function addRemote(url: string, opts: AddOptions): Promise<void> {
  if (opts.passwordStdin && !opts.username) throw new UsageError('--password-stdin needs --username');
  if (opts.username !== undefined && !opts.passwordStdin)
    throw new UsageError('--username needs --password-stdin (a password is never taken on the command line)');
  const password = opts.passwordStdin ? await readPassword() : undefined;
  const client = apiClient();
  let slug = opts.name;
  if (!slug) {
    const me = (await client.request('GET', '/api/user')) as { login: string };
    slug = `${me.login}/${nameFromDir(new URL(url).pathname)}`;
  }
  const { owner, name } = parseSlug(slug);
  const created = (await client.request(
    'POST',
    `/api/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`,
    {
      json: {
        scm: 'git',
        uid: url,
        git_http_url: url,
        link: url.replace(/\.git$/, ''),
        private: true,
        visibility: 'private',
        ...(password !== undefined && { username: opts.username, password }),
      },
    },
  )) as { slug: string; default_branch: string };
  process.stdout.write(
    `registered ${created.slug} (git remote ${url}, default branch ${created.default_branch}); the server fetched it\n` +
      `pushes to it do not build by themselves: hangar build create ${created.slug} [--branch B], a cron job, or a push webhook from its forge (hangar repo webhook ${created.slug})\n`,
  );
}
