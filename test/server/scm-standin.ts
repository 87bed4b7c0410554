// A stand-in for the GitHub, Gitea and GitLab APIs on 127.0.0.1 (one node:http server, the SCM
// named by the first path segment: /github, /gitea, /gitlab). It records every request (method,
// path with query, Authorization, JSON body) and answers with the shapes those APIs send: GitHub
// repositories from @octokit/fixtures (recorded api.github.com traffic, read in place), Gitea and
// GitLab repositories and every SCM's webhooks from their documented shapes. Repository listings
// and webhooks are state the test sets; webhooks are created, listed and deleted like the real APIs.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';

// biome-ignore lint/suspicious/noExplicitAny: API documents are built and read field by field
export type Json = any;

export type Scm = 'github' | 'gitea' | 'gitlab';

/** One request the stand-in received. */
export interface Seen {
  scm: Scm;
  method: string;
  /** Path below the SCM's prefix, with the query (`/user/repos?per_page=100&page=1`). */
  path: string;
  authorization: string;
  body: Json;
}

/** A canned answer. */
export interface Reply {
  status: number;
  json?: Json;
  headers?: Record<string, string>;
  /** A body that is not JSON (raw files), sent instead of `json`. */
  text?: string;
  /** Drop the connection instead of answering. */
  hangUp?: boolean;
}

/** A webhook as the stand-in holds it: the request body that created it, and its id. */
export interface StoredHook {
  id: number;
  body: Json;
}

const fixtures = dirname(createRequire(import.meta.url).resolve('@octokit/fixtures/package.json'));

/** A recorded api.github.com exchange of @octokit/fixtures (`scenario`, `index`-th request). */
export function octokitFixture(
  scenario: string,
  index = 0,
): { status: number; response: Json; headers: Json } {
  const file = join(fixtures, 'scenarios', 'api.github.com', scenario, 'normalized-fixture.json');
  return JSON.parse(readFileSync(file, 'utf8'))[index];
}

/**
 * A GitHub repository as `GET /user/repos` lists it: the recorded `GET /repos/{o}/{n}` answer of
 * @octokit/fixtures (same object, with `permissions`), renamed to `slug` with id `id`.
 */
export function githubRepo(
  id: number,
  slug: string,
  permissions: { admin: boolean; push: boolean; pull: boolean },
  fields: Json = {},
): Json {
  const recorded = octokitFixture('get-repository').response;
  const [owner, name] = slug.split('/');
  const text = JSON.stringify(recorded)
    .replaceAll('octokit-fixture-org/hello-world', slug)
    .replaceAll('octokit-fixture-org', owner as string);
  const repo = JSON.parse(text);
  repo.id = id;
  repo.name = name;
  repo.permissions = {
    ...repo.permissions,
    ...permissions,
    maintain: permissions.admin,
    triage: permissions.push,
  };
  return { ...repo, ...fields };
}

/** A Gitea repository (swagger `Repository`, as `GET /api/v1/user/repos` lists it). */
export function giteaRepo(
  base: string,
  id: number,
  slug: string,
  permissions: { admin: boolean; push: boolean; pull: boolean },
  fields: Json = {},
): Json {
  const [owner, name] = slug.split('/');
  const host = new URL(base).host;
  return {
    id,
    owner: {
      id: 1,
      login: owner,
      full_name: '',
      email: `${owner}@example.com`,
      avatar_url: `${base}/avatars/1`,
      language: '',
      is_admin: false,
      username: owner,
    },
    name,
    full_name: slug,
    description: '',
    empty: false,
    private: true,
    fork: false,
    template: false,
    parent: null,
    mirror: false,
    size: 24,
    html_url: `${base}/${slug}`,
    ssh_url: `git@${host}:${slug}.git`,
    clone_url: `${base}/${slug}.git`,
    original_url: '',
    website: '',
    stars_count: 0,
    forks_count: 0,
    watchers_count: 1,
    open_issues_count: 0,
    open_pr_counter: 0,
    release_counter: 0,
    default_branch: 'main',
    archived: false,
    created_at: '2024-01-02T03:04:05Z',
    updated_at: '2024-01-02T03:04:05Z',
    permissions,
    has_issues: true,
    has_wiki: true,
    has_pull_requests: true,
    internal: false,
    mirror_interval: '',
    ...fields,
  };
}

/** A GitLab project (`GET /api/v4/projects?membership=true`), with the caller's access levels. */
export function gitlabProject(
  base: string,
  id: number,
  slug: string,
  access: { project?: number; group?: number },
  fields: Json = {},
): Json {
  const cut = slug.lastIndexOf('/');
  const namespace = slug.slice(0, cut);
  const path = slug.slice(cut + 1);
  const host = new URL(base).host;
  const level = (n: number | undefined) =>
    n === undefined ? null : { access_level: n, notification_level: 3 };
  return {
    id,
    description: null,
    name: path,
    name_with_namespace: `${namespace} / ${path}`,
    path,
    path_with_namespace: slug,
    created_at: '2024-01-02T03:04:05.000Z',
    default_branch: 'main',
    tag_list: [],
    topics: [],
    ssh_url_to_repo: `git@${host}:${slug}.git`,
    http_url_to_repo: `${base}/${slug}.git`,
    web_url: `${base}/${slug}`,
    readme_url: null,
    avatar_url: null,
    forks_count: 0,
    star_count: 0,
    last_activity_at: '2024-01-02T03:04:05.000Z',
    namespace: {
      id: 7,
      name: namespace,
      path: namespace,
      kind: 'group',
      full_path: namespace,
      parent_id: null,
    },
    visibility: 'private',
    archived: false,
    empty_repo: false,
    permissions: { project_access: level(access.project), group_access: level(access.group) },
    ...fields,
  };
}

/** A webhook as each SCM answers it (create and list), from the body that created it. */
function hookAnswer(scm: Scm, base: string, repoPath: string, hook: StoredHook): Json {
  const at = '2024-01-02T03:04:05Z';
  if (scm === 'github') {
    return {
      type: 'Repository',
      id: hook.id,
      name: 'web',
      active: hook.body.active ?? true,
      events: hook.body.events ?? ['push'],
      config: {
        content_type: hook.body.config?.content_type ?? 'form',
        insecure_ssl: hook.body.config?.insecure_ssl ?? '0',
        url: hook.body.config?.url,
        // GitHub never shows the secret back.
        ...(hook.body.config?.secret ? { secret: '********' } : {}),
      },
      updated_at: at,
      created_at: at,
      url: `${base}${repoPath}/${hook.id}`,
      test_url: `${base}${repoPath}/${hook.id}/test`,
      ping_url: `${base}${repoPath}/${hook.id}/pings`,
      deliveries_url: `${base}${repoPath}/${hook.id}/deliveries`,
      last_response: { code: null, status: 'unused', message: null },
    };
  }
  if (scm === 'gitea') {
    return {
      id: hook.id,
      type: hook.body.type ?? 'gitea',
      branch_filter: hook.body.branch_filter ?? '*',
      config: { url: hook.body.config?.url, content_type: hook.body.config?.content_type ?? 'json' },
      events: hook.body.events ?? ['push'],
      authorization_header: '',
      active: hook.body.active ?? true,
      updated_at: at,
      created_at: at,
    };
  }
  return {
    id: hook.id,
    url: hook.body.url,
    project_id: 3,
    push_events: hook.body.push_events ?? true,
    push_events_branch_filter: '',
    issues_events: false,
    confidential_issues_events: false,
    merge_requests_events: hook.body.merge_requests_events ?? false,
    tag_push_events: hook.body.tag_push_events ?? false,
    note_events: false,
    confidential_note_events: false,
    job_events: false,
    pipeline_events: false,
    wiki_page_events: false,
    deployment_events: false,
    releases_events: false,
    enable_ssl_verification: hook.body.enable_ssl_verification ?? true,
    created_at: at,
  };
}

type Handler = (req: Seen) => Reply | undefined;

/** The stand-in server. */
export class ScmStandIn {
  readonly seen: Seen[] = [];
  /** Webhooks by repository path (`/repos/acme/app/hooks`, `/projects/acme%2Fapp/hooks`) per SCM. */
  readonly hooks = new Map<string, StoredHook[]>();
  /** Answers tried before the built-in webhook API (return undefined to fall through). */
  handlers: Handler[] = [];
  base = '';
  private server: Server | undefined;
  private nextId = 100;

  async start(): Promise<void> {
    const server = createServer((req, res) => this.answer(req, res));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Where the server should find SCM `scm` (its HANGAR_*_API value). */
  api(scm: Scm): string {
    return `${this.base}/${scm}`;
  }

  /** Forgets requests, handlers and webhooks. */
  reset(): void {
    this.seen.length = 0;
    this.handlers = [];
    this.hooks.clear();
  }

  /** The requests received so far (and forgets them). */
  take(): Seen[] {
    return this.seen.splice(0, this.seen.length);
  }

  /** The webhooks of one repository (`key` as in `hooks`), under SCM `scm`. */
  hooksOf(scm: Scm, key: string): StoredHook[] {
    return this.hooks.get(`${scm} ${key}`) ?? [];
  }

  /** Adds a webhook as if someone had created it on the SCM. */
  addHook(scm: Scm, key: string, body: Json): StoredHook {
    const hook = { id: ++this.nextId, body };
    this.hooks.set(`${scm} ${key}`, [...this.hooksOf(scm, key), hook]);
    return hook;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      const url = req.url ?? '';
      const m = /^\/(github|gitea|gitlab)(\/.*)$/.exec(url);
      if (!m) {
        res.writeHead(404).end();
        return;
      }
      let body: Json;
      try {
        body = raw === '' ? undefined : JSON.parse(raw);
      } catch {
        body = raw;
      }
      const seen: Seen = {
        scm: m[1] as Scm,
        method: req.method ?? '',
        path: m[2] as string,
        authorization: String(req.headers.authorization ?? ''),
        body,
      };
      this.seen.push(seen);
      let reply: Reply | undefined;
      for (const h of this.handlers) {
        reply = h(seen);
        if (reply) break;
      }
      reply ??= this.hookApi(seen) ?? { status: 404, json: { message: 'Not Found' } };
      if (reply.hangUp) {
        req.socket.destroy();
        return;
      }
      const headers = { 'content-type': 'application/json; charset=utf-8', ...reply.headers };
      const out = reply.text ?? (reply.json === undefined ? '' : JSON.stringify(reply.json));
      res.writeHead(reply.status, headers).end(out);
    });
  }

  /** GitHub, Gitea and GitLab webhook endpoints: list, create, delete. */
  private hookApi(req: Seen): Reply | undefined {
    const path = req.path.split('?')[0] as string;
    const prefix = req.scm === 'gitea' ? '/api/v1' : req.scm === 'gitlab' ? '/api/v4' : '';
    if (!path.startsWith(prefix)) return undefined;
    const rest = path.slice(prefix.length);
    const m = /^(\/(?:repos\/[^/]+\/[^/]+|projects\/[^/]+)\/hooks)(?:\/(\d+))?$/.exec(rest);
    if (!m) return undefined;
    const key = m[1] as string;
    const base = `${this.api(req.scm)}${prefix}`;
    const list = this.hooksOf(req.scm, key);
    if (m[2] === undefined && req.method === 'GET') {
      return { status: 200, json: list.map((h) => hookAnswer(req.scm, base, key, h)) };
    }
    if (m[2] === undefined && req.method === 'POST') {
      const hook = this.addHook(req.scm, key, req.body);
      return { status: 201, json: hookAnswer(req.scm, base, key, hook) };
    }
    if (m[2] !== undefined && req.method === 'DELETE') {
      const id = Number(m[2]);
      if (!list.some((h) => h.id === id)) return { status: 404, json: { message: 'Not Found' } };
      this.hooks.set(
        `${req.scm} ${key}`,
        list.filter((h) => h.id !== id),
      );
      return { status: 204 };
    }
    return undefined;
  }
}
