import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Build, Repo, User } from '../../store/models.js';
import { HttpStatusService, StatusSendError, statusRequest } from './http.js';
import type { CommitStatus } from './status.js';

const status: CommitStatus = {
  slug: 'group/sub/app',
  sha: 'abc123',
  context: 'continuous-integration/drone/push',
  state: 'failure',
  description: 'Build is failing',
  title: 'Build #3',
  target: 'https://ci.example.com/group/sub/app/3',
};

test('the request each SCM expects', () => {
  const gh = statusRequest('github', 'https://api.github.com/', 'T0K', status);
  assert.equal(gh.url, 'https://api.github.com/repos/group/sub/app/statuses/abc123');
  assert.equal(gh.headers.authorization, 'Bearer T0K');
  assert.deepEqual(JSON.parse(gh.body), {
    state: 'failure',
    target_url: status.target,
    description: 'Build is failing',
    context: 'continuous-integration/drone/push',
  });
  const gitea = statusRequest('gitea', 'https://try.gitea.io', 'T0K', status);
  assert.equal(gitea.url, 'https://try.gitea.io/api/v1/repos/group/sub/app/statuses/abc123');
  assert.deepEqual(Object.keys(JSON.parse(gitea.body)), ['state', 'target_url', 'description', 'context']);
  const gl = statusRequest('gitlab', 'https://gitlab.com', 'T0K', status);
  assert.equal(gl.url, 'https://gitlab.com/api/v4/projects/group%2Fsub%2Fapp/statuses/abc123');
  assert.deepEqual(JSON.parse(gl.body), {
    state: 'failed',
    name: 'continuous-integration/drone/push',
    target_url: status.target,
    description: 'Build is failing',
  });
});

interface Seen {
  url: string;
  init: RequestInit;
}

function recordingFetch(seen: Seen[], answer = new Response('{}', { status: 201 })): typeof fetch {
  return (async (url: string | URL | Request, init?: RequestInit) => {
    seen.push({ url: String(url), init: init ?? {} });
    return answer;
  }) as typeof fetch;
}

const repo = { slug: 'acme/app', scm: 'github' } as Repo;
const owner = { oauth_token: 'secret-token' } as User;
const build = {
  number: 1,
  status: 'success',
  event: 'push',
  after: 'f00',
  deploy_to: '',
  deploy_id: 0,
  finished: 0,
  target: 'main',
} as Build;

test('the service sends with the repo owner token to the configured SCM, or not at all', async () => {
  const seen: Seen[] = [];
  const svc = new HttpStatusService({
    link: 'https://ci',
    endpoints: { github: 'https://api.github.com' },
    fetch: recordingFetch(seen),
  });
  await svc.send({ repo, build, owner });
  assert.equal(seen.length, 1);
  assert.equal(seen[0]?.url, 'https://api.github.com/repos/acme/app/statuses/f00');
  assert.equal(
    (seen[0]?.init.headers as Record<string, string> | undefined)?.authorization,
    'Bearer secret-token',
  );
  await svc.send({ repo: { ...repo, scm: 'gitea' }, build, owner });
  await svc.send({ repo, build });
  assert.equal(seen.length, 1, 'no endpoint for gitea, no token without an owner');
});

test('GitHub deployments get a deployment status once finished', async () => {
  const seen: Seen[] = [];
  const svc = new HttpStatusService({
    link: 'https://ci',
    endpoints: { github: 'https://api.github.com' },
    fetch: recordingFetch(seen),
  });
  const deploy = { ...build, event: 'promote', deploy_id: 42, deploy_to: 'production' };
  await svc.send({ repo, build: deploy, owner });
  assert.equal(seen.length, 0);
  await svc.send({ repo, build: { ...deploy, finished: 10 }, owner });
  assert.equal(seen[0]?.url, 'https://api.github.com/repos/acme/app/deployments/42/statuses');
  assert.equal(JSON.parse(String(seen[0]?.init.body)).state, 'success');
});

test('an SCM error is reported without the token', async () => {
  const svc = new HttpStatusService({
    link: 'https://ci',
    endpoints: { github: 'https://api.github.com' },
    fetch: recordingFetch([], new Response('{"message":"Bad credentials"}', { status: 401 })),
  });
  await assert.rejects(svc.send({ repo, build, owner }), (e: unknown) => {
    assert.ok(e instanceof StatusSendError);
    assert.match(e.message, /github answered 401/);
    assert.ok(!e.message.includes('secret-token'));
    return true;
  });
});
