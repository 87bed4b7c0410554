// End to end on real processes and real Docker: a private remote repository served over git's smart
// HTTP with Basic auth is added to `hangar server` by its URL with `hangar repo add URL --username
// --password-stdin`; `hangar build create` builds it on a `hangar runner` with the Docker engine,
// whose clone fetches the remote URL itself with the netrc the server sends; the step in its
// container sees the committed file.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { dockerSkip, ensureTestImages, IMAGE } from '../docker/support.js';
import { startRemote } from '../support/git-remote.js';
import { bin, cleanEnv, Installation, removeLeftovers } from './support.js';

test('a private remote added by URL builds in Docker, cloned from the URL', {
  skip: dockerSkip(),
  timeout: 600_000,
}, async () => {
  await ensureTestImages();
  const root = await mkdtemp(join(tmpdir(), 'hangar-e2e-mirror-'));
  const password = 'D0cker-clone-token';
  const remote = await startRemote({ auth: { login: 'ci', password } });
  const hangar = await Installation.create(join(root, 'hangar'));
  try {
    const sha = await remote.commit('docker pipeline', {
      'hello.txt': 'hello from the remote\n',
      '.drone.yml': `kind: pipeline
type: docker
name: default
steps:
- name: show
  image: ${IMAGE}
  pull: if-not-exists
  commands:
  - cat hello.txt
`,
    });
    await hangar.startServer();
    const runner = hangar.startRunner('e2e-mirror', { HANGAR_RUNNER_ENGINE: 'docker' });
    const added = await execa(
      process.execPath,
      [bin, 'repo', 'add', remote.url, '--name', 'admin/remote', '--username', 'ci', '--password-stdin'],
      {
        reject: false,
        input: `${password}\n`,
        env: cleanEnv({ HANGAR_SERVER: hangar.base, HANGAR_TOKEN: hangar.token }),
      },
    );
    assert.equal(added.exitCode, 0, `${added.stdout}\n${added.stderr}`);
    const created = await hangar.cli('build', 'create', 'admin/remote', '--json');
    assert.equal(created.exitCode, 0, created.stderr);
    assert.equal(JSON.parse(created.stdout).after, sha);

    const build = await hangar.finished('admin/remote', 1);
    const log = async (step: number) =>
      ((await hangar.api('GET', `/api/repos/admin/remote/builds/1/logs/1/${step}`)).json ?? [])
        .map((l: { out: string }) => l.out)
        .join('');
    assert.equal(build.status, 'success', `${await log(1)}\n${runner.output()}`);
    assert.match(await log(2), /hello from the remote/);
    assert.ok(!hangar.output().includes(password), 'the password is in no server or runner log');
    await runner.stop('SIGTERM');
  } catch (err) {
    console.error(hangar.output());
    throw err;
  } finally {
    await hangar.kill();
    for (const r of hangar.runners) await removeLeftovers(r.pid);
    await remote.close();
    await rm(root, { recursive: true, force: true });
  }
});
