// Webhooks end to end: a real git repository, a signed GitHub / Gitea / GitLab push payload (the
// corpus payload pointed at that repository), POST /hook, and the build with the stages its
// trigger rules select visible through the API. Refused webhooks write nothing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe } from 'node:test';
import fc from 'fast-check';
import type { Repo } from '../../src/server/store/models.js';
import { listBuilds } from '../../src/server/store/queries/builds.js';
import { listLatest, upsertLatest } from '../../src/server/store/queries/latest.js';
import { findRepo } from '../../src/server/store/queries/repos.js';
import { compatPath, compatSkip } from '../support/compat.js';
import { type BuildServer, buildServerTest } from './builds-harness.js';
import { signatureHeaders } from './hooks-support.js';
import { pipeline, pipelines, type WorkRepo, workRepo } from './trigger-support.js';

// biome-ignore lint/suspicious/noExplicitAny: corpus payloads are edited field by field
type Json = any;

let work: WorkRepo;
let base = '';
let head = '';

before(async () => {
  work = await workRepo();
  base = await work.commit('start', { 'README.md': 'hello\n' });
  head = await work.commit('ci: add pipelines', {
    '.drone.yml': pipelines(
      pipeline('test', 'trigger:\n  event: [push, pull_request]'),
      pipeline('release', 'trigger:\n  event: [tag]'),
      pipeline('deploy', 'depends_on: [test]\ntrigger:\n  branch: [main]'),
    ),
    'src/index.js': 'console.log(1)\n',
  });
});
after(async () => {
  await work.remove();
});

function corpus(...path: string[]): Json {
  return JSON.parse(readFileSync(compatPath('webhooks', ...path), 'utf8'));
}

function githubPush(repo: Repo): Json {
  const p = corpus('github', 'push.json');
  p.ref = 'refs/heads/main';
  p.before = base;
  p.after = head;
  p.head_commit.id = head;
  p.commits = [
    { ...p.head_commit, id: head, added: ['.drone.yml', 'src/index.js'], modified: [], removed: [] },
  ];
  p.repository.owner.login = repo.namespace;
  p.repository.name = repo.name;
  p.repository.full_name = repo.slug;
  return p;
}

function giteaPush(repo: Repo): Json {
  const p = corpus('gitea', 'push.json');
  p.ref = 'refs/heads/main';
  p.before = base;
  p.after = head;
  p.commits[0].id = head;
  Object.assign(p.commits[0], { added: ['.drone.yml', 'src/index.js'], modified: [], removed: [] });
  p.repository.owner.username = repo.namespace;
  p.repository.owner.login = repo.namespace;
  p.repository.name = repo.name;
  p.repository.full_name = repo.slug;
  return p;
}

function gitlabPush(repo: Repo): Json {
  const p = corpus('gitlab', 'push.json');
  p.ref = 'refs/heads/main';
  p.before = base;
  p.after = head;
  p.checkout_sha = head;
  p.commits[0].id = head;
  Object.assign(p.commits[0], { added: ['.drone.yml', 'src/index.js'], modified: [], removed: [] });
  p.project.path_with_namespace = repo.slug;
  return p;
}

const EVENT = {
  github: ['x-github-event', 'push'],
  gitea: ['x-gitea-event', 'push'],
  gitlab: ['x-gitlab-event', 'Push Hook'],
} as const;

async function deliver(
  s: BuildServer,
  provider: keyof typeof EVENT,
  body: string,
  secret: string,
  event?: string,
) {
  const [name, value] = EVENT[provider];
  return s.call('POST', '/hook', {
    payload: body,
    headers: {
      'content-type': 'application/json',
      [name]: event ?? value,
      ...signatureHeaders(provider, body, secret),
    },
  });
}

describe('webhook → build', { skip: compatSkip() }, () => {
  for (const [provider, payload] of [
    ['github', githubPush],
    ['gitea', giteaPush],
    ['gitlab', gitlabPush],
  ] as const) {
    buildServerTest(`${provider} push`, async (s) => {
      const owner = await s.user();
      const repo = await s.repo({ scm: provider, git_http_url: work.dir, default_branch: 'main' }, owner);
      const body = JSON.stringify(payload(repo));
      const res = await deliver(s, provider, body, repo.signer);
      assert.equal(res.status, 200, res.body);
      assert.equal(res.json.number, 1);
      assert.equal(res.json.event, 'push');
      assert.equal(res.json.after, head);
      assert.equal(res.json.ref, 'refs/heads/main');
      assert.deepEqual(
        res.json.stages.map((st: Json) => [st.name, st.status]),
        [
          ['test', 'pending'],
          ['deploy', 'waiting_on_dependencies'],
        ],
      );

      const info = await s.call('GET', `/api/repos/${repo.slug}/builds/1`, { token: owner.token });
      assert.equal(info.status, 200);
      assert.equal(info.json.trigger, '@hook');
      assert.equal(info.json.stages.length, 2);
      assert.deepEqual(info.json.stages[1].depends_on, ['test']);
      const list = await s.call('GET', `/api/repos/${repo.slug}/builds`, { token: owner.token });
      assert.deepEqual(
        list.json.map((b: Json) => b.number),
        [1],
      );
      const stored = (await listBuilds(s.db, repo.id))[0];
      assert.deepEqual([...(stored?.changed_files ?? [])].sort(), ['.drone.yml', 'src/index.js']);
      assert.deepEqual(
        s.status.sent.map((st) => [st.context, st.state, st.sha]),
        [['continuous-integration/drone/push', 'pending', head]],
      );
      const latest = await s.call('GET', `/api/repos/${repo.slug}/builds/latest?branch=main`, {
        token: owner.token,
      });
      assert.equal(latest.json.number, 1);
    });
  }

  buildServerTest('refused webhooks write nothing', async (s) => {
    const repo = await s.repo({ scm: 'github', git_http_url: work.dir });
    const body = JSON.stringify(githubPush(repo));
    const bad = await deliver(s, 'github', body, 'not-the-signer');
    assert.deepEqual([bad.status, bad.json], [400, { message: 'github webhook signature does not match' }]);
    const unsigned = await s.call('POST', '/hook', { payload: body, headers: { 'x-github-event': 'push' } });
    assert.deepEqual([unsigned.status, unsigned.json.message], [400, 'github webhook is not signed']);
    const other = JSON.stringify({
      ...githubPush(repo),
      repository: { ...githubPush(repo).repository, name: 'nope' },
    });
    const unknown = await deliver(s, 'github', other, repo.signer);
    assert.deepEqual([unknown.status, unknown.json], [400, { message: 'Cannot find repository' }]);
    const wrong = await deliver(s, 'gitea', JSON.stringify(giteaPush(repo)), repo.signer);
    assert.equal(wrong.status, 400);
    assert.match(wrong.json.message, /is a github repository, not gitea/);
    const garbage = await s.call('POST', '/hook', {
      payload: 'not json',
      contentType: 'text/plain',
      headers: { 'x-github-event': 'push' },
    });
    assert.equal(garbage.status, 400);
    const nothing = await s.call('POST', '/hook', { payload: '{}' });
    assert.equal(nothing.status, 400);
    assert.equal((await listBuilds(s.db, repo.id)).length, 0);
    assert.equal((await findRepo(s.db, repo.id))?.counter, 0);
    assert.ok(!s.logs().includes(repo.signer), 'the webhook secret never reaches the log');
  });

  buildServerTest('inactive repositories and events that build nothing are answered 200 null', async (s) => {
    const inactive = await s.repo({ scm: 'github', git_http_url: work.dir, active: false });
    const res = await deliver(s, 'github', JSON.stringify(githubPush(inactive)), inactive.signer);
    assert.deepEqual([res.status, res.body], [200, 'null']);
    const repo = await s.repo({ scm: 'github', git_http_url: work.dir });
    const comment = readFileSync(compatPath('webhooks/github/comment.json'));
    const ignored = await deliver(s, 'github', comment.toString('utf8'), repo.signer, 'issue_comment');
    assert.deepEqual([ignored.status, ignored.body], [200, 'null']);
    const edited = corpus('github', 'pr_edited.json');
    edited.repository.owner.login = repo.namespace;
    edited.repository.name = repo.name;
    const prEdit = await deliver(s, 'github', JSON.stringify(edited), repo.signer, 'pull_request');
    assert.deepEqual([prEdit.status, prEdit.body], [200, 'null']);
    assert.equal((await listBuilds(s.db, inactive.id)).length + (await listBuilds(s.db, repo.id)).length, 0);
  });

  buildServerTest('a closed pull request retires its latest-build entry (204)', async (s) => {
    const repo = await s.repo({ scm: 'github', git_http_url: work.dir });
    const pr = corpus('github', 'pr_opened.json');
    pr.repository.owner.login = repo.namespace;
    pr.repository.name = repo.name;
    pr.pull_request.head.sha = head;
    pr.pull_request.head.repo.full_name = repo.slug;
    const opened = await deliver(s, 'github', JSON.stringify(pr), repo.signer, 'pull_request');
    assert.equal(opened.status, 200, opened.body);
    assert.equal(opened.json.event, 'pull_request');
    assert.equal(opened.json.action, 'opened');
    assert.deepEqual(
      opened.json.stages.map((st: Json) => st.name),
      ['test'],
    );
    assert.deepEqual(
      (await listLatest(s.db, repo.id, 'pull_request')).map((l) => l.name),
      ['1'],
    );
    const closed = { ...pr, action: 'closed' };
    const res = await deliver(s, 'github', JSON.stringify(closed), repo.signer, 'pull_request');
    assert.equal(res.status, 204);
    assert.deepEqual(await listLatest(s.db, repo.id, 'pull_request'), []);
    // A deleted branch likewise.
    await upsertLatest(s.db, { repo_id: repo.id, type: 'branch', name: 'gone', build_id: opened.json.id });
    const del = { ...githubPush(repo), ref: 'refs/heads/gone', after: '0'.repeat(40), deleted: true };
    assert.equal((await deliver(s, 'github', JSON.stringify(del), repo.signer)).status, 204);
    assert.deepEqual(await listLatest(s.db, repo.id, 'branch'), []);
  });

  buildServerTest('a bad configuration at the commit is an error build', async (s) => {
    const broken = await work.commit('broken yaml', { '.drone.yml': 'kind: pipeline\nsteps: {\n' });
    const repo = await s.repo({ scm: 'gitlab', git_http_url: work.dir });
    const p = gitlabPush(repo);
    p.after = broken;
    p.checkout_sha = broken;
    p.commits[0].id = broken;
    const res = await deliver(s, 'gitlab', JSON.stringify(p), repo.signer);
    assert.equal(res.status, 200);
    assert.equal(res.json.status, 'error');
    assert.ok(res.json.error.length > 0);
    assert.equal(res.json.stages, undefined);
    assert.deepEqual(
      s.status.sent.map((st) => st.state),
      ['error'],
    );
  });

  buildServerTest('bounded fuzz: only 4xx or 200/204, and a build only for an authentic push', async (s) => {
    const repo = await s.repo({ scm: 'github', git_http_url: work.dir });
    const valid = githubPush(repo);
    let built = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.json({ maxDepth: 3 }),
          fc.constant(JSON.stringify(valid)),
          fc.record({ ref: fc.string(), after: fc.string() }).map((r) => JSON.stringify({ ...valid, ...r })),
        ),
        fc.constantFrom('push', 'pull_request', 'create', 'ping', ''),
        fc.constantFrom('right', 'wrong', 'none'),
        fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'),
        async (body, event, signing, contentType) => {
          const headers: Record<string, string> = { 'content-type': contentType };
          if (event) headers['x-github-event'] = event;
          if (signing !== 'none')
            Object.assign(headers, signatureHeaders('github', body, signing === 'right' ? repo.signer : 'x'));
          const res = await s.call('POST', '/hook', { payload: body, headers });
          assert.ok([200, 204, 400].includes(res.status), `${res.status} ${res.body}`);
          if (res.status === 400) assert.equal(typeof res.json.message, 'string');
          if (res.status === 200 && res.json !== null) {
            assert.equal(signing, 'right');
            built += 1;
          }
        },
      ),
      { numRuns: 120, seed: 42 },
    );
    const builds = await listBuilds(s.db, repo.id, { perPage: 100 });
    assert.equal(builds.length, built);
    assert.equal((await findRepo(s.db, repo.id))?.counter, built);
  });
});
