// `hangar build create OWNER/NAME [--branch B] [--commit SHA] [--param K=V]…`: a custom build
// through the server's API (Drone's `drone build create`). Also the small API client the server
// commands share: HANGAR_SERVER / HANGAR_TOKEN, or Drone's DRONE_SERVER / DRONE_TOKEN.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';

/** An answer the server gave with an error status; the message is the server's own. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Where the server is and who the caller is. */
export interface ApiClient {
  server: string;
  request(method: string, path: string, opts?: { query?: URLSearchParams; json?: unknown }): Promise<unknown>;
}

/** A client from the environment; UsageError when the server or token is missing. */
export function apiClient(env: Record<string, string | undefined> = process.env): ApiClient {
  const server = (env.HANGAR_SERVER || env.DRONE_SERVER || '').replace(/\/+$/, '');
  const token = env.HANGAR_TOKEN || env.DRONE_TOKEN || '';
  if (server === '')
    throw new UsageError('set HANGAR_SERVER (or DRONE_SERVER) to the server URL, e.g. http://127.0.0.1:8080');
  if (!/^https?:\/\//.test(server))
    throw new UsageError(`HANGAR_SERVER must be an http(s) URL, not "${server}"`);
  if (token === '') throw new UsageError('set HANGAR_TOKEN (or DRONE_TOKEN) to your API token');
  return {
    server,
    async request(method, path, opts = {}) {
      const url = `${server}${path}${opts.query && [...opts.query].length > 0 ? `?${opts.query}` : ''}`;
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(opts.json !== undefined && { 'content-type': 'application/json' }),
          },
          ...(opts.json !== undefined && { body: JSON.stringify(opts.json) }),
          signal: AbortSignal.timeout(60_000),
        });
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
        throw new ApiError(0, `cannot reach ${server}: ${cause}`);
      }
      const text = await res.text();
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        body = text;
      }
      if (!res.ok) {
        const message =
          typeof body === 'object' &&
          body !== null &&
          typeof (body as { message?: unknown }).message === 'string'
            ? (body as { message: string }).message
            : text.slice(0, 200) || res.statusText;
        throw new ApiError(res.status, `${method} ${path}: ${res.status} ${message}`);
      }
      return body;
    },
  };
}

/** `OWNER/NAME` split; UsageError otherwise. */
export function parseSlug(slug: string): { owner: string; name: string } {
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(slug);
  if (!m) throw new UsageError(`"${slug}" is not OWNER/NAME`);
  return { owner: m[1] as string, name: m[2] as string };
}

function collectParam(value: string, previous: string[]): string[] {
  return [...previous, value];
}

interface BuildJson {
  number: number;
  status: string;
  event: string;
  ref: string;
  after: string;
  error?: string;
  stages?: { number: number; name: string; status: string }[];
}

/** Registers `hangar build create`. */
export function registerBuild(program: Command): void {
  const build = program.command('build').description('builds on a Hangar server');
  build
    .command('create')
    .description('start a build of a branch or commit (a `custom` event), like `drone build create`')
    .argument('<repo>', 'repository, OWNER/NAME')
    .option('--branch <branch>', 'branch to build (default: the repository default branch)')
    .option('--commit <sha>', 'commit to build (default: the head of the branch)')
    .option('--param <key=value>', 'build parameter (repeatable)', collectParam, [] as string[])
    .option('--json', 'print the build as JSON', false)
    .action(
      async (slug: string, opts: { branch?: string; commit?: string; param: string[]; json: boolean }) => {
        const { owner, name } = parseSlug(slug);
        const query = new URLSearchParams();
        if (opts.branch) query.set('branch', opts.branch);
        if (opts.commit) query.set('commit', opts.commit);
        for (const p of opts.param) {
          const eq = p.indexOf('=');
          if (eq <= 0) throw new UsageError(`--param ${p}: expected KEY=VALUE`);
          const key = p.slice(0, eq);
          if (['branch', 'commit', 'access_token'].includes(key))
            throw new UsageError(`--param ${key} is reserved`);
          query.set(key, p.slice(eq + 1));
        }
        const client = apiClient();
        const res = (await client.request(
          'POST',
          `/api/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}/builds`,
          { query },
        )) as BuildJson | null | undefined;
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(res ?? null, null, 2)}\n`);
          return;
        }
        if (!res) {
          process.stdout.write('no build: no pipeline matches this commit (or its message skips CI)\n');
          return;
        }
        process.stdout.write(
          `build #${res.number} ${res.status} (${res.event} ${res.ref} ${res.after.slice(0, 12)})\n`,
        );
        if (res.error) process.stdout.write(`error: ${res.error}\n`);
        for (const s of res.stages ?? []) process.stdout.write(`  ${s.number}. ${s.name}: ${s.status}\n`);
        process.stdout.write(`${client.server}/${owner}/${name}/${res.number}\n`);
        if (res.status === 'error') process.exitCode = 1;
      },
    );
}
