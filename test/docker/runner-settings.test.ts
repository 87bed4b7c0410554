// The docker runner settings (DRONE_RUNNER_VOLUMES, _DEVICES, _NETWORKS, _NETWORK_OPTS, the resource
// limits, the env file, DRONE_NETRC_CLONE_ONLY) observed from inside real step containers: the
// settings are read from variables as the runner and `hangar exec` read them, and the stage runs
// as `hangar exec` runs it (plan → execute on the Docker engine).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  dockerCompileOptions,
  readDockerRunnerSettings,
  runnerGlobals,
} from '../../src/runner/daemon/config.js';
import { type LocalRunResult, runLocal } from '../../src/runner/local.js';
import { emptyContext } from '../../src/spec/context.js';
import { docker, dockerSkip, engine, ensureTestImages, IMAGE } from './support.js';

const skip = dockerSkip();
const dirs: string[] = [];

before(async () => {
  if (!skip) await ensureTestImages();
});

after(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'hangar-runner-settings-'));
  dirs.push(d);
  return d;
}

interface Ran {
  result: LocalRunResult;
  /** Each step's output lines. */
  logs: Record<string, string[]>;
}

/** Runs the one pipeline of `yml` as `hangar exec` does, with the runner settings of `env`. */
async function runWith(
  yml: string,
  env: Record<string, string>,
  netrc?: { machine: string; login: string; password: string },
): Promise<Ran> {
  const settings = readDockerRunnerSettings(env);
  const environ = await runnerGlobals({}, settings);
  const src = await tempDir();
  await writeFile(join(src, 'README'), 'hello\n');
  const logs: Record<string, string[]> = {};
  const ctx = emptyContext();
  ctx.build.event = 'push';
  ctx.build.ref = 'refs/heads/main';
  ctx.build.target = 'main';
  const result = await runLocal({
    text: yml,
    file: '.drone.yml',
    ctx,
    trusted: true,
    secrets: {},
    environ,
    compile: dockerCompileOptions(settings),
    clone: { remote: src, ref: 'refs/heads/main', commit: '', branch: 'main', copy: true, netrc },
    engineFor: (type) => (type === 'docker' ? engine() : undefined),
    runId: `rs-${process.pid}-${randomBytes(3).toString('hex')}`,
    signal: new AbortController().signal,
    hooks: {
      onLine: (step, line) => {
        logs[step.name] ??= [];
        logs[step.name]!.push(line.out.replace(/\n$/, ''));
      },
    },
  });
  return { result, logs };
}

function statuses(r: Ran): string {
  if (r.result.kind !== 'done') return `config error: ${r.result.message}`;
  return r.result.stages.map((s) => `${s.name}:${s.status}${s.error ? ` (${s.error})` : ''}`).join(',');
}

const MEMORY_MAX =
  'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes';
const CPUSET = 'cat /sys/fs/cgroup/cpuset.cpus 2>/dev/null || cat /sys/fs/cgroup/cpuset/cpuset.cpus';
const CPU_QUOTA =
  'cat /sys/fs/cgroup/cpu.max 2>/dev/null || echo $(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)';

// cgroup v2 keeps swap apart from memory and turns shares into a weight (512 → 20).
const SWAP_AND_SHARES =
  'if [ -f /sys/fs/cgroup/memory.swap.max ]; then echo v2 $(cat /sys/fs/cgroup/memory.swap.max /sys/fs/cgroup/cpu.weight); else echo v1 $(cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes /sys/fs/cgroup/cpu/cpu.shares); fi';

test('volumes, devices, resource limits and env file variables reach every step container', {
  skip,
  timeout: 60_000,
}, async () => {
  const host = await tempDir();
  await writeFile(join(host, 'greeting.txt'), 'hello from the runner\n');
  const rw = await tempDir();
  const envFile = join(await tempDir(), 'runner.env');
  await writeFile(envFile, '# globals of every step\nexport GOPROXY=https://proxy.local\nREGION="eu west"\n');
  const yml = `kind: pipeline
type: docker
name: default
clone:
  disable: true
steps:
- name: mounts
  image: ${IMAGE}
  pull: never
  commands:
  - cat /runner/greeting.txt
  - touch /runner/new 2>/dev/null && echo writable || echo read-only
  - echo written > /shared/out.txt
  - test -c /dev/hangar-null && echo device
  - echo "$GOPROXY|$REGION"
- name: limits
  image: ${IMAGE}
  pull: never
  commands:
  - ${MEMORY_MAX}
  - ${CPUSET}
  - ${CPU_QUOTA}
  - df -k /dev/shm | tail -n 1
  - ${SWAP_AND_SHARES}
- name: yaml-wins
  image: ${IMAGE}
  pull: never
  mem_limit: 96MiB
  shm_size: 16MiB
  commands:
  - ${MEMORY_MAX}
  - df -k /dev/shm | tail -n 1
`;
  const r = await runWith(yml, {
    DRONE_RUNNER_VOLUMES: `${host}:/runner:ro,${rw}:/shared`,
    DRONE_RUNNER_DEVICES: '/dev/null:/dev/hangar-null',
    DRONE_RUNNER_ENV_FILE: envFile,
    DRONE_MEMORY_LIMIT: '64MiB',
    DRONE_MEMORY_SWAP_LIMIT: '128MiB',
    DRONE_CPU_SHARES: '512',
    DRONE_CPU_SET: '0',
    DRONE_CPU_QUOTA: '50000',
    DRONE_CPU_PERIOD: '100000',
    DRONE_SHM_SIZE: '32MiB',
  });
  assert.equal(statuses(r), 'default:success', JSON.stringify(r.logs));
  assert.deepEqual(r.logs.mounts, [
    '+ cat /runner/greeting.txt',
    'hello from the runner',
    '+ touch /runner/new 2>/dev/null && echo writable || echo read-only',
    'read-only',
    '+ echo written > /shared/out.txt',
    '+ test -c /dev/hangar-null && echo device',
    'device',
    '+ echo "$GOPROXY|$REGION"',
    'https://proxy.local|eu west',
  ]);
  assert.equal(await readFile(join(rw, 'out.txt'), 'utf8'), 'written\n');
  const out = (name: string) => (r.logs[name] ?? []).filter((l) => !l.startsWith('+ '));
  const [memory, cpuset, quota, shm, swapShares] = out('limits');
  assert.equal(memory, String(64 * 1024 ** 2));
  assert.equal(cpuset, '0');
  assert.equal(quota, '50000 100000');
  assert.match(shm ?? '', /^shm\s+32768\s/);
  assert.ok(
    [`v1 ${128 * 1024 ** 2} 512`, `v2 ${64 * 1024 ** 2} 20`].includes(swapShares ?? ''),
    `swap and shares: ${swapShares}`,
  );
  // A step's own mem_limit and shm_size win over the runner's.
  const [ownMemory, ownShm] = out('yaml-wins');
  assert.equal(ownMemory, String(96 * 1024 ** 2));
  assert.match(ownShm ?? '', /^shm\s+16384\s/);
});

test('extra networks: steps join them and reach containers there by name; network options shape the stage network', {
  skip,
  timeout: 60_000,
}, async () => {
  const net = `hangar-extra-${randomBytes(4).toString('hex')}`;
  const peerName = `${net}-peer`;
  await docker.createNetwork({
    Name: net,
    Driver: 'bridge',
    Labels: { 'io.hangar.test': 'runner-settings' },
  });
  const peer = await docker.createContainer({
    Image: IMAGE,
    name: peerName,
    Cmd: ['sh', '-c', 'mkdir -p /www && echo pong > /www/index.html && exec httpd -f -p 8080 -h /www'],
    Labels: { 'io.hangar.test': 'runner-settings' },
    HostConfig: { NetworkMode: net },
  });
  try {
    await peer.start();
    const yml = `kind: pipeline
type: docker
name: default
clone:
  disable: true
steps:
- name: reach
  image: ${IMAGE}
  pull: never
  commands:
  - for i in /sys/class/net/eth*; do cat $i/mtu; done | sort
  - for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://${peerName}:8080/ && break; sleep 0.3; done
- name: isolated
  image: ${IMAGE}
  pull: never
  network_mode: none
  commands:
  - ls /sys/class/net
`;
    const r = await runWith(yml, {
      DRONE_RUNNER_NETWORKS: net,
      DRONE_RUNNER_NETWORK_OPTS: 'com.docker.network.driver.mtu:1400',
    });
    assert.equal(statuses(r), 'default:success', JSON.stringify(r.logs));
    const reach = (r.logs.reach ?? []).filter((l) => !l.startsWith('+ '));
    // The stage network has the runner's MTU, the extra network Docker's default.
    assert.deepEqual(reach, ['1400', '1500', 'pong']);
    // network_mode wins: the step joins neither the stage network nor the runner's.
    assert.deepEqual(
      (r.logs.isolated ?? []).filter((l) => !l.startsWith('+ ')),
      ['lo'],
    );
  } finally {
    await peer.remove({ force: true }).catch(() => undefined);
    await docker
      .getNetwork(net)
      .remove()
      .catch(() => undefined);
  }
});

test('a runner network that does not exist fails the step with the reason', {
  skip,
  timeout: 60_000,
}, async () => {
  const yml = `kind: pipeline
type: docker
name: default
clone:
  disable: true
steps:
- name: lonely
  image: ${IMAGE}
  pull: never
  commands: [echo never]
`;
  const errors: string[] = [];
  const r = await runWith(yml, { DRONE_RUNNER_NETWORKS: `hangar-missing-${randomBytes(4).toString('hex')}` });
  if (r.result.kind === 'done') {
    for (const s of r.result.stages)
      for (const step of s.result?.steps ?? []) if (step.error) errors.push(step.error);
  }
  assert.match(statuses(r), /^default:(failure|error)/);
  assert.equal(r.logs.lonely, undefined);
  // Docker refuses the unknown network when the container is connected or started.
  assert.match(errors.join('\n'), /step "lonely".*network "?hangar-missing-\w+"? not found/);
});

test('DRONE_NETRC_CLONE_ONLY: the clone keeps the netrc, step containers no longer see it', {
  skip,
  timeout: 60_000,
}, async () => {
  const yml = `kind: pipeline
type: docker
name: default
steps:
- name: look
  image: ${IMAGE}
  pull: never
  commands:
  - cat README
  - grep -o "machine [^ ]*" ~/.netrc 2>/dev/null || echo no netrc
`;
  const netrc = { machine: 'git.example.com', login: 'octocat', password: 'x-oauth-basic' };
  const everywhere = await runWith(yml, {}, netrc);
  assert.equal(statuses(everywhere), 'default:success', JSON.stringify(everywhere.logs));
  // The script writes the netrc variables to ~/.netrc and unsets them (Drone's preamble).
  assert.deepEqual(everywhere.logs.look?.slice(-2), [
    '+ grep -o "machine [^ ]*" ~/.netrc 2>/dev/null || echo no netrc',
    'machine git.example.com',
  ]);
  const cloneOnly = await runWith(yml, { DRONE_NETRC_CLONE_ONLY: 'true' }, netrc);
  assert.equal(statuses(cloneOnly), 'default:success', JSON.stringify(cloneOnly.logs));
  assert.deepEqual(cloneOnly.logs.look, [
    '+ cat README',
    'hello',
    '+ grep -o "machine [^ ]*" ~/.netrc 2>/dev/null || echo no netrc',
    'no netrc',
  ]);
});
