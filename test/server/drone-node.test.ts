// drone-node 2.2.0 (Drone's own JavaScript client) against a listening Hangar app, unchanged: the
// paths, methods, bodies (JSON and form-urlencoded) and JSON fields it uses must all work.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { decryptForRepo } from '../../src/server/secrets/repo-cipher.js';
import { findRepoBySlug } from '../../src/server/store/queries/repos.js';
import { signConfig } from '../../src/spec/signature.js';
import { startTestServer, type TestServer } from './harness.js';

// biome-ignore lint/suspicious/noExplicitAny: drone-node ships no types; answers are checked field by field
type Json = any;
type Method =
  | 'chownRepo'
  | 'createCron'
  | 'createGlobalSecret'
  | 'createSecret'
  | 'createUser'
  | 'deleteCollaborator'
  | 'deleteCron'
  | 'deleteGlobalSecret'
  | 'deleteSecret'
  | 'deleteUser'
  | 'disableRepo'
  | 'enableRepo'
  | 'encryptSecret'
  | 'getAllGlobalSecrets'
  | 'getCollaborator'
  | 'getCollaborators'
  | 'getCron'
  | 'getCrons'
  | 'getGlobalSecret'
  | 'getGlobalSecrets'
  | 'getRepo'
  | 'getRepos'
  | 'getSecret'
  | 'getSecrets'
  | 'getSelf'
  | 'getToken'
  | 'getUser'
  | 'getUsers'
  | 'recentBuilds'
  | 'repairRepo'
  | 'selfRepos'
  | 'signConfig'
  | 'syncRepos'
  | 'updateCron'
  | 'updateGlobalSecret'
  | 'updateRepo'
  | 'updateSecret'
  | 'updateSelf'
  | 'updateUser'
  | 'userRepos';
type DroneClient = Record<Method, (...args: unknown[]) => Promise<Json>>;
const require = createRequire(import.meta.url);
const { Client } = require('drone-node') as {
  Client: new (c: { url: string; token: string }) => DroneClient;
};

let s: TestServer;
let client: DroneClient;
let url: string;

before(async () => {
  s = await startTestServer();
  url = await s.app.listen({ host: '127.0.0.1', port: 0 });
  client = new Client({ url, token: s.admin.token });
});
after(async () => {
  await s.close();
});

const statusOf = async (p: Promise<unknown>): Promise<number> => {
  try {
    await p;
    return 200;
  } catch (err) {
    return (err as { status?: number }).status ?? -1;
  }
};

test('user: self, update, token, repos, sync, recent builds', async () => {
  const self = await client.getSelf();
  assert.equal(self.login, s.admin.user.login);
  const updated = await client.updateSelf({ email: 'root@example.com' });
  assert.equal(updated.email, 'root@example.com');
  const token = await client.getToken();
  assert.equal(token.token, s.admin.token);
  assert.ok(Array.isArray(await client.selfRepos({ latest: true })));
  assert.ok(Array.isArray(await client.syncRepos({ async: false })));
  assert.deepEqual(await client.recentBuilds(), []);
});

test('repos: enable, info, update, list, repair, chown, disable', async () => {
  const enabled = await client.enableRepo('octocat', 'hello-world');
  assert.equal(enabled.slug, 'octocat/hello-world');
  assert.equal(enabled.active, true);
  const repo = await client.getRepo('octocat', 'hello-world');
  assert.equal(repo.config_path, '.drone.yml');
  const changed = await client.updateRepo('octocat', 'hello-world', {
    visibility: 'internal',
    config_path: '.ci.yml',
    trusted: true,
    protected: false,
    ignore_forks: true,
    ignore_pull_requests: false,
    auto_cancel_pull_requests: true,
    auto_cancel_pushes: true,
    timeout: 30,
    counter: 5,
  });
  assert.deepEqual(
    [changed.visibility, changed.config_path, changed.trusted, changed.timeout, changed.counter],
    ['internal', '.ci.yml', true, 30, 5],
  );
  const all = await client.getRepos();
  assert.ok(all.some((r: { slug: string }) => r.slug === 'octocat/hello-world'));
  assert.equal((await client.repairRepo('octocat', 'hello-world')).slug, 'octocat/hello-world');
  assert.equal((await client.chownRepo('octocat', 'hello-world')).user_id, s.admin.user.id);
  assert.equal((await client.disableRepo('octocat', 'hello-world', false)).active, false);
  assert.equal((await client.enableRepo('octocat', 'hello-world')).active, true);
  assert.equal(await statusOf(client.getRepo('octocat', 'missing')), 404);
});

test('secrets, encrypt and sign', async () => {
  await client.enableRepo('octocat', 'secrets');
  const created = await client.createSecret('octocat', 'secrets', {
    name: 'password',
    data: 'hunter2',
    pull_request: false,
  });
  assert.equal(created.name, 'password');
  assert.equal(created.data, undefined);
  assert.deepEqual(
    (await client.getSecrets('octocat', 'secrets')).map((x: { name: string }) => x.name),
    ['password'],
  );
  assert.equal((await client.getSecret('octocat', 'secrets', 'password')).name, 'password');
  const upd = await client.updateSecret('octocat', 'secrets', 'password', {
    data: 'hunter3',
    pull_request: true,
  });
  assert.equal(upd.pull_request, true);
  await client.deleteSecret('octocat', 'secrets', 'password');
  assert.equal(await statusOf(client.getSecret('octocat', 'secrets', 'password')), 404);

  const repo = await findRepoBySlug(s.db, 'octocat/secrets');
  assert.ok(repo);
  const encrypted = await client.encryptSecret('octocat', 'secrets', 'hunter2');
  assert.equal(decryptForRepo(repo.secret, encrypted.data), 'hunter2');
  const yaml = 'kind: pipeline\nname: default\n';
  const signed = await client.signConfig('octocat', 'secrets', yaml);
  assert.equal(signed.data, signConfig(yaml, repo.secret));
  assert.ok(!s.logs().includes('hunter2') && !s.logs().includes('hunter3'));
});

test('crons', async () => {
  await client.enableRepo('octocat', 'crons');
  const created = await client.createCron('octocat', 'crons', {
    name: 'nightly',
    expr: '0 0 2 * * *',
    branch: 'main',
  });
  assert.equal(created.name, 'nightly');
  assert.ok(created.next > 0);
  assert.equal((await client.getCrons('octocat', 'crons')).length, 1);
  assert.equal((await client.getCron('octocat', 'crons', 'nightly')).expr, '0 0 2 * * *');
  const upd = await client.updateCron('octocat', 'crons', 'nightly', { disabled: true, branch: 'dev' });
  assert.deepEqual([upd.disabled, upd.branch], [true, 'dev']);
  await client.deleteCron('octocat', 'crons', 'nightly');
  assert.equal(await statusOf(client.getCron('octocat', 'crons', 'nightly')), 404);
  assert.equal(await statusOf(client.createCron('octocat', 'crons', { name: 'x', expr: 'nope' })), 400);
});

test('collaborators', async () => {
  await client.enableRepo('octocat', 'collabs');
  const list = await client.getCollaborators('octocat', 'collabs');
  assert.deepEqual(
    list.map((c: { login: string }) => c.login),
    [s.admin.user.login],
  );
  assert.equal((await client.getCollaborator('octocat', 'collabs', s.admin.user.login)).admin, true);
  await client.deleteCollaborator('octocat', 'collabs', s.admin.user.login);
  assert.equal(await statusOf(client.getCollaborator('octocat', 'collabs', s.admin.user.login)), 404);
});

test('users', async () => {
  const created = await client.createUser({ login: 'octobot', machine: true, admin: false });
  assert.equal(created.login, 'octobot');
  assert.ok(typeof created.token === 'string');
  assert.ok((await client.getUsers()).some((u: { login: string }) => u.login === 'octobot'));
  assert.equal((await client.getUser('octobot')).machine, true);
  assert.equal((await client.updateUser('octobot', { admin: true })).admin, true);
  assert.deepEqual(await client.userRepos('octobot'), []);
  await client.deleteUser('octobot');
  assert.equal(await statusOf(client.getUser('octobot')), 404);
  // A non-admin client is refused.
  const bot = new Client({ url, token: created.token });
  assert.equal(await statusOf(bot.getSelf()), 401);
});

test('organisation secrets (updated with POST, as drone-node does)', async () => {
  const created = await client.createGlobalSecret('acme', { name: 'npm', data: 's3cr3t' });
  assert.equal(created.namespace, 'acme');
  assert.equal((await client.getGlobalSecrets('acme')).length, 1);
  assert.ok((await client.getAllGlobalSecrets()).some((x: { name: string }) => x.name === 'npm'));
  assert.equal((await client.getGlobalSecret('acme', 'npm')).name, 'npm');
  const upd = await client.updateGlobalSecret('acme', 'npm', { data: 'other', pull_request: true });
  assert.equal(upd.pull_request, true);
  await client.deleteGlobalSecret('acme', 'npm');
  assert.equal(await statusOf(client.getGlobalSecret('acme', 'npm')), 404);
  assert.ok(!s.logs().includes('s3cr3t'));
});
