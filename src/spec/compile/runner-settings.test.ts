import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planStage } from '../build-plan.js';
import { emptyContext } from '../context.js';
import type { Plan } from '../plan.js';
import type { CompileOptions } from './compile.js';

const YAML = `kind: pipeline
type: docker
name: default
services:
- name: cache
  image: redis
steps:
- name: build
  image: golang
  commands: [go build]
  mem_limit: 1GiB
  shm_size: 64MiB
  volumes:
  - name: scratch
    path: /scratch
- name: publish
  image: plugins/docker
  network_mode: host
volumes:
- name: scratch
  temp: {}
`;

function plan(compile: Omit<CompileOptions, 'id'>, text = YAML): Plan {
  const r = planStage(text, emptyContext(), 'default', {
    file: '.drone.yml',
    trusted: true,
    compile: { id: 'stage', ...compile },
  });
  if ('error' in r) throw new Error(r.error);
  return r.plan;
}

test('no runner settings: plans carry no runner networks, mounts, devices or CPU limits', () => {
  const p = plan({});
  assert.equal(p.networkOptions, undefined);
  assert.deepEqual(
    p.volumes.map((v) => v.name),
    ['scratch'],
  );
  for (const s of p.steps) {
    assert.equal(s.networks, undefined);
    assert.equal(s.cpuQuota, undefined);
    assert.equal(s.cpuSet, undefined);
    assert.equal(
      s.volumes.some((v) => v.name.startsWith('_runner')),
      false,
    );
  }
});

test('runner networks go to every step (clone and services too); network options to the stage', () => {
  const p = plan({
    networks: ['shared', 'proxy'],
    networkOptions: { 'com.docker.network.driver.mtu': '1400' },
  });
  assert.deepEqual(
    p.steps.map((s) => [s.name, s.networks]),
    [
      ['clone', ['shared', 'proxy']],
      ['cache', ['shared', 'proxy']],
      ['build', ['shared', 'proxy']],
      // network_mode keeps its networks in the plan; the engine does not join them (as Drone).
      ['publish', ['shared', 'proxy']],
    ],
  );
  assert.deepEqual(p.networkOptions, { 'com.docker.network.driver.mtu': '1400' });
  // Each step has its own list: changing one does not change the others.
  p.steps[0]!.networks!.push('x');
  assert.deepEqual(p.steps[1]!.networks, ['shared', 'proxy']);
});

test('runner volumes: host volumes of the plan, mounted into every step after its own volumes', () => {
  const p = plan({
    volumes: [
      { source: '/etc/ssl/certs', target: '/etc/ssl/certs', readOnly: true },
      { source: 'go-cache', target: '/go/pkg', readOnly: false },
    ],
  });
  assert.deepEqual(p.volumes, [
    { name: '_runner_volume_1', kind: 'host', path: '/etc/ssl/certs', readOnly: true },
    { name: '_runner_volume_2', kind: 'host', path: 'go-cache' },
    { name: 'scratch', kind: 'temp', medium: '', sizeLimit: 0 },
  ]);
  const build = p.steps.find((s) => s.name === 'build')!;
  assert.deepEqual(build.volumes, [
    { name: 'scratch', path: '/scratch' },
    { name: '_runner_volume_1', path: '/etc/ssl/certs' },
    { name: '_runner_volume_2', path: '/go/pkg' },
  ]);
  for (const s of p.steps)
    assert.equal(s.volumes.filter((v) => v.name.startsWith('_runner_volume_')).length, 2);
});

test('runner volumes do not take the automatic privilege from a plugin (only YAML volumes do)', () => {
  const p = plan({ volumes: [{ source: '/cache', target: '/cache', readOnly: false }] });
  assert.equal(p.steps.find((s) => s.name === 'publish')!.privileged, true);
});

test('runner devices: host volumes of the plan given to every step as devices', () => {
  const p = plan({ devices: [{ host: '/dev/fuse', container: '/dev/fuse' }] });
  assert.deepEqual(p.volumes[0], { name: '_runner_device_1', kind: 'host', path: '/dev/fuse' });
  for (const s of p.steps) assert.deepEqual(s.devices, [{ name: '_runner_device_1', path: '/dev/fuse' }]);
});

test('resource limits: memory and shm are defaults the YAML overrides; CPU limits apply to every step', () => {
  const p = plan({
    resources: {
      memLimit: 256 * 1024 ** 2,
      memswapLimit: -1,
      shmSize: 32 * 1024 ** 2,
      cpuQuota: 50_000,
      cpuPeriod: 100_000,
      cpuShares: 512,
      cpuSet: ['0', '2-3'],
    },
  });
  const rows = p.steps.map((s) => [s.name, s.memLimit, s.memswapLimit, s.shmSize]);
  assert.deepEqual(rows, [
    ['clone', 256 * 1024 ** 2, -1, 32 * 1024 ** 2],
    ['cache', 256 * 1024 ** 2, -1, 32 * 1024 ** 2],
    ['build', 1024 ** 3, -1, 64 * 1024 ** 2],
    ['publish', 256 * 1024 ** 2, -1, 32 * 1024 ** 2],
  ]);
  for (const s of p.steps) {
    assert.deepEqual([s.cpuQuota, s.cpuPeriod, s.cpuShares, s.cpuSet], [50_000, 100_000, 512, ['0', '2-3']]);
  }
});

test('netrc clone-only: the clone step keeps it, services and steps lose it', () => {
  assert.deepEqual(
    plan({}).steps.map((s) => s.netrc),
    [true, true, true, true],
  );
  assert.deepEqual(
    plan({ netrcCloneOnly: true }).steps.map((s) => [s.name, s.netrc]),
    [
      ['clone', true],
      ['cache', false],
      ['build', false],
      ['publish', false],
    ],
  );
});

test('runner environ (the env file) reaches every step and VAR substitution, below the YAML', () => {
  const text = `kind: pipeline
type: docker
name: default
environment:
  REGION: yaml
steps:
- name: a
  image: alpine:\${IMAGE_TAG}
  commands: [env]
`;
  const environ = { IMAGE_TAG: '3.19', REGION: 'file', TOKEN_URL: 'https://x' };
  const r = planStage(text, emptyContext(), 'default', {
    file: '.drone.yml',
    trusted: false,
    globals: environ,
    compile: { id: 's', environ },
  });
  if ('error' in r) throw new Error(r.error);
  assert.equal(r.plan.steps[1]!.image, 'docker.io/library/alpine:3.19');
  assert.equal(r.plan.environment.TOKEN_URL, 'https://x');
  assert.equal(r.plan.environment.REGION, 'yaml');
});

test('exec pipelines take none of the docker runner settings', () => {
  const text = 'kind: pipeline\ntype: exec\nname: default\nsteps:\n- name: a\n  commands: [true]\n';
  const p = plan(
    {
      networks: ['n'],
      networkOptions: { a: 'b' },
      volumes: [{ source: '/a', target: '/a', readOnly: false }],
      devices: [{ host: '/dev/fuse', container: '/dev/fuse' }],
      resources: { cpuQuota: 1000 },
    },
    text,
  );
  assert.deepEqual(p.volumes, []);
  assert.equal(p.networkOptions, undefined);
  for (const s of p.steps) assert.deepEqual([s.networks, s.cpuQuota, s.devices], [undefined, undefined, []]);
});
