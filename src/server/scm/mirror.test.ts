import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type GitRemote, startRemote } from '../../../test/support/git-remote.js';
import type { Repo } from '../store/models.js';
import { commitInfo, showFile } from './git.js';
import {
  checkRemoteUrl,
  describeFetchFailure,
  MirrorError,
  Mirrors,
  type RemoteCredentials,
} from './mirror.js';

let root = '';
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'hangar-mirrors-'));
});
after(() => rm(root, { recursive: true, force: true }));

let seq = 0;
const repoOf = (url: string) => ({ id: ++seq, scm: 'git', git_http_url: url, slug: `a/r${seq}` }) as Repo;

function mirrorsWith(creds?: RemoteCredentials, timeoutMs?: number): Mirrors {
  return new Mirrors({
    root: join(root, 'mirrors'),
    credentials: async () => creds,
    ...(timeoutMs !== undefined && { timeoutMs }),
  });
}

describe('smart HTTP', () => {
  let remote: GitRemote;
  before(async () => {
    remote = await startRemote();
  });
  after(() => remote.close());

  test('clones on first use, fetches new commits, reads them with the git readers', async () => {
    const first = await remote.commit('first', { '.drone.yml': 'kind: pipeline\n' });
    const mirrors = mirrorsWith();
    const repo = repoOf(remote.url);
    const dir = await mirrors.ensure(repo);
    assert.equal(dir, join(root, 'mirrors', `${repo.id}.git`));
    assert.equal(await showFile(dir, first, '.drone.yml'), 'kind: pipeline\n');
    assert.equal(await mirrors.defaultBranch(repo), 'main');

    const second = await remote.commit('second', { 'b.txt': 'b\n' });
    assert.equal(await commitInfo(dir, second), undefined, 'not fetched yet');
    const resolved = await mirrors.resolve(repo, second);
    assert.equal(resolved.sha, second, 'a missing commit is fetched');
    assert.equal((await commitInfo(dir, second))?.message, 'second\n');

    // Concurrent fetches of one mirror run in turn; all see the newest commit.
    const third = await remote.commit('third', { 'c.txt': 'c\n' });
    await Promise.all([mirrors.fetch(repo), mirrors.fetch(repo), mirrors.fetch(repo)]);
    assert.equal((await mirrors.resolve(repo, 'refs/heads/main')).sha, third);

    // A branch deleted at the remote is pruned.
    await remote.pushRef(first, 'refs/heads/old');
    await mirrors.fetch(repo);
    assert.ok((await mirrors.resolve(repo, 'refs/heads/old')).sha);
    await remote.pushRef('', 'refs/heads/old');
    await mirrors.fetch(repo);
    assert.equal((await mirrors.resolve(repo, 'refs/heads/old')).sha, undefined);

    await mirrors.remove(repo);
    assert.equal(existsSync(dir), false);
    assert.equal((await mirrors.resolve(repo, third)).sha, third, 'cloned again when asked for');
  });

  test('an unreachable URL or one that is no repository fails clearly and leaves nothing', async () => {
    const mirrors = mirrorsWith(undefined, 20_000);
    const missing = repoOf(`${remote.base}/nope.git`);
    await assert.rejects(mirrors.fetch(missing), (err: Error) => {
      assert.ok(err instanceof MirrorError);
      assert.match(err.message, /nope\.git is not a git repository/);
      return true;
    });
    const closed = repoOf('http://127.0.0.1:1/app.git');
    await assert.rejects(mirrors.fetch(closed), /cannot reach http:\/\/127\.0\.0\.1:1\/app\.git/);
    const left = await readdir(join(root, 'mirrors')).catch(() => []);
    assert.ok(!left.some((f) => f.startsWith('.clone-') || f === `${missing.id}.git`), left.join());
  });
});

test('dumb HTTP is mirrored too', async () => {
  const remote = await startRemote({ dumb: true });
  try {
    const sha = await remote.commit('static', { '.drone.yml': 'steps: []\n' });
    const mirrors = mirrorsWith();
    const repo = repoOf(remote.url);
    const { dir, sha: found } = await mirrors.resolve(repo, 'refs/heads/main');
    assert.equal(found, sha);
    assert.equal(await showFile(dir, sha, '.drone.yml'), 'steps: []\n');
  } finally {
    await remote.close();
  }
});

test('Basic auth: the stored credentials are used; a wrong password fails without showing it', async () => {
  const password = 's3cret-Passw0rd';
  const remote = await startRemote({ auth: { login: 'jane', password } });
  try {
    const sha = await remote.commit('private', { 'x.txt': 'x\n' });
    const repo = repoOf(remote.url);
    const none = mirrorsWith();
    await assert.rejects(none.fetch(repo), /authentication failed for http:\/\/127\.0\.0\.1:\d+\/app\.git/);
    const wrong = mirrorsWith({ username: 'jane', password: 'Wr0ng-Pa55word' });
    await assert.rejects(wrong.fetch(repo), (err: Error) => {
      assert.match(err.message, /authentication failed .*refused the username and password/);
      assert.ok(!err.message.includes('Wr0ng-Pa55word'));
      return true;
    });
    const right = mirrorsWith({ username: 'jane', password });
    assert.equal((await right.resolve(repo, sha)).sha, sha);
    assert.ok(remote.authHeaders.includes(`Basic ${Buffer.from(`jane:${password}`).toString('base64')}`));
    // The mirror's configuration keeps the plain URL, never the credentials.
    const config = await import('node:fs/promises').then((fs) =>
      fs.readFile(join(right.dir(repo), 'config'), 'utf8'),
    );
    assert.ok(!config.includes(password) && !config.includes('jane'));
  } finally {
    await remote.close();
  }
});

test('URLs: http(s) only, never with credentials in them', () => {
  assert.equal(checkRemoteUrl('https://git.example.com/a/b.git').host, 'git.example.com');
  assert.throws(() => checkRemoteUrl('https://jane:pw@git.example.com/a.git'), /must not hold credentials/);
  assert.throws(() => checkRemoteUrl('ssh://git@git.example.com/a.git'), /ssh URLs cannot be mirrored/);
  assert.throws(() => checkRemoteUrl('file:///srv/a.git'), /file URLs cannot be mirrored/);
  assert.throws(() => checkRemoteUrl('not a url'), /the clone URL is not a valid URL/);
  assert.equal(
    describeFetchFailure('https://x/a.git', 'fatal: something with hunter22 in it\n', {
      username: 'u',
      password: 'hunter22',
    }),
    'cannot fetch https://x/a.git: something with ****** in it',
  );
});
