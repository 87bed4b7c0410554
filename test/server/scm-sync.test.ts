// Repository sync from the SCM (POST /api/user/repos, syncUserRepos): a stand-in for the GitHub,
// Gitea and GitLab APIs on 127.0.0.1 answers the repository listings with recorded (GitHub,
// @octokit/fixtures) and documented (Gitea, GitLab) shapes. Asserted: what the stand-in received
// (the user's own token, the listing query, every page), the repos and perms Hangar stored and
// how a second sync updates, renames and revokes them, that authorization follows the synced
// permission, and that an SCM failure is a clear error that changes nothing.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach } from 'node:test';
import { sealOAuthToken } from '../../src/server/auth/oauth-token.js';
import { readServerConfig, type ServerConfig } from '../../src/server/config.js';
import { syncUserRepos } from '../../src/server/scm/sync.js';
import type { Repo } from '../../src/server/store/models.js';
import { findPerm, listPermsOfRepo } from '../../src/server/store/queries/perms.js';
import { createRepo, findRepo, findRepoBySlug } from '../../src/server/store/queries/repos.js';
import { findUser } from '../../src/server/store/queries/users.js';
import { serverTest, type TestServer } from './harness.js';
import {
  giteaRepo,
  githubRepo,
  gitlabProject,
  type Json,
  octokitFixture,
  ScmStandIn,
  type Seen,
} from './scm-standin.js';

const scm = new ScmStandIn();
let dir = '';
const deps: { config?: ServerConfig } = {};

before(async () => {
  await scm.start();
  dir = await mkdtemp(join(tmpdir(), 'hangar-scm-sync-'));
  // Every SCM configured, none with a server-wide token: a sync can only use the user's own.
  deps.config = readServerConfig({
    HANGAR_DATA: dir,
    HANGAR_ADDR: '127.0.0.1:0',
    HANGAR_SERVER_HOST: 'ci.example.com',
    HANGAR_GITHUB_API: scm.api('github'),
    HANGAR_GITEA_API: scm.api('gitea'),
    HANGAR_GITLAB_API: scm.api('gitlab'),
  });
});
after(async () => {
  await scm.stop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => scm.reset());

/** A test on a fresh server (SQLite, and PostgreSQL when configured) wired to the stand-in. */
const t = (name: string, body: (s: TestServer) => Promise<void>) => serverTest(name, body, deps);

const ADMIN = { admin: true, push: true, pull: true };
const PUSH = { admin: false, push: true, pull: true };
const PULL = { admin: false, push: false, pull: true };

/** GitHub's /user/repos in pages of `size`, linked as api.github.com links them (recorded Link format). */
function githubListing(repos: Json[], size: number): void {
  const pages = Math.max(1, Math.ceil(repos.length / size));
  scm.handlers.push((req) => {
    const url = new URL(req.path, 'http://x');
    if (req.scm !== 'github' || req.method !== 'GET' || url.pathname !== '/user/repos') return undefined;
    const page = Number(url.searchParams.get('page') ?? '1');
    const link = (p: number, rel: string) =>
      `<${scm.api('github')}/user/repos?per_page=${size}&page=${p}>; rel="${rel}"`;
    const rels = [];
    if (page > 1) rels.push(link(page - 1, 'prev'));
    if (page < pages) rels.push(link(page + 1, 'next'), link(pages, 'last'));
    if (page > 1) rels.push(link(1, 'first'));
    const headers = {
      ...octokitFixture('paginate-issues').headers,
      'content-length': undefined,
    } as Record<string, string>;
    delete headers['content-length'];
    if (rels.length > 0) headers.link = rels.join(', ');
    else delete headers.link;
    return { status: 200, json: repos.slice((page - 1) * size, page * size), headers };
  });
}

/** A user with an SCM token, stored sealed as sign-in stores it. */
async function scmUser(s: TestServer, token: string) {
  return s.user(undefined, { oauth_token: sealOAuthToken(s.box, token) });
}

const alice = (s: TestServer) => scmUser(s, 'gho_alice_0123456789');

const sync = (s: TestServer, token: string, q = '?scm=github') =>
  s.call('POST', `/api/user/repos${q}`, { token });

const paths = (seen: Seen[]) => seen.map((r) => `${r.scm} ${r.method} ${r.path}`);

t('GitHub: every page of /user/repos with the user own token becomes repos and perms', async (s) => {
  const me = await alice(s);
  const repos = [
    githubRepo(101, 'acme/api', ADMIN),
    githubRepo(102, 'acme/web', PUSH, { private: true, visibility: 'private' }),
    githubRepo(103, 'acme/docs', PULL),
    githubRepo(104, 'alice/dotfiles', ADMIN, {
      private: true,
      visibility: 'private',
      default_branch: 'trunk',
    }),
    githubRepo(105, 'acme/internal', PULL, { private: true, visibility: 'internal', archived: true }),
  ];
  githubListing(repos, 2);
  const res = await sync(s, me.token);
  assert.equal(res.status, 200, res.body);
  assert.deepEqual(
    res.json.map((r: Json) => r.slug),
    ['acme/api', 'acme/docs', 'acme/internal', 'acme/web', 'alice/dotfiles'],
  );
  // The stand-in saw go-scm's query, then followed the Link header page after page.
  const seen = scm.take();
  assert.deepEqual(paths(seen), [
    'github GET /user/repos?visibility=all&affiliation=owner,collaborator,organization_member&per_page=100&page=1',
    'github GET /user/repos?per_page=2&page=2',
    'github GET /user/repos?per_page=2&page=3',
  ]);
  for (const r of seen) assert.equal(r.authorization, 'Bearer gho_alice_0123456789');

  const web = (await findRepoBySlug(s.db, 'acme/web')) as Repo;
  assert.equal(web.uid, '102');
  assert.equal(web.scm, 'github');
  assert.equal(web.active, false, 'inactive until enabled');
  assert.equal(web.user_id, 0, 'nobody owns it before it is enabled');
  assert.equal(web.git_http_url, 'https://github.com/acme/web.git');
  assert.equal(web.git_ssh_url, 'git@github.com:acme/web.git');
  assert.equal(web.link, 'https://github.com/acme/web');
  assert.equal(web.default_branch, 'master');
  assert.equal(web.private, true);
  assert.equal(web.visibility, 'private');
  assert.equal(web.signer, '', 'no webhook secret before activation');
  const dot = (await findRepoBySlug(s.db, 'alice/dotfiles')) as Repo;
  assert.equal(dot.default_branch, 'trunk');
  const internal = (await findRepoBySlug(s.db, 'acme/internal')) as Repo;
  assert.equal(internal.visibility, 'internal');
  assert.equal(internal.archived, true);
  assert.equal((await findRepoBySlug(s.db, 'acme/docs'))?.visibility, 'public');

  const perm = async (slug: string) => {
    const repo = (await findRepoBySlug(s.db, slug)) as Repo;
    const p = await findPerm(s.db, me.user.id, repo.id);
    return p && { read: p.read, write: p.write, admin: p.admin, synced: p.synced > 0 };
  };
  assert.deepEqual(await perm('acme/api'), { read: true, write: true, admin: true, synced: true });
  assert.deepEqual(await perm('acme/web'), { read: true, write: true, admin: false, synced: true });
  assert.deepEqual(await perm('acme/docs'), { read: true, write: false, admin: false, synced: true });

  const user = await findUser(s.db, me.user.id);
  assert.equal(user?.syncing, false);
  assert.ok((user?.synced ?? 0) > 0, 'synced time set');
  assert.doesNotMatch(res.body + s.logs(), /gho_alice_0123456789/, 'the SCM token is never shown or logged');
});

t('a second sync updates permissions, follows renames and revokes lost repositories', async (s) => {
  const me = await alice(s);
  githubListing(
    [
      githubRepo(201, 'acme/one', ADMIN),
      githubRepo(202, 'acme/two', PUSH),
      githubRepo(203, 'acme/three', PULL),
    ],
    100,
  );
  assert.equal((await sync(s, me.token)).status, 200);
  const one = (await findRepoBySlug(s.db, 'acme/one')) as Repo;
  const two = (await findRepoBySlug(s.db, 'acme/two')) as Repo;
  const three = (await findRepoBySlug(s.db, 'acme/three')) as Repo;
  // Another user's perm on acme/three and the user's perm on a local repository stay.
  const bob = await s.user();
  await s.grant(bob, three, 'read');
  const local = await s.repo(
    { namespace: me.user.login, name: 'mirror', scm: 'local', git_http_url: dir },
    me,
  );

  scm.reset();
  // Now: admin taken away on one, two renamed (same id), three gone.
  githubListing([githubRepo(201, 'acme/one', PULL), githubRepo(202, 'acme/two-renamed', PUSH)], 100);
  const res = await sync(s, me.token);
  assert.equal(res.status, 200, res.body);
  assert.deepEqual(
    res.json.map((r: Json) => r.slug),
    ['acme/one', 'acme/two-renamed', local.slug],
  );
  const p1 = await findPerm(s.db, me.user.id, one.id);
  assert.deepEqual([p1?.read, p1?.write, p1?.admin], [true, false, false]);
  const renamed = (await findRepo(s.db, two.id)) as Repo;
  assert.equal(renamed.slug, 'acme/two-renamed');
  assert.equal(renamed.name, 'two-renamed');
  assert.equal(renamed.git_http_url, 'https://github.com/acme/two-renamed.git');
  assert.equal(await findRepoBySlug(s.db, 'acme/two'), undefined);
  assert.ok(await findPerm(s.db, me.user.id, two.id), 'the renamed repo keeps the perm');
  assert.equal(await findPerm(s.db, me.user.id, three.id), undefined, 'lost access: perm gone');
  assert.ok(await findRepo(s.db, three.id), 'the repo itself stays');
  assert.deepEqual(
    (await listPermsOfRepo(s.db, three.id)).map((p) => p.user_id),
    [bob.user.id],
  );
  assert.ok(await findPerm(s.db, me.user.id, local.id), 'local repositories are not the SCM business');
});

t('authorization follows the synced permission: pull reads, push writes, admin enables', async (s) => {
  const reader = await scmUser(s, 'gho_reader_token');
  const writer = await scmUser(s, 'gho_writer_token');
  const admin = await scmUser(s, 'gho_admin_token');
  const slug = 'acme/secret-sauce';
  const levels: Record<string, Json> = {
    'Bearer gho_reader_token': PULL,
    'Bearer gho_writer_token': PUSH,
    'Bearer gho_admin_token': ADMIN,
  };
  scm.handlers.push((req) => {
    if (!req.path.startsWith('/user/repos')) return undefined;
    const perms = levels[req.authorization];
    return { status: 200, json: [githubRepo(301, slug, perms, { private: true, visibility: 'private' })] };
  });
  for (const u of [reader, writer, admin]) assert.equal((await sync(s, u.token)).status, 200);

  const info = await s.call('GET', `/api/repos/${slug}`, { token: reader.token });
  assert.equal(info.status, 200);
  assert.deepEqual(info.json.permissions, { read: true, write: false, admin: false });
  // Write access (secrets) is refused to the reader, allowed to the writer.
  assert.equal((await s.call('GET', `/api/repos/${slug}/secrets`, { token: reader.token })).status, 404);
  assert.equal((await s.call('GET', `/api/repos/${slug}/secrets`, { token: writer.token })).status, 200);
  // Enabling needs admin at the SCM.
  assert.equal((await s.call('POST', `/api/repos/${slug}`, { token: reader.token })).status, 404);
  assert.equal((await s.call('POST', `/api/repos/${slug}`, { token: writer.token })).status, 404);
  const outsider = await s.user();
  assert.equal((await s.call('GET', `/api/repos/${slug}`, { token: outsider.token })).status, 404);
  scm.take();
  const on = await s.call('POST', `/api/repos/${slug}`, { token: admin.token });
  assert.equal(on.status, 200, on.body);
  assert.equal(on.json.active, true);
  const posted = scm.take().filter((r) => r.method === 'POST');
  assert.equal(posted.length, 1);
  assert.equal(posted[0]?.authorization, 'Bearer gho_admin_token', "the enabler's own token");

  // Access lost at the SCM: the next sync takes the reader's perm away.
  levels['Bearer gho_reader_token'] = undefined;
  scm.handlers.unshift((req) =>
    req.authorization === 'Bearer gho_reader_token' && req.path.startsWith('/user/repos')
      ? { status: 200, json: [] }
      : undefined,
  );
  assert.equal((await sync(s, reader.token)).status, 200);
  assert.equal((await s.call('GET', `/api/repos/${slug}`, { token: reader.token })).status, 404);
});

t('an SCM failure is a clear error and changes nothing', async (s) => {
  const me = await alice(s);
  githubListing([githubRepo(401, 'acme/keep', ADMIN)], 100);
  assert.equal((await sync(s, me.token)).status, 200);
  const keep = (await findRepoBySlug(s.db, 'acme/keep')) as Repo;
  const before = await findPerm(s.db, me.user.id, keep.id);

  // Bad credentials (GitHub's answer to a revoked token).
  scm.reset();
  scm.handlers.push(() => ({
    status: 401,
    json: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' },
  }));
  const refused = await sync(s, me.token);
  assert.equal(refused.status, 403);
  assert.equal(
    refused.json.message,
    'cannot list your repositories: github answered 401: Bad credentials (the SCM token is not valid any more; sign in again)',
  );

  // Page 1 arrives, page 2 fails: nothing of page 1 is written, nothing revoked.
  scm.reset();
  scm.handlers.push((req) => {
    if (req.path.includes('page=2')) return { status: 502, json: { message: 'Server Error' } };
    return {
      status: 200,
      json: [githubRepo(402, 'acme/new-one', ADMIN)],
      headers: { link: `<${scm.api('github')}/user/repos?page=2>; rel="next"` },
    };
  });
  const broken = await sync(s, me.token);
  assert.equal(broken.status, 502);
  assert.equal(broken.json.message, 'cannot list your repositories: github answered 502: Server Error');
  // The SCM hangs up.
  scm.reset();
  scm.handlers.push(() => ({ status: 0, hangUp: true }));
  const gone = await sync(s, me.token);
  assert.equal(gone.status, 502);
  assert.match(gone.json.message, /^cannot list your repositories: github cannot be reached/);

  assert.equal(await findRepoBySlug(s.db, 'acme/new-one'), undefined);
  assert.deepEqual(await findPerm(s.db, me.user.id, keep.id), before);
  const user = await findUser(s.db, me.user.id);
  assert.equal(user?.syncing, false, 'not left syncing');
});

t('a repository of another SCM or on this machine under the same name is left alone', async (s) => {
  const me = await alice(s);
  const local = await createRepo(s.db, {
    namespace: 'acme',
    name: 'tools',
    scm: 'local',
    git_http_url: dir,
    active: true,
  });
  const byHand = await createRepo(s.db, { namespace: 'acme', name: 'site', scm: '', default_branch: 'main' });
  githubListing([githubRepo(501, 'acme/tools', ADMIN), githubRepo(502, 'acme/site', ADMIN)], 100);
  const res = await sync(s, me.token);
  assert.equal(res.status, 200, res.body);
  assert.deepEqual(await findRepo(s.db, local.id), local);
  assert.equal(await findPerm(s.db, me.user.id, local.id), undefined);
  // A repo registered by hand without an SCM is adopted.
  const site = (await findRepo(s.db, byHand.id)) as Repo;
  assert.equal(site.scm, 'github');
  assert.equal(site.uid, '502');
  assert.ok(await findPerm(s.db, me.user.id, byHand.id));
  assert.match(s.logs(), /repositories not synced/);
});

t('Gitea: /api/v1/user/repos page by page, permissions admin/push/pull', async (s) => {
  // A token stored before tokens were sealed is used as it is.
  const me = await s.user(undefined, { oauth_token: 'gitea_token_abc123' });
  const base = scm.api('gitea');
  const page1 = Array.from({ length: 50 }, (_, i) =>
    giteaRepo(base, 600 + i, `team/r${String(i).padStart(2, '0')}`, PULL),
  );
  const page2 = [
    giteaRepo(base, 700, 'team/ops', ADMIN, { private: false }),
    giteaRepo(base, 701, 'team/wiki', PUSH, { internal: true }),
  ];
  scm.handlers.push((req) => {
    const url = new URL(req.path, 'http://x');
    if (url.pathname !== '/api/v1/user/repos') return undefined;
    const page = url.searchParams.get('page');
    // Gitea's Link header, and X-Total-Count.
    const headers = {
      'x-total-count': '52',
      link: `<${base}/api/v1/user/repos?limit=50&page=2>; rel="next"`,
    };
    if (page === '1') return { status: 200, json: page1, headers };
    return { status: 200, json: page2, headers: { 'x-total-count': '52' } };
  });
  const res = await sync(s, me.token, '?scm=gitea');
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json.length, 52);
  assert.deepEqual(paths(scm.take()), [
    'gitea GET /api/v1/user/repos?limit=50&page=1',
    'gitea GET /api/v1/user/repos?limit=50&page=2',
  ]);
  const ops = (await findRepoBySlug(s.db, 'team/ops')) as Repo;
  assert.equal(ops.scm, 'gitea');
  assert.equal(ops.visibility, 'public');
  assert.equal(ops.git_http_url, `${base}/team/ops.git`);
  assert.equal((await findRepoBySlug(s.db, 'team/wiki'))?.visibility, 'internal');
  const p = await findPerm(s.db, me.user.id, ops.id);
  assert.deepEqual([p?.read, p?.write, p?.admin], [true, true, true]);
  const r0 = (await findRepoBySlug(s.db, 'team/r00')) as Repo;
  const p0 = await findPerm(s.db, me.user.id, r0.id);
  assert.deepEqual([p0?.read, p0?.write, p0?.admin], [true, false, false]);
});

t('GitLab: membership projects, access levels from project_access/group_access, X-Next-Page', async (s) => {
  const me = await scmUser(s, 'glpat-user-token-1');
  const base = scm.api('gitlab');
  scm.handlers.push((req) => {
    const url = new URL(req.path, 'http://x');
    if (url.pathname !== '/api/v4/projects') return undefined;
    const page = url.searchParams.get('page');
    if (page === '1') {
      return {
        status: 200,
        json: [
          gitlabProject(base, 801, 'group/maintained', { project: 40 }),
          gitlabProject(base, 802, 'group/developer', { group: 30 }),
        ],
        headers: { 'x-next-page': '2', 'x-page': '1', 'x-per-page': '100', 'x-total-pages': '2' },
      };
    }
    return {
      status: 200,
      json: [
        gitlabProject(base, 803, 'group/sub/reporter', { project: 10, group: 20 }),
        gitlabProject(base, 804, 'group/guest', { project: 10 }),
        gitlabProject(base, 805, 'group/public-guest', { project: 10 }, { visibility: 'public' }),
      ],
      headers: { 'x-next-page': '', 'x-page': '2', 'x-per-page': '100', 'x-total-pages': '2' },
    };
  });
  const res = await sync(s, me.token, '?scm=gitlab');
  assert.equal(res.status, 200, res.body);
  assert.deepEqual(paths(scm.take()), [
    'gitlab GET /api/v4/projects?membership=true&per_page=100&page=1',
    'gitlab GET /api/v4/projects?membership=true&per_page=100&page=2',
  ]);
  const level = async (slug: string) => {
    const repo = await findRepoBySlug(s.db, slug);
    if (!repo) return undefined;
    const p = await findPerm(s.db, me.user.id, repo.id);
    return p && [p.read, p.write, p.admin];
  };
  assert.deepEqual(await level('group/maintained'), [true, true, true]);
  assert.deepEqual(await level('group/developer'), [true, true, false]);
  assert.deepEqual(await level('group/sub/reporter'), [true, false, false]);
  assert.equal(await level('group/guest'), undefined, 'a guest cannot read a private project');
  assert.deepEqual(await level('group/public-guest'), [true, false, false]);
  const nested = (await findRepoBySlug(s.db, 'group/sub/reporter')) as Repo;
  assert.equal(nested.namespace, 'group/sub');
  assert.equal(nested.name, 'reporter');
  assert.equal(nested.git_ssh_url, `git@${new URL(base).host}:group/sub/reporter.git`);
});

t('without an SCM token or a named SCM there is nothing to sync, and the answer says why', async (s) => {
  // No SCM token: the list Hangar has (Drone answers every user from the SCM; Hangar's admin may have none).
  const plain = await s.user();
  const listed = await s.call('POST', '/api/user/repos', { token: plain.token });
  assert.equal(listed.status, 200);
  assert.deepEqual(listed.json, []);
  assert.equal(scm.take().length, 0);
  // Several SCMs configured and nothing tells which one the token is for.
  const me = await alice(s);
  const which = await s.call('POST', '/api/user/repos', { token: me.token });
  assert.equal(which.status, 400);
  assert.match(which.json.message, /several SCMs are configured \(github, gitea, gitlab\).*\?scm=github/);
  assert.equal((await s.call('POST', '/api/user/repos?scm=svn', { token: me.token })).status, 400);
  // Once the user has GitHub repos, GitHub is the one.
  githubListing([githubRepo(901, 'acme/x', PULL)], 100);
  assert.equal((await sync(s, me.token)).status, 200);
  scm.take();
  assert.equal((await s.call('POST', '/api/user/repos', { token: me.token })).status, 200);
  assert.deepEqual(
    scm.take().map((r) => r.scm),
    ['github'],
  );
});

t('syncUserRepos(ctx, user) is what a sign-in calls: the sign-in SCM, the sealed token opened', async (s) => {
  const me = await alice(s);
  githubListing([githubRepo(950, 'acme/login', ADMIN)], 100);
  const config = deps.config as ServerConfig;
  const oauth = {
    scm: 'github',
    clientId: 'id',
    clientSecret: 'secret',
    server: 'https://github.com',
    api: scm.api('github'),
  } as const;
  const ctx = { store: s.store, box: s.box, config: { ...config, login: { ...config.login, oauth } } };
  const result = await syncUserRepos(ctx, me.user);
  assert.deepEqual(result, { scm: 'github', repos: 1, added: 1, updated: 0, revoked: 0, conflicts: [] });
  assert.equal(scm.take()[0]?.authorization, 'Bearer gho_alice_0123456789');
  const again = await syncUserRepos(ctx, me.user);
  assert.equal(again.added, 0);
  assert.equal(again.updated, 0);
  // Nothing to sync with: no token.
  const plain = await s.user();
  assert.equal((await syncUserRepos(ctx, plain.user)).skipped, `${plain.user.login} has no SCM token`);
});

t('two members of one organisation syncing at the same moment both get every repository once', async (s) => {
  const one = await scmUser(s, 'gho_member_one');
  const two = await scmUser(s, 'gho_member_two');
  githubListing(
    Array.from({ length: 30 }, (_, i) => githubRepo(1000 + i, `org/repo-${i}`, PUSH)),
    100,
  );
  const [a, b] = await Promise.all([sync(s, one.token), sync(s, two.token)]);
  assert.equal(a.status, 200, a.body);
  assert.equal(b.status, 200, b.body);
  assert.equal(a.json.length, 30);
  assert.equal(b.json.length, 30);
  for (let i = 0; i < 30; i++) {
    const repo = (await findRepoBySlug(s.db, `org/repo-${i}`)) as Repo;
    assert.deepEqual(
      (await listPermsOfRepo(s.db, repo.id)).map((p) => p.user_id).sort((x, y) => x - y),
      [one.user.id, two.user.id].sort((x, y) => x - y),
    );
  }
});
