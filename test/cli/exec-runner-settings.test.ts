// `hangar exec` honours the docker runner settings of its environment as `hangar runner` does:
// HANGAR_* / DRONE_* volumes, env file and resource limits reach the step containers; a malformed
// setting is a usage error (exit 2) naming the variable; DRONE_DOCKER_CONFIG's credentials pull a
// private image from the loopback registry of scripts/setup-registry.sh.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { docker, ensureTestImages, IMAGE } from '../docker/support.js';
import { repoRoot } from '../support/compat.js';
import { dockerSkip } from '../support/docker.js';
import { runCli } from './run-cli.js';

function project(yml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hangar-exec-settings-'));
  writeFileSync(join(dir, '.drone.yml'), yml);
  return dir;
}

const env = { HANGAR_FROM_SOURCE: '1' };

test('exec: a malformed runner setting or an unreadable env file exits 2 with the reason', async () => {
  const dir = project(
    'kind: pipeline\ntype: exec\nclone:\n  disable: true\nsteps:\n- name: a\n  commands: [true]\n',
  );
  const bad = await runCli(['exec'], { cwd: dir, env: { ...env, DRONE_MEMORY_LIMIT: 'lots' } });
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /DRONE_MEMORY_LIMIT: must be a size in bytes/);
  const missing = await runCli(['exec'], {
    cwd: dir,
    env: { ...env, HANGAR_RUNNER_ENV_FILE: join(dir, 'nope.env') },
  });
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, /cannot read the env file .*nope\.env: ENOENT/);
  assert.doesNotMatch(bad.stderr + missing.stderr, /\n\s+at /);
});

test('exec: runner volumes, env file and shm size reach the docker steps', {
  skip: dockerSkip(),
}, async () => {
  const dir = project(`kind: pipeline
type: docker
name: default
clone:
  disable: true
steps:
- name: look
  image: ${IMAGE}
  pull: never
  commands:
  - cat /mnt/host/data.txt
  - echo "region=$REGION token=$TOKEN_URL"
  - df -k /dev/shm | tail -n 1
`);
  const host = mkdtempSync(join(tmpdir(), 'hangar-exec-settings-host-'));
  writeFileSync(join(host, 'data.txt'), 'from the host\n');
  writeFileSync(join(host, 'runner.env'), 'REGION=eu\nTOKEN_URL=https://t.local\n');
  const r = await runCli(['exec', '--env', 'REGION=cli'], {
    cwd: dir,
    env: {
      ...env,
      HANGAR_RUNNER_VOLUMES: `${host}:/mnt/host:ro`,
      HANGAR_RUNNER_ENV_FILE: join(host, 'runner.env'),
      DRONE_SHM_SIZE: '24MiB',
    },
  });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^\[look\] from the host$/m);
  // --env wins over the env file.
  assert.match(r.stdout, /^\[look\] region=cli token=https:\/\/t\.local$/m);
  assert.match(r.stdout, /^\[look\] shm\s+24576\s/m);
});

test('exec: DRONE_DOCKER_CONFIG credentials pull a private image', { skip: dockerSkip() }, async () => {
  const registry = process.env.HANGAR_TEST_REGISTRY ?? '127.0.0.1:5000';
  const username = process.env.HANGAR_TEST_REGISTRY_USER ?? 'hangar';
  const password = process.env.HANGAR_TEST_REGISTRY_PASSWORD ?? 'hangar-registry-pw';
  const auth = Buffer.from(`${username}:${password}`).toString('base64');
  const up = await fetch(`http://${registry}/v2/`, { headers: { authorization: `Basic ${auth}` } }).then(
    (r) => r.status === 200,
    () => false,
  );
  if (!up) execFileSync('bash', [`${repoRoot}/scripts/setup-registry.sh`], { stdio: 'inherit' });
  await ensureTestImages();
  // A tag of our own, pushed and removed locally, so only a pull with the credentials brings it back.
  const repo = `${registry}/hangar-test/exec-config`;
  const tag = `${process.pid}-${randomBytes(3).toString('hex')}`;
  const image = `${repo}:${tag}`;
  await docker.getImage(IMAGE).tag({ repo, tag });
  const push = await docker
    .getImage(image)
    .push({ authconfig: { username, password, serveraddress: registry } });
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(push, (err: Error | null) => (err ? reject(err) : resolve())),
  );
  await docker.getImage(image).remove();
  try {
    const dir = project(`kind: pipeline
type: docker
name: default
clone:
  disable: true
steps:
- name: private
  image: ${image}
  pull: if-not-exists
  commands: [echo pulled with the runner credentials]
`);
    const without = await runCli(['exec'], { cwd: dir, env });
    assert.equal(without.code, 1, without.stdout + without.stderr);
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ auths: { [registry]: { auth } } }));
    const r = await runCli(['exec'], { cwd: dir, env: { ...env, DRONE_DOCKER_CONFIG: config } });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^\[private\] pulled with the runner credentials$/m);
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(password));
  } finally {
    await docker
      .getImage(image)
      .remove()
      .catch(() => undefined);
  }
});
