// The local git provider end to end, over a listening server: `hangar repo add` registers a bare
// repository, the server installs its post-receive hook, and a `git push` into it makes a build
// (commit details and changed files read from the repository). `hangar build create` starts a
// custom build through the API.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { execa } from 'execa';
import type { RepoHooks } from '../../src/server/app.js';
import { HOOK_MARKER, localRepoHooks } from '../../src/server/scm/local-hook.js';
import { listBuilds } from '../../src/server/store/queries/builds.js';
import { findRepoBySlug } from '../../src/server/store/queries/repos.js';
import { repoRoot } from '../support/compat.js';
import { type BuildServer, startBuildServer, type TestUser } from './builds-harness.js';
import { git, pipeline, pipelines } from './trigger-support.js';

let s: BuildServer;
let url = '';
let root = '';
let alice: TestUser;
let bob: TestUser;

before(async () => {
  const hooks: RepoHooks = localRepoHooks({ hookUrl: () => `${url}/hook` });
  s = await startBuildServer('sqlite', { repoHooks: hooks });
  await s.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = s.app.server.address();
  assert.ok(addr && typeof addr === 'object');
  url = `http://127.0.0.1:${addr.port}`;
  root = await mkdtemp(join(tmpdir(), 'hangar-local-'));
  // As when the data directory sits inside a project of ES modules (./hangar-data in Hangar's own
  // checkout): node then reads the extension-less hook script as an ES module.
  await writeFile(join(root, 'package.json'), '{"type": "module"}\n');
  // Repositories on the server's machine are a system administrator's to register.
  alice = await s.user({ login: 'alice', admin: true });
  bob = await s.user({ login: 'bob' });
});
after(async () => {
  await s.close();
  await rm(root, { recursive: true, force: true });
});

/** Runs the hangar CLI against the test server. */
async function hangar(...args: string[]) {
  return hangarAs(alice, ...args);
}

async function hangarAs(who: TestUser, ...args: string[]) {
  return execa(process.execPath, [join(repoRoot, 'bin/hangar.js'), ...args], {
    reject: false,
    env: { HANGAR_SERVER: url, HANGAR_TOKEN: who.token, DRONE_SERVER: '', DRONE_TOKEN: '' },
  });
}

/** A bare repository and a clone of it to commit and push from. */
async function bareWithClone(name: string) {
  const bare = join(root, `${name}.git`);
  await git(root, 'init', '-q', '--bare', '-b', 'main', bare);
  const work = join(root, `${name}-work`);
  await git(root, 'clone', '-q', bare, work);
  await git(work, 'checkout', '-q', '-b', 'main');
  const commit = async (message: string, files: Record<string, string>) => {
    for (const [path, content] of Object.entries(files)) {
      await writeFile(join(work, path), content);
      await git(work, 'add', path);
    }
    await git(work, 'commit', '-q', '-m', message);
    return git(work, 'rev-parse', 'HEAD');
  };
  const push = (...args: string[]) =>
    execa('git', ['push', ...args], {
      cwd: work,
      env: { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
    });
  return { bare, work, commit, push };
}

describe('local repositories', () => {
  test('repo add, then every push into the bare repository builds', async () => {
    const r = await bareWithClone('app');
    const added = await hangar('repo', 'add', r.bare);
    assert.equal(added.exitCode, 0, added.stderr);
    assert.match(added.stdout, /registered alice\/app \(local, bare\)/);
    assert.match(added.stdout, /installed .*post-receive/);
    const repo = await findRepoBySlug(s.db, 'alice/app');
    assert.ok(repo);
    assert.deepEqual(
      [repo.scm, repo.git_http_url, repo.active, repo.user_id],
      ['local', r.bare, true, alice.user.id],
    );
    const hookFile = join(r.bare, 'hooks', 'post-receive');
    assert.ok((await readFile(hookFile, 'utf8')).includes(HOOK_MARKER));
    assert.equal((await stat(hookFile)).mode & 0o777, 0o700);

    const first = await r.commit('first pipeline', {
      '.drone.yml': pipelines(pipeline('test'), pipeline('release', 'trigger:\n  event: [tag]')),
      'a.txt': 'a\n',
    });
    const pushed = await r.push('-q', 'origin', 'main');
    assert.match(pushed.stderr, /hangar: refs\/heads\/main: build #1 \(pending\)/);
    const b1 = await s.call('GET', '/api/repos/alice/app/builds/1', { token: alice.token });
    assert.equal(b1.status, 200);
    assert.deepEqual(
      [b1.json.event, b1.json.action, b1.json.after, b1.json.ref, b1.json.message, b1.json.author_email],
      ['push', 'create', first, 'refs/heads/main', 'first pipeline\n', 'jane@example.com'],
    );
    assert.deepEqual(
      b1.json.stages.map((st: { name: string }) => st.name),
      ['test'],
    );

    await r.commit('second', { 'b.txt': 'b\n' });
    const third = await r.commit('third', { 'c.txt': 'c\n' });
    await r.push('-q', 'origin', 'main');
    const builds = await listBuilds(s.db, repo.id);
    assert.equal(builds[0]?.after, third);
    // Both pushed commits count, from `git diff --name-only before after`.
    assert.deepEqual(builds[0]?.changed_files, ['b.txt', 'c.txt']);
    assert.equal(builds[0]?.before, first);

    await git(r.work, 'tag', 'v1.0.0');
    const tagPush = await r.push('-q', 'origin', 'v1.0.0');
    assert.match(tagPush.stderr, /refs\/tags\/v1\.0\.0: build #3/);
    const tag = await s.call('GET', '/api/repos/alice/app/builds/3', { token: alice.token });
    assert.deepEqual(
      [tag.json.event, tag.json.ref, tag.json.stages.map((st: { name: string }) => st.name)],
      ['tag', 'refs/tags/v1.0.0', ['test', 'release']],
    );

    await r.commit('wip [skip ci]', { 'd.txt': 'd\n' });
    const skipped = await r.push('-q', 'origin', 'main');
    assert.match(skipped.stderr, /refs\/heads\/main: no build/);
    await git(r.work, 'push', '-q', 'origin', `${third}:refs/heads/feature`);
    const deleted = await r.push('-q', 'origin', ':feature');
    assert.equal(deleted.exitCode, 0);
    assert.equal(
      (await listBuilds(s.db, repo.id)).length,
      4,
      'the feature branch built once, its deletion not',
    );

    // `hangar build create`: a custom build of the branch head with parameters.
    const created = await hangar('build', 'create', 'alice/app', '--param', 'GREETING=hi', '--json');
    assert.equal(created.exitCode, 0, created.stderr);
    const custom = JSON.parse(created.stdout);
    assert.deepEqual([custom.number, custom.event, custom.params], [5, 'custom', { GREETING: 'hi' }]);
    const text = await hangar('build', 'create', 'alice/app', '--commit', first);
    assert.match(text.stdout, /^build #6 pending \(custom refs\/heads\/main /);
  });

  test('a working copy is registered without a hook; bad paths and URLs are refused', async () => {
    const work = join(root, 'plain');
    await git(root, 'init', '-q', '-b', 'main', work);
    const added = await hangar('repo', 'add', work, '--name', 'alice/plain');
    assert.equal(added.exitCode, 0, added.stderr);
    assert.match(added.stdout, /working copy/);
    const notRepo = await hangar('repo', 'add', root);
    assert.equal(notRepo.exitCode, 2);
    assert.match(notRepo.stderr, /is not a git repository/);
    const remote = await hangar('repo', 'add', 'git@github.com:acme/app.git');
    assert.equal(remote.exitCode, 2);
    assert.match(remote.stderr, /only http\(s\) URLs/);
    const noBranch = await hangar('build', 'create', 'alice/plain', '--branch', 'nope');
    assert.equal(noBranch.exitCode, 1);
    assert.match(noBranch.stderr, /branch nope not found/);
    const noServer = await execa(
      process.execPath,
      [join(repoRoot, 'bin/hangar.js'), 'build', 'create', 'a/b'],
      {
        reject: false,
        env: { HANGAR_SERVER: '', DRONE_SERVER: '', HANGAR_TOKEN: '', DRONE_TOKEN: '' },
      },
    );
    assert.equal(noServer.exitCode, 2);
    assert.match(noServer.stderr, /set HANGAR_SERVER/);
  });

  test('a foreign post-receive hook is not overwritten', async () => {
    const r = await bareWithClone('foreign');
    await writeFile(join(r.bare, 'hooks', 'post-receive'), '#!/bin/sh\necho mine\n', { mode: 0o755 });
    const added = await hangar('repo', 'add', r.bare, '--name', 'alice/foreign');
    assert.equal(added.exitCode, 1);
    assert.match(added.stderr, /exists and was not written by Hangar/);
    assert.equal(await readFile(join(r.bare, 'hooks', 'post-receive'), 'utf8'), '#!/bin/sh\necho mine\n');
  });

  test('only a system administrator registers a repository on the server machine', async () => {
    const r = await bareWithClone('theirs');
    const refused = await hangarAs(bob, 'repo', 'add', r.bare);
    assert.equal(refused.exitCode, 1);
    assert.match(
      refused.stderr,
      /only system administrators can register a repository on the server's machine/,
    );
    assert.equal(await findRepoBySlug(s.db, 'bob/theirs'), undefined);
    const viaScmUid = await s.call('POST', '/api/repos/bob/sneaky', {
      token: bob.token,
      body: { scm: 'local', uid: r.bare },
    });
    assert.equal(viaScmUid.status, 403, viaScmUid.body);
    const viaFileUrl = await s.call('POST', '/api/repos/bob/sneaky', {
      token: bob.token,
      body: { git_http_url: `file://${r.bare}` },
    });
    assert.equal(viaFileUrl.status, 403, viaFileUrl.body);
    assert.equal(await findRepoBySlug(s.db, 'bob/sneaky'), undefined);
  });
});
