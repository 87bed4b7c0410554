// `hangar exec` honours the docker runner settings of its environment as `hangar runner` does:
// HANGAR_* / DRONE_* volumes, env file and resource limits reach the step containers; a malformed
// setting is a usage error (exit 2) naming the variable.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { IMAGE } from '../docker/support.js';
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
