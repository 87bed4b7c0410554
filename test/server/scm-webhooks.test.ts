// Enabling a GitHub, Gitea or GitLab repository registers its webhook through the SCM's API
// (POST /api/repos/O/N; repair re-registers it, DELETE removes it), against a stand-in for the
// three APIs on 127.0.0.1 that keeps webhooks like the real ones. Asserted: what the stand-in
// received (URL, secret, events, token), that a hook to the same URL is replaced and others are
// left alone, that an SCM failure is a clear 4xx/502 and leaves the repository as it was, that
// local repositories still get their post-receive hook — and, end to end, that a push signed with
// the secret the SCM was given makes a build through /hook.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, beforeEach, test } from 'node:test';
import { sealOAuthToken } from '../../src/server/auth/oauth-token.js';
import { readServerConfig, type ServerConfig } from '../../src/server/config.js';
import type { Repo } from '../../src/server/store/models.js';
import { listBuilds } from '../../src/server/store/queries/builds.js';
import { findRepoBySlug } from '../../src/server/store/queries/repos.js';
import { compatPath, compatSkip } from '../support/compat.js';
import { serverTest, type TestServer, type TestUser } from './harness.js';
import { signatureHeaders } from './hooks-support.js';
import {
  giteaRepo,
  githubRepo,
  gitlabProject,
  type Json,
  octokitFixture,
  type Scm,
  ScmStandIn,
} from './scm-standin.js';
import { pipeline, pipelines } from './trigger-support.js';

const scm = new ScmStandIn();
let dir = '';
const deps: { config?: ServerConfig } = {};
/** A server that knows only Gitea's API. */
const giteaOnly: { config?: ServerConfig } = {};

const HOOK_URL = 'https://ci.example.com/hook';
const CONFIGURED = 'gh-configured-token-0123';

before(async () => {
  await scm.start();
  dir = await mkdtemp(join(tmpdir(), 'hangar-scm-hooks-'));
  const common = {
    HANGAR_DATA: dir,
    HANGAR_ADDR: '127.0.0.1:0',
    HANGAR_SERVER_PROTO: 'https',
    HANGAR_SERVER_HOST: 'ci.example.com',
  };
  deps.config = readServerConfig({
    ...common,
    HANGAR_GITHUB_API: scm.api('github'),
    HANGAR_GITHUB_TOKEN: CONFIGURED,
    HANGAR_GITEA_API: scm.api('gitea'),
    HANGAR_GITLAB_API: scm.api('gitlab'),
  });
  giteaOnly.config = readServerConfig({ ...common, HANGAR_GITEA_API: scm.api('gitea') });
});
after(async () => {
  await scm.stop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => scm.reset());

const t = (name: string, body: (s: TestServer) => Promise<void>) => serverTest(name, body, deps);

const ADMIN = { admin: true, push: true, pull: true };

/** Syncs `user`'s single repository `slug` from `provider` (admin there), so they may enable it. */
async function synced(s: TestServer, provider: Scm, slug: string, user: TestUser): Promise<Repo> {
  const entry =
    provider === 'github'
      ? githubRepo(42, slug, ADMIN)
      : provider === 'gitea'
        ? giteaRepo(scm.api('gitea'), 42, slug, ADMIN)
        : gitlabProject(scm.api('gitlab'), 42, slug, { project: 40 });
  const listing = { github: '/user/repos', gitea: '/api/v1/user/repos', gitlab: '/api/v4/projects' }[
    provider
  ];
  scm.handlers = [(req) => (req.path.split('?')[0] === listing ? { status: 200, json: [entry] } : undefined)];
  const res = await s.call('POST', `/api/user/repos?scm=${provider}`, { token: user.token });
  assert.equal(res.status, 200, res.body);
  scm.handlers = [];
  scm.take();
  return (await findRepoBySlug(s.db, slug)) as Repo;
}

/** How the stand-in files a repository's webhooks (the path below the API root). */
const hooksKey = (provider: Scm, slug: string) =>
  provider === 'gitlab' ? `/projects/${encodeURIComponent(slug)}/hooks` : `/repos/${slug}/hooks`;

/** GitHub's answer to GET /repos/{o}/{n}/contents/{path} (its documented shape). */
function githubContents(slug: string, path: string, text: string): Json {
  return {
    name: path,
    path,
    sha: '3d21ec53a331a6f037a91c368710b99387d012c1',
    size: Buffer.byteLength(text),
    url: `https://api.github.com/repos/${slug}/contents/${path}`,
    html_url: `https://github.com/${slug}/blob/main/${path}`,
    git_url: `https://api.github.com/repos/${slug}/git/blobs/3d21ec53a331a6f037a91c368710b99387d012c1`,
    download_url: `https://raw.githubusercontent.com/${slug}/main/${path}`,
    type: 'file',
    content: `${Buffer.from(text).toString('base64')}\n`,
    encoding: 'base64',
    _links: { self: '', git: '', html: '' },
  };
}

/** A push to main of GitHub's own example payload (@octokit/webhooks-examples), aimed at `slug`. */
function githubPush(slug: string, after: string): Json {
  const defs = createRequire(import.meta.url)('@octokit/webhooks-examples') as {
    name: string;
    examples: Json[];
  }[];
  const example = structuredClone(
    (defs.find((d) => d.name === 'push')?.examples ?? []).find((e) => e.ref === 'refs/heads/master'),
  );
  const [owner, name] = slug.split('/');
  example.ref = 'refs/heads/main';
  example.after = after;
  example.head_commit = {
    ...example.head_commit,
    id: after,
    added: ['.drone.yml'],
    modified: [],
    removed: [],
  };
  example.commits = [example.head_commit];
  example.repository.name = name;
  example.repository.full_name = slug;
  example.repository.owner.login = owner;
  example.repository.owner.name = owner;
  return example;
}

t('GitHub: enabling registers the webhook with the repo secret; a push signed with it builds', async (s) => {
  const me = await s.user(undefined, { oauth_token: sealOAuthToken(s.box, 'gho_enabler_token') });
  await synced(s, 'github', 'acme/app', me);
  const on = await s.call('POST', '/api/repos/acme/app', { token: me.token });
  assert.equal(on.status, 200, on.body);
  assert.equal(on.json.active, true);
  assert.equal(on.json.signer, undefined, 'the secret is never shown');
  const repo = (await findRepoBySlug(s.db, 'acme/app')) as Repo;
  assert.equal(repo.user_id, me.user.id);
  assert.equal(repo.signer.length, 32);

  const seen = scm.take();
  assert.deepEqual(
    seen.map((r) => `${r.method} ${r.path.split('?')[0]}`),
    ['GET /repos/acme/app/hooks', 'POST /repos/acme/app/hooks'],
  );
  for (const r of seen) assert.equal(r.authorization, 'Bearer gho_enabler_token');
  assert.deepEqual(seen[1]?.body, {
    name: 'web',
    active: true,
    events: ['create', 'delete', 'deployment', 'pull_request', 'push'],
    config: { url: HOOK_URL, content_type: 'json', secret: repo.signer, insecure_ssl: '0' },
  });

  // The SCM now delivers a push signed with the secret it was given.
  const secret = scm.hooksOf('github', '/repos/acme/app/hooks')[0]?.body.config.secret as string;
  const head = '7f3c9b1e2d4a5f6e7d8c9b0a1f2e3d4c5b6a7980';
  scm.handlers.push((req) =>
    req.path === `/repos/acme/app/contents/.drone.yml?ref=${head}`
      ? { status: 200, json: githubContents('acme/app', '.drone.yml', pipelines(pipeline('test'))) }
      : undefined,
  );
  const body = JSON.stringify(githubPush('acme/app', head));
  const hook = await s.call('POST', '/hook', {
    payload: body,
    headers: { 'x-github-event': 'push', ...signatureHeaders('github', body, secret) },
  });
  assert.equal(hook.status, 200, hook.body);
  assert.equal(hook.json.number, 1);
  assert.equal(hook.json.event, 'push');
  assert.equal(hook.json.after, head);
  const builds = await listBuilds(s.db, repo.id);
  assert.equal(builds.length, 1);
  assert.equal(builds[0]?.status, 'pending');
  const read = scm.take().find((r) => r.path.includes('/contents/'));
  assert.equal(
    read?.authorization,
    'Bearer gho_enabler_token',
    "the configuration is read with the owner's token",
  );
  // Signed with anything else: refused.
  const forged = await s.call('POST', '/hook', {
    payload: body,
    headers: {
      'x-github-event': 'push',
      ...signatureHeaders('github', body, 'not-the-secret-0123456789abcdef'),
    },
  });
  assert.equal(forged.status, 400);
  assert.doesNotMatch(s.logs(), new RegExp(`${repo.signer}|gho_enabler_token`), 'no secret in the logs');
});

t('a hook to the same URL is replaced, others stay; repair re-creates it; disable removes it', async (s) => {
  const me = await s.user(undefined, { oauth_token: sealOAuthToken(s.box, 'gho_owner_token') });
  await synced(s, 'github', 'acme/hooked', me);
  const key = hooksKey('github', 'acme/hooked');
  const stale = scm.addHook('github', key, { name: 'web', config: { url: `${HOOK_URL}/`, secret: 'old' } });
  const other = scm.addHook('github', key, { name: 'web', config: { url: 'https://chat.example.com/hook' } });

  assert.equal((await s.call('POST', '/api/repos/acme/hooked', { token: me.token })).status, 200);
  assert.deepEqual(
    scm.take().map((r) => `${r.method} ${r.path.split('?')[0]}`),
    [
      'GET /repos/acme/hooked/hooks',
      `DELETE /repos/acme/hooked/hooks/${stale.id}`,
      'POST /repos/acme/hooked/hooks',
    ],
  );
  const ours = () => scm.hooksOf('github', key).filter((h) => h.body.config.url === HOOK_URL);
  assert.equal(ours().length, 1);
  assert.ok(
    scm.hooksOf('github', key).some((h) => h.id === other.id),
    "another service's hook stays",
  );

  // Someone deleted the hook at the SCM by hand: repair puts it back.
  scm.hooks.set(`github ${key}`, [other]);
  const repaired = await s.call('POST', '/api/repos/acme/hooked/repair', { token: me.token });
  assert.equal(repaired.status, 200, repaired.body);
  assert.equal(ours().length, 1);
  const signer = (await findRepoBySlug(s.db, 'acme/hooked'))?.signer;
  assert.equal(ours()[0]?.body.config.secret, signer);
  // Repairing again still leaves one.
  assert.equal((await s.call('POST', '/api/repos/acme/hooked/repair', { token: me.token })).status, 200);
  assert.equal(ours().length, 1);

  scm.take();
  const current = ours()[0]?.id;
  const off = await s.call('DELETE', '/api/repos/acme/hooked', { token: me.token });
  assert.equal(off.status, 200);
  assert.equal(off.json.active, false);
  assert.deepEqual(
    scm.take().map((r) => `${r.method} ${r.path.split('?')[0]}`),
    ['GET /repos/acme/hooked/hooks', `DELETE /repos/acme/hooked/hooks/${current}`],
  );
  assert.deepEqual(scm.hooksOf('github', key), [other]);
});

t(
  'an SCM failure fails the activation with a clear message and leaves the repository as it was',
  async (s) => {
    const me = await s.user(undefined, { oauth_token: sealOAuthToken(s.box, 'gho_failing_token') });
    const before = await synced(s, 'github', 'acme/locked', me);
    const attempt = async (reply: Parameters<typeof scm.handlers.push>[0]) => {
      scm.handlers = [reply];
      const res = await s.call('POST', '/api/repos/acme/locked', { token: me.token });
      assert.deepEqual(await findRepoBySlug(s.db, 'acme/locked'), before, 'repository unchanged');
      assert.doesNotMatch(res.body, /gho_failing_token/);
      return res;
    };
    // GitHub's answer to a token without admin rights on the repository.
    const denied = await attempt((req) =>
      req.method === 'POST'
        ? {
            status: 403,
            json: {
              message: 'Must have admin rights to Repository.',
              documentation_url: 'https://docs.github.com/rest/repos/webhooks#create-a-repository-webhook',
            },
          }
        : undefined,
    );
    assert.equal(denied.status, 403);
    assert.equal(
      denied.json.message,
      'cannot create the webhook of acme/locked: github answered 403: Must have admin rights to Repository. (the SCM token lacks the rights for this)',
    );
    // A validation error, in the shape @octokit/fixtures recorded for one.
    const recorded = octokitFixture('errors');
    const invalid = await attempt((req) =>
      req.method === 'POST' ? { status: recorded.status, json: recorded.response } : undefined,
    );
    assert.equal(invalid.status, 400);
    assert.equal(
      invalid.json.message,
      'cannot create the webhook of acme/locked: github answered 422: Validation Failed: Label color invalid',
    );
    const down = await attempt(() => ({ status: 0, hangUp: true }));
    assert.equal(down.status, 502);
    assert.match(down.json.message, /^cannot create the webhook of acme\/locked: github cannot be reached/);
    const unknown = await attempt(() => ({ status: 404, json: { message: 'Not Found' } }));
    assert.equal(unknown.status, 404);
    assert.match(unknown.json.message, /^cannot create the webhook of acme\/locked: github answered 404/);

    // A repository enabled for the first time (created by the call) is not left behind.
    scm.handlers = [() => ({ status: 0, hangUp: true })];
    const fresh = await s.call('POST', `/api/repos/${me.user.login}/new-app`, {
      token: me.token,
      body: { scm: 'github', git_http_url: `https://github.com/${me.user.login}/new-app.git` },
    });
    assert.equal(fresh.status, 502);
    assert.equal(await findRepoBySlug(s.db, `${me.user.login}/new-app`), undefined);
  },
);

t(
  'disabling succeeds when the SCM cannot remove the hook (an inactive repo ignores its events)',
  async (s) => {
    const me = await s.user(undefined, { oauth_token: sealOAuthToken(s.box, 'gho_leaving_token') });
    await synced(s, 'github', 'acme/leaving', me);
    assert.equal((await s.call('POST', '/api/repos/acme/leaving', { token: me.token })).status, 200);
    scm.handlers = [() => ({ status: 500, json: { message: 'Server Error' } })];
    const off = await s.call('DELETE', '/api/repos/acme/leaving', { token: me.token });
    assert.equal(off.status, 200);
    assert.equal((await findRepoBySlug(s.db, 'acme/leaving'))?.active, false);
    assert.match(s.logs(), /webhook not removed from the SCM/);
  },
);

t('a user without an SCM token enables with the configured one (HANGAR_GITHUB_TOKEN)', async (s) => {
  const repo = await s.repo({ namespace: 'acme', name: 'bot', scm: 'github', active: false, signer: '' });
  const on = await s.call('POST', `/api/repos/${repo.slug}`, { token: s.admin.token });
  assert.equal(on.status, 200, on.body);
  const seen = scm.take();
  assert.ok(seen.length > 0);
  for (const r of seen) assert.equal(r.authorization, `Bearer ${CONFIGURED}`);
});

t('Gitea: the webhook is a gitea hook with Drone events, removed on disable', async (s) => {
  const me = await s.user(undefined, { oauth_token: sealOAuthToken(s.box, 'gitea_enabler_token') });
  await synced(s, 'gitea', 'team/svc', me);
  const on = await s.call('POST', '/api/repos/team/svc', { token: me.token });
  assert.equal(on.status, 200, on.body);
  const repo = (await findRepoBySlug(s.db, 'team/svc')) as Repo;
  const seen = scm.take();
  assert.deepEqual(
    seen.map((r) => `${r.method} ${r.path}`),
    ['GET /api/v1/repos/team/svc/hooks?limit=50&page=1', 'POST /api/v1/repos/team/svc/hooks'],
  );
  for (const r of seen) assert.equal(r.authorization, 'Bearer gitea_enabler_token');
  assert.deepEqual(seen[1]?.body, {
    type: 'gitea',
    active: true,
    branch_filter: '*',
    events: ['create', 'delete', 'pull_request', 'push'],
    config: { url: HOOK_URL, content_type: 'json', secret: repo.signer },
  });
  const id = scm.hooksOf('gitea', hooksKey('gitea', 'team/svc'))[0]?.id;
  assert.equal((await s.call('DELETE', '/api/repos/team/svc', { token: me.token })).status, 200);
  assert.deepEqual(
    scm.take().map((r) => `${r.method} ${r.path.split('?')[0]}`),
    ['GET /api/v1/repos/team/svc/hooks', `DELETE /api/v1/repos/team/svc/hooks/${id}`],
  );
  assert.deepEqual(scm.hooksOf('gitea', hooksKey('gitea', 'team/svc')), []);
});

t('GitLab: the project hook carries the secret as its token and the push, tag and MR events', async (s) => {
  const me = await s.user(undefined, { oauth_token: sealOAuthToken(s.box, 'glpat-enabler') });
  await synced(s, 'gitlab', 'group/app', me);
  const on = await s.call('POST', '/api/repos/group/app', { token: me.token });
  assert.equal(on.status, 200, on.body);
  const repo = (await findRepoBySlug(s.db, 'group/app')) as Repo;
  const seen = scm.take();
  assert.deepEqual(
    seen.map((r) => `${r.method} ${r.path}`),
    ['GET /api/v4/projects/group%2Fapp/hooks?per_page=100&page=1', 'POST /api/v4/projects/group%2Fapp/hooks'],
  );
  for (const r of seen) assert.equal(r.authorization, 'Bearer glpat-enabler');
  assert.deepEqual(seen[1]?.body, {
    url: HOOK_URL,
    token: repo.signer,
    enable_ssl_verification: true,
    push_events: true,
    tag_push_events: true,
    merge_requests_events: true,
  });
  // Enabling again replaces it (GitLab lists hooks by `url`).
  assert.equal((await s.call('POST', '/api/repos/group/app', { token: me.token })).status, 200);
  assert.equal(scm.hooksOf('gitlab', hooksKey('gitlab', 'group/app')).length, 1);
  assert.equal((await s.call('DELETE', '/api/repos/group/app', { token: me.token })).status, 200);
  assert.deepEqual(scm.hooksOf('gitlab', hooksKey('gitlab', 'group/app')), []);
});

t('local repositories still get their post-receive hook, and nothing goes to an SCM', async (s) => {
  const bare = join(dir, `local-${Date.now()}.git`);
  await promisify(execFile)('git', ['init', '--bare', '-q', bare]);
  // Paths on the server's machine are registered by system administrators.
  const me = await s.user(undefined, { admin: true });
  const on = await s.call('POST', `/api/repos/${me.user.login}/mirror`, {
    token: me.token,
    body: { scm: 'local', uid: bare, git_http_url: bare },
  });
  assert.equal(on.status, 200, on.body);
  assert.ok(existsSync(join(bare, 'hooks', 'post-receive')));
  // A GitHub-named repository read from this machine is local too.
  const mirror = await s.repo({ namespace: 'acme', name: 'local-gh', scm: 'github', git_http_url: bare }, me);
  assert.equal((await s.call('POST', `/api/repos/${mirror.slug}`, { token: me.token })).status, 200);
  assert.deepEqual(scm.take(), []);
});

serverTest(
  'a hosted repository whose SCM has no API configured cannot be enabled, and the message says what to set',
  async (s) => {
    const repo = await s.repo({ namespace: 'acme', name: 'nowhere', scm: 'github', active: false });
    const on = await s.call('POST', `/api/repos/${repo.slug}`, { token: s.admin.token });
    assert.equal(on.status, 400);
    assert.equal(
      on.json.message,
      'cannot create the webhook of acme/nowhere: no github API is configured (set HANGAR_GITHUB_API and HANGAR_GITHUB_TOKEN)',
    );
    assert.equal((await findRepoBySlug(s.db, repo.slug))?.active, false);
    // Gitea is configured, but this user has no token and there is no configured one.
    const me = await s.user();
    const gitea = await s.repo({ namespace: me.user.login, name: 'g', scm: 'gitea', active: false }, me);
    const refused = await s.call('POST', `/api/repos/${gitea.slug}`, { token: me.token });
    assert.equal(refused.status, 400);
    assert.match(refused.json.message, /has no gitea token and HANGAR_GITEA_TOKEN is not set$/);
  },
  giteaOnly,
);

/** A corpus push (Gitea's or GitLab's real payload) to main of `slug` at `head`, adding `.drone.yml`. */
function corpusPush(provider: 'gitea' | 'gitlab', slug: string, head: string): Json {
  const p = JSON.parse(readFileSync(compatPath('webhooks', provider, 'push.json'), 'utf8'));
  const [owner, name] = slug.split('/');
  p.ref = 'refs/heads/main';
  p.before = '1111111111111111111111111111111111111111';
  p.after = head;
  p.commits[0].id = head;
  Object.assign(p.commits[0], { added: ['.drone.yml'], modified: [], removed: [] });
  if (provider === 'gitlab') {
    p.checkout_sha = head;
    p.project.path_with_namespace = slug;
  } else {
    Object.assign(p.repository.owner, { login: owner, username: owner });
    Object.assign(p.repository, { name, full_name: slug });
  }
  return p;
}

for (const provider of ['gitea', 'gitlab'] as const) {
  const name = `${provider}: a push signed with the secret the SCM was given builds (corpus payload through /hook)`;
  if (compatSkip()) {
    test(name, { skip: compatSkip() }, () => {});
    continue;
  }
  t(name, async (s) => {
    const me = await s.user(undefined, { oauth_token: sealOAuthToken(s.box, `${provider}-owner-token`) });
    const slug = 'team/built';
    await synced(s, provider, slug, me);
    assert.equal((await s.call('POST', `/api/repos/${slug}`, { token: me.token })).status, 200);
    const hook = scm.hooksOf(provider, hooksKey(provider, slug))[0]?.body;
    const secret = (provider === 'gitlab' ? hook?.token : hook?.config?.secret) as string;
    assert.equal(secret, (await findRepoBySlug(s.db, slug))?.signer);

    const head = '5d2a7f0c9b8e7d6c5b4a39281706f5e4d3c2b1a0';
    const raw =
      provider === 'gitea'
        ? `/api/v1/repos/${slug}/raw/.drone.yml?ref=${head}`
        : `/api/v4/projects/${encodeURIComponent(slug)}/repository/files/.drone.yml/raw?ref=${head}`;
    const config = pipelines(pipeline('test'));
    scm.handlers.push((req) =>
      req.path === raw
        ? { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, text: config }
        : undefined,
    );
    const body = JSON.stringify(corpusPush(provider, slug, head));
    const res = await s.call('POST', '/hook', {
      payload: body,
      headers: {
        [provider === 'gitea' ? 'x-gitea-event' : 'x-gitlab-event']:
          provider === 'gitea' ? 'push' : 'Push Hook',
        ...signatureHeaders(provider, body, secret),
      },
    });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json.number, 1);
    assert.equal(res.json.after, head);
    const read = scm.take().find((r) => r.path === raw);
    assert.equal(read?.authorization, `Bearer ${provider}-owner-token`);
  });
}
