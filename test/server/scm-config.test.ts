// The configuration of a hosted repository fetched at the commit from its SCM's API (issue 4):
// a real HTTP server on 127.0.0.1 stands in for the GitHub, Gitea and GitLab APIs and answers with
// the shapes those APIs send (GitHub's contents and blob JSON, Gitea's and GitLab's raw files); a
// signed corpus webhook goes through POST /hook of a real app configured with HANGAR_*_API and
// HANGAR_*_TOKEN, and the build gets the stages the fetched configuration selects. Asserted: the
// exact request (path, ref, token), the owner's token before the configured one, 404 → the
// "not found" error build, other answers and timeouts → clear error builds without any token.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { type App, createApp, createLogger } from '../../src/server/app.js';
import { newRepoKey, newToken } from '../../src/server/auth/tokens.js';
import { readServerConfig } from '../../src/server/config.js';
import { HttpConfigSource } from '../../src/server/scm/config-http.js';
import { ConfigFetchError } from '../../src/server/scm/content.js';
import { StatusRecorder } from '../../src/server/scm/status/status.js';
import { createSecretBox } from '../../src/server/secrets/box.js';
import { openStore, type Store } from '../../src/server/store/db.js';
import type { Repo } from '../../src/server/store/models.js';
import { listBuilds } from '../../src/server/store/queries/builds.js';
import { createRepo } from '../../src/server/store/queries/repos.js';
import { createUser, setUserToken } from '../../src/server/store/queries/users.js';
import { compatPath, compatSkip } from '../support/compat.js';
import { signatureHeaders } from './hooks-support.js';
import { pipeline, pipelines } from './trigger-support.js';

// biome-ignore lint/suspicious/noExplicitAny: corpus payloads are edited field by field
type Json = any;

const BEFORE = '1111111111111111111111111111111111111111';
const HEAD = '8b6f3a2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a';
const CONFIG = pipelines(
  pipeline('test', 'trigger:\n  event: [push, pull_request]'),
  pipeline('release', 'trigger:\n  event: [tag]'),
  pipeline('deploy', 'depends_on: [test]\ntrigger:\n  branch: [main]'),
);
const TOKENS = {
  github: 'gh-configured-secret',
  gitea: 'gitea-configured-secret',
  gitlab: 'gl-configured-secret',
};

interface Seen {
  method: string;
  path: string;
  authorization: string;
}

type Route = (req: IncomingMessage, res: ServerResponse) => void;

/** The stand-in SCM API: records every request; `routes` (by path without query) answer them. */
class FakeScm {
  readonly seen: Seen[] = [];
  readonly routes = new Map<string, Route>();
  private server: Server | undefined;
  base = '';

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const url = req.url ?? '';
      this.seen.push({
        method: req.method ?? '',
        path: url,
        authorization: String(req.headers.authorization ?? ''),
      });
      const route = this.routes.get(url.split('?')[0] ?? '');
      if (route) return route(req, res);
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  take(): Seen[] {
    return this.seen.splice(0, this.seen.length);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/** GitHub's answer to GET /repos/{o}/{n}/contents/{path}?ref= (its documented shape, base64 in 60-column lines). */
function githubContents(slug: string, path: string, text: string, sha: string): string {
  const content = (
    Buffer.from(text)
      .toString('base64')
      .match(/.{1,60}/g) ?? []
  ).join('\n');
  const api = `https://api.github.com/repos/${slug}`;
  return JSON.stringify({
    name: path.split('/').pop(),
    path,
    sha,
    size: Buffer.byteLength(text),
    url: `${api}/contents/${path}?ref=${HEAD}`,
    html_url: `https://github.com/${slug}/blob/${HEAD}/${path}`,
    git_url: `${api}/git/blobs/${sha}`,
    download_url: `https://raw.githubusercontent.com/${slug}/${HEAD}/${path}`,
    type: 'file',
    content: `${content}\n`,
    encoding: 'base64',
    _links: { self: `${api}/contents/${path}?ref=${HEAD}`, git: `${api}/git/blobs/${sha}`, html: '' },
  });
}

const json = (status: number, body: string): Route => {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(body);
  };
};
const raw = (text: string): Route => {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
  };
};

function corpus(...path: string[]): Json {
  return JSON.parse(readFileSync(compatPath('webhooks', ...path), 'utf8'));
}

function githubPush(repo: Repo): Json {
  const p = corpus('github', 'push.json');
  p.ref = 'refs/heads/main';
  p.before = BEFORE;
  p.after = HEAD;
  p.head_commit.id = HEAD;
  p.commits = [{ ...p.head_commit, id: HEAD, added: ['.drone.yml'], modified: [], removed: [] }];
  p.repository.owner.login = repo.namespace;
  p.repository.name = repo.name;
  p.repository.full_name = repo.slug;
  return p;
}

function giteaPush(repo: Repo): Json {
  const p = corpus('gitea', 'push.json');
  p.ref = 'refs/heads/main';
  p.before = BEFORE;
  p.after = HEAD;
  p.commits[0].id = HEAD;
  Object.assign(p.commits[0], { added: ['.drone.yml'], modified: [], removed: [] });
  p.repository.owner.username = repo.namespace;
  p.repository.owner.login = repo.namespace;
  p.repository.name = repo.name;
  p.repository.full_name = repo.slug;
  return p;
}

function gitlabPush(repo: Repo): Json {
  const p = corpus('gitlab', 'push.json');
  p.ref = 'refs/heads/main';
  p.before = BEFORE;
  p.after = HEAD;
  p.checkout_sha = HEAD;
  p.commits[0].id = HEAD;
  Object.assign(p.commits[0], { added: ['.drone.yml'], modified: [], removed: [] });
  p.project.path_with_namespace = repo.slug;
  return p;
}

const EVENT = {
  github: ['x-github-event', 'push', githubPush],
  gitea: ['x-gitea-event', 'push', giteaPush],
  gitlab: ['x-gitlab-event', 'Push Hook', gitlabPush],
} as const;
type Scm = keyof typeof EVENT;

const scm = new FakeScm();
let store: Store;
let app: App;
let dir = '';
let logText = '';
let seq = 0;

before(async () => {
  await scm.start();
  dir = await mkdtemp(join(tmpdir(), 'hangar-scm-config-'));
  store = await openStore(`sqlite:${join(dir, 'hangar.db')}`);
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logText += chunk.toString();
      cb();
    },
  });
  app = createApp({
    store,
    config: readServerConfig({
      HANGAR_DATA: dir,
      HANGAR_ADDR: '127.0.0.1:0',
      HANGAR_SERVER_HOST: 'ci.example.com',
      HANGAR_GITHUB_API: `${scm.base}/github`,
      HANGAR_GITHUB_TOKEN: TOKENS.github,
      HANGAR_GITEA_API: `${scm.base}/gitea/api/v1`,
      HANGAR_GITEA_TOKEN: TOKENS.gitea,
      HANGAR_GITLAB_API: `${scm.base}/gitlab`,
      HANGAR_GITLAB_TOKEN: TOKENS.gitlab,
    }),
    logger: createLogger('debug', sink),
    clock: { now: () => new Date() },
    box: createSecretBox(randomBytes(32)),
    version: '0.0.0-test',
    // Only the statuses are recorded: the configuration comes from the server's own wiring.
    scm: { status: new StatusRecorder({ link: 'https://ci.example.com' }) },
  });
  await app.ready();
});
after(async () => {
  await app?.close();
  await store?.close();
  await scm.stop();
  await rm(dir, { recursive: true, force: true });
});

let apiToken = '';

async function hostedRepo(provider: Scm, ownerToken: string): Promise<Repo> {
  seq += 1;
  const owner = await createUser(store.db, { login: `owner${seq}`, oauth_token: ownerToken, admin: true });
  apiToken = newToken();
  await setUserToken(store.db, owner.id, apiToken);
  return createRepo(store.db, {
    namespace: 'acme',
    name: `app-${seq}`,
    scm: provider,
    git_http_url: `https://${provider}.example.com/acme/app-${seq}.git`,
    default_branch: 'main',
    active: true,
    signer: newRepoKey(),
    secret: newRepoKey(),
    visibility: 'private',
    private: true,
    user_id: owner.id,
  });
}

async function deliver(provider: Scm, repo: Repo): Promise<{ status: number; json: Json }> {
  const [name, value, payload] = EVENT[provider];
  const body = JSON.stringify(payload(repo));
  const res = await app.inject({
    method: 'POST',
    url: '/hook',
    payload: body,
    headers: {
      'content-type': 'application/json',
      [name]: value,
      ...signatureHeaders(provider, body, repo.signer),
    },
  });
  return { status: res.statusCode, json: res.body === '' ? undefined : JSON.parse(res.body) };
}

/** The path each SCM's API is asked for the configuration of `repo` at HEAD. */
function configPath(provider: Scm, repo: Repo): string {
  switch (provider) {
    case 'github':
      return `/github/repos/${repo.slug}/contents/.drone.yml`;
    case 'gitea':
      return `/gitea/api/v1/repos/${repo.slug}/raw/.drone.yml`;
    case 'gitlab':
      return `/gitlab/api/v4/projects/acme%2F${repo.name}/repository/files/.drone.yml/raw`;
  }
}

function serveConfig(provider: Scm, repo: Repo, text: string): void {
  const path = configPath(provider, repo);
  if (provider === 'github') {
    scm.routes.set(path, json(200, githubContents(repo.slug, '.drone.yml', text, 'c0ffee'.padEnd(40, '0'))));
  } else scm.routes.set(path, raw(text));
}

describe('configuration from the SCM API', { skip: compatSkip() }, () => {
  for (const [provider, ownerToken] of [
    ['github', 'gho_owner-secret'],
    ['gitea', ''],
    ['gitlab', 'glpat-owner-secret'],
  ] as const) {
    test(`${provider} push: the configuration at the commit selects the stages`, async () => {
      const repo = await hostedRepo(provider, ownerToken);
      serveConfig(provider, repo, CONFIG);
      scm.take();
      const res = await deliver(provider, repo);
      assert.equal(res.status, 200, JSON.stringify(res.json));
      assert.equal(res.json.status, 'pending');
      assert.equal(res.json.after, HEAD);
      assert.deepEqual(
        res.json.stages.map((st: Json) => [st.name, st.status]),
        [
          ['test', 'pending'],
          ['deploy', 'waiting_on_dependencies'],
        ],
      );
      const seen = scm.take();
      assert.deepEqual(seen, [
        {
          method: 'GET',
          path: `${configPath(provider, repo)}?ref=${HEAD}`,
          // The owner's token first; the configured one when the owner has none.
          authorization: `Bearer ${ownerToken || TOKENS[provider]}`,
        },
      ]);
    });
  }

  test('a file GitHub sends without content (over 1 MB) is read from its blob', async () => {
    const repo = await hostedRepo('github', 'gho_owner-secret');
    const sha = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0';
    const large = JSON.parse(githubContents(repo.slug, '.drone.yml', '', sha));
    scm.routes.set(
      configPath('github', repo),
      json(200, JSON.stringify({ ...large, content: '', encoding: 'none' })),
    );
    scm.routes.set(
      `/github/repos/${repo.slug}/git/blobs/${sha}`,
      json(
        200,
        JSON.stringify({
          sha,
          node_id: 'B_kwDOAAAAAA',
          size: Buffer.byteLength(CONFIG),
          url: `https://api.github.com/repos/${repo.slug}/git/blobs/${sha}`,
          content: Buffer.from(CONFIG).toString('base64'),
          encoding: 'base64',
        }),
      ),
    );
    scm.take();
    const res = await deliver('github', repo);
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.json.stages.map((st: Json) => st.name),
      ['test', 'deploy'],
    );
    assert.deepEqual(
      scm.take().map((s) => [s.path, s.authorization]),
      [
        [`${configPath('github', repo)}?ref=${HEAD}`, 'Bearer gho_owner-secret'],
        [`/github/repos/${repo.slug}/git/blobs/${sha}`, 'Bearer gho_owner-secret'],
      ],
    );
  });

  for (const provider of ['github', 'gitea', 'gitlab'] as const) {
    test(`${provider}: no configuration file at the commit → the "not found" error build`, async () => {
      const repo = await hostedRepo(provider, '');
      scm.take();
      const res = await deliver(provider, repo);
      assert.equal(res.status, 200);
      assert.equal(res.json.status, 'error');
      assert.equal(res.json.error, `.drone.yml not found at ${HEAD.slice(0, 12)}`);
      assert.deepEqual(res.json.stages ?? [], []);
      assert.equal(scm.take().length, 1);
    });
  }

  test('an SCM that refuses or fails gives an error build naming the answer, never the token', async () => {
    const repo = await hostedRepo('github', 'gho_refused-secret');
    scm.routes.set(configPath('github', repo), json(401, '{"message":"Bad credentials"}'));
    const refused = await deliver('github', repo);
    assert.equal(refused.json.status, 'error');
    assert.equal(
      refused.json.error,
      `cannot fetch .drone.yml of ${repo.slug}: github answered 401 (check the SCM token)`,
    );
    const broken = await hostedRepo('gitlab', '');
    scm.routes.set(configPath('gitlab', broken), json(500, '{"message":"500 Internal Server Error"}'));
    const failed = await deliver('gitlab', broken);
    assert.equal(failed.json.status, 'error');
    assert.equal(failed.json.error, `cannot fetch .drone.yml of ${broken.slug}: gitlab answered 500`);
    const dir = await hostedRepo('github', '');
    scm.routes.set(configPath('github', dir), json(200, '[]'));
    const listing = await deliver('github', dir);
    assert.equal(listing.json.error, `cannot fetch .drone.yml of ${dir.slug}: it is not a file`);
    assert.equal((await listBuilds(store.db, repo.id))[0]?.status, 'error');
    for (const secret of ['gho_refused-secret', ...Object.values(TOKENS)]) {
      assert.ok(!logText.includes(secret), 'no token in the log');
      assert.ok(!JSON.stringify([refused.json, failed.json, listing.json]).includes(secret));
    }
  });
});

describe('HttpConfigSource', () => {
  const repo = { slug: 'acme/app', scm: 'gitea', config_path: '.ci/build.yml', user_id: 0 } as Repo;

  test('an SCM that does not answer in time', async () => {
    scm.routes.set('/slow/api/v1/repos/acme/app/raw/.ci/build.yml', () => {
      // Never answers; the stop closes the connection.
    });
    const source = new HttpConfigSource({
      endpoints: { gitea: `${scm.base}/slow` },
      tokens: { gitea: 'slow-secret' },
      timeoutMs: 200,
    });
    await assert.rejects(
      source.find(repo, { after: HEAD, ref: 'refs/heads/main', before: '' }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigFetchError);
        assert.equal(e.message, 'cannot fetch .ci/build.yml of acme/app: gitea did not answer within 0.2 s');
        return true;
      },
    );
  });

  test('an SCM that cannot be reached; the ref when there is no commit; no token, no header', async () => {
    const closed = new HttpConfigSource({ endpoints: { gitea: 'http://127.0.0.1:1' } });
    await assert.rejects(
      closed.find(repo, { after: HEAD, ref: '', before: '' }),
      /^ConfigFetchError: cannot fetch \.ci\/build\.yml of acme\/app: gitea cannot be reached/,
    );
    scm.routes.set('/open/api/v1/repos/acme/app/raw/.ci/build.yml', raw('kind: pipeline\n'));
    const open = new HttpConfigSource({ endpoints: { gitea: `${scm.base}/open` } });
    scm.take();
    assert.equal(await open.find(repo, { after: '', ref: 'refs/tags/v1.0', before: '' }), 'kind: pipeline\n');
    assert.deepEqual(scm.take(), [
      {
        method: 'GET',
        path: '/open/api/v1/repos/acme/app/raw/.ci/build.yml?ref=v1.0',
        authorization: '',
      },
    ]);
  });
});

const MESSAGE = 'ci: add the pipelines\n\nFetched from the SCM API.';
const DATE = '2026-11-20T09:30:00Z';

/** GitHub's GET /repos/{o}/{n}/commits/{ref} (its documented shape, trimmed of stats and files). */
function githubCommit(slug: string, message: string): string {
  const person = { name: 'Jane Doe', email: 'jane@example.com', date: DATE };
  const user = {
    login: 'jane',
    id: 583231,
    avatar_url: 'https://avatars.githubusercontent.com/u/583231?v=4',
    type: 'User',
  };
  return JSON.stringify({
    sha: HEAD,
    node_id: 'C_kwDOAAAAAA',
    commit: { author: person, committer: person, message, tree: { sha: BEFORE, url: '' }, comment_count: 0 },
    url: `https://api.github.com/repos/${slug}/commits/${HEAD}`,
    html_url: `https://github.com/${slug}/commit/${HEAD}`,
    comments_url: `https://api.github.com/repos/${slug}/commits/${HEAD}/comments`,
    author: user,
    committer: user,
    parents: [{ sha: BEFORE, url: '', html_url: '' }],
  });
}

/** GitLab's GET /projects/{id}/repository/commits/{ref}. */
function gitlabCommit(slug: string, message: string): string {
  return JSON.stringify({
    id: HEAD,
    short_id: HEAD.slice(0, 8),
    created_at: DATE,
    parent_ids: [BEFORE],
    title: message.split('\n')[0],
    message,
    author_name: 'Jane Doe',
    author_email: 'jane@example.com',
    authored_date: DATE,
    committer_name: 'Jane Doe',
    committer_email: 'jane@example.com',
    committed_date: DATE,
    trailers: {},
    web_url: `https://gitlab.example.com/${slug}/-/commit/${HEAD}`,
    stats: { additions: 12, deletions: 0, total: 12 },
    status: null,
    project_id: 42,
    last_pipeline: null,
  });
}

/** Gitea's GET /repos/{o}/{n}/branches/{b} and GET /repos/{o}/{n}/git/commits/{sha}. */
function giteaBranch(name: string): string {
  const who = { name: 'Jane Doe', email: 'jane@example.com', username: 'jane' };
  return JSON.stringify({
    name,
    commit: {
      id: HEAD,
      message: `${MESSAGE}\n`,
      url: '',
      author: who,
      committer: who,
      verification: null,
      timestamp: DATE,
    },
    protected: false,
    required_approvals: 0,
    enable_status_check: false,
    status_check_contexts: [],
    user_can_push: true,
    user_can_merge: true,
    effective_branch_protection_name: '',
  });
}
function giteaCommit(slug: string): string {
  const person = { name: 'Jane Doe', email: 'jane@example.com', date: DATE };
  return JSON.stringify({
    url: `https://gitea.example.com/api/v1/repos/${slug}/git/commits/${HEAD}`,
    sha: HEAD,
    created: DATE,
    html_url: `https://gitea.example.com/${slug}/commit/${HEAD}`,
    commit: {
      url: '',
      author: person,
      committer: person,
      message: `${MESSAGE}\n`,
      tree: { url: '', sha: BEFORE },
    },
    author: {
      id: 3,
      login: 'jane',
      full_name: 'Jane Doe',
      email: 'jane@example.com',
      avatar_url: 'https://gitea.example.com/avatars/3',
    },
    committer: null,
    parents: [{ url: '', sha: BEFORE }],
    files: [{ filename: '.drone.yml', status: 'added' }],
    stats: { total: 12, additions: 12, deletions: 0 },
  });
}

describe('commits from the SCM API', { skip: compatSkip() }, () => {
  test('github push whose payload has no message: the commit is fetched (message, author, skip directive)', async () => {
    const repo = await hostedRepo('github', 'gho_owner-secret');
    serveConfig('github', repo, CONFIG);
    const commitPath = `/github/repos/${repo.slug}/commits/${HEAD}`;
    const send = async () => {
      const p = githubPush(repo);
      p.head_commit.message = '';
      p.commits[0].message = '';
      const body = JSON.stringify(p);
      const res = await app.inject({
        method: 'POST',
        url: '/hook',
        payload: body,
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'push',
          ...signatureHeaders('github', body, repo.signer),
        },
      });
      return { status: res.statusCode, json: JSON.parse(res.body) };
    };
    scm.routes.set(commitPath, json(200, githubCommit(repo.slug, 'wip [skip ci]')));
    scm.take();
    const skipped = await send();
    assert.deepEqual([skipped.status, skipped.json], [200, null]);
    assert.deepEqual(
      scm.take().map((r) => [r.path, r.authorization]),
      [[commitPath, 'Bearer gho_owner-secret']],
    );

    scm.routes.set(commitPath, json(200, githubCommit(repo.slug, MESSAGE)));
    const built = await send();
    assert.equal(built.json.message, MESSAGE);
    assert.deepEqual(
      built.json.stages.map((st: Json) => st.name),
      ['test', 'deploy'],
    );
    assert.deepEqual(
      scm.take().map((r) => r.path),
      [commitPath, `${configPath('github', repo)}?ref=${HEAD}`],
    );
  });

  for (const provider of ['gitlab', 'gitea'] as const) {
    test(`${provider}: a custom build of a branch resolves its head through the API`, async () => {
      const repo = await hostedRepo(provider, '');
      serveConfig(provider, repo, CONFIG);
      const paths =
        provider === 'gitlab'
          ? [`/gitlab/api/v4/projects/acme%2F${repo.name}/repository/commits/main`]
          : [
              `/gitea/api/v1/repos/${repo.slug}/branches/main`,
              `/gitea/api/v1/repos/${repo.slug}/git/commits/${HEAD}`,
            ];
      if (provider === 'gitlab')
        scm.routes.set(paths[0] as string, json(200, gitlabCommit(repo.slug, MESSAGE)));
      else {
        scm.routes.set(paths[0] as string, json(200, giteaBranch('main')));
        scm.routes.set(paths[1] as string, json(200, giteaCommit(repo.slug)));
      }
      scm.take();
      const res = await app.inject({
        method: 'POST',
        url: `/api/repos/${repo.slug}/builds?branch=main`,
        headers: { authorization: `Bearer ${apiToken}` },
      });
      assert.equal(res.statusCode, 200, res.body);
      const build = JSON.parse(res.body);
      assert.equal(build.after, HEAD);
      assert.equal(build.ref, 'refs/heads/main');
      assert.equal(build.author_email, 'jane@example.com');
      assert.deepEqual(
        build.stages.map((st: Json) => st.name),
        // Event custom: only the pipeline triggered by the branch.
        ['deploy'],
      );
      assert.deepEqual(scm.take(), [
        ...paths.map((path) => ({ method: 'GET', path, authorization: `Bearer ${TOKENS[provider]}` })),
        {
          method: 'GET',
          path: `${configPath(provider, repo)}?ref=${HEAD}`,
          authorization: `Bearer ${TOKENS[provider]}`,
        },
      ]);
    });
  }

  test('a branch the SCM does not know: 404 from the API, no build', async () => {
    const repo = await hostedRepo('gitlab', '');
    const res = await app.inject({
      method: 'POST',
      url: `/api/repos/${repo.slug}/builds?branch=gone`,
      headers: { authorization: `Bearer ${apiToken}` },
    });
    assert.equal(res.statusCode, 404);
    assert.equal((await listBuilds(store.db, repo.id)).length, 0);
  });
});

/** GitHub's GET /repos/{o}/{n}/compare/{base}...{head} (its documented shape, trimmed). */
function githubCompare(slug: string, files: string[]): string {
  return JSON.stringify({
    url: `https://api.github.com/repos/${slug}/compare/${BEFORE}...${HEAD}`,
    html_url: `https://github.com/${slug}/compare/${BEFORE}...${HEAD}`,
    status: 'ahead',
    ahead_by: 21,
    behind_by: 0,
    total_commits: 21,
    commits: [],
    files: files.map((filename, i) => ({
      sha: `${i}`.padStart(40, 'a'),
      filename,
      status: 'modified',
      additions: 1,
      deletions: 0,
      changes: 1,
      blob_url: `https://github.com/${slug}/blob/${HEAD}/${filename}`,
      raw_url: `https://github.com/${slug}/raw/${HEAD}/${filename}`,
      contents_url: `https://api.github.com/repos/${slug}/contents/${filename}?ref=${HEAD}`,
      patch: '@@ -1 +1,2 @@',
    })),
  });
}

describe('changed files from the compare API', { skip: compatSkip() }, () => {
  test('a github push listing 20 commits (maybe cut short): the compare API gives the changed files', async () => {
    const repo = await hostedRepo('github', 'gho_owner-secret');
    serveConfig('github', repo, CONFIG);
    const comparePath = `/github/repos/${repo.slug}/compare/${BEFORE}...${HEAD}`;
    scm.routes.set(comparePath, json(200, githubCompare(repo.slug, ['src/a.js', 'docs/b.md', 'src/a.js'])));
    const push = async (before: string) => {
      const p = githubPush(repo);
      p.before = before;
      p.commits = Array.from({ length: 20 }, (_, i) => ({
        ...p.head_commit,
        id: i === 19 ? HEAD : `${i}`.padStart(40, 'c'),
      }));
      const body = JSON.stringify(p);
      const res = await app.inject({
        method: 'POST',
        url: '/hook',
        payload: body,
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'push',
          ...signatureHeaders('github', body, repo.signer),
        },
      });
      return JSON.parse(res.body);
    };
    scm.take();
    const built = await push(BEFORE);
    assert.equal(built.status, 'pending');
    const stored = (await listBuilds(store.db, repo.id)).find((b) => b.number === built.number);
    assert.deepEqual(stored?.changed_files, ['src/a.js', 'docs/b.md']);
    assert.deepEqual(
      scm.take().map((r) => [r.path, r.authorization]),
      [
        [comparePath, 'Bearer gho_owner-secret'],
        [`${configPath('github', repo)}?ref=${HEAD}`, 'Bearer gho_owner-secret'],
      ],
    );
    // A new branch has nothing to compare with.
    const fresh = await push('0'.repeat(40));
    assert.equal(fresh.status, 'pending');
    assert.deepEqual(
      scm.take().map((r) => r.path),
      [`${configPath('github', repo)}?ref=${HEAD}`],
    );
  });
});
