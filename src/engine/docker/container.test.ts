import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Plan, PlanStep } from '../../spec/plan.js';
import { EngineError } from '../engine.js';
import { containerSpec, dockerName, type StageResources } from './container.js';
import { planStep } from '../../../test/support/plan-step.js';

const res: StageResources = {
  network: 'net1',
  workspaceVolume: 'ws1',
  tempVolumes: { cache: 'vol-cache' },
  labels: { 'io.hangar': 'true' },
};

function plan(over: Partial<Plan> = {}): Plan {
  return {
    id: 'p',
    type: 'docker',
    name: 'default',
    platform: { os: 'linux', arch: 'amd64', variant: '', version: '' },
    workspace: { base: '/drone/src', path: '', full: '/drone/src' },
    environment: {},
    volumes: [
      { name: 'cache', kind: 'temp', medium: '', sizeLimit: 0 },
      { name: 'mem', kind: 'temp', medium: 'memory', sizeLimit: 1048576 },
      { name: 'sock', kind: 'host', path: '/var/run/docker.sock' },
      { name: 'fuse', kind: 'host', path: '/dev/fuse' },
    ],
    steps: [],
    timeout: 3600,
    secretNames: [],
    labels: {},
    ...over,
  };
}

function step(over: Partial<PlanStep> = {}): PlanStep {
  return planStep('build app', { image: 'alpine:3', ...over });
}

test('a plain step joins the stage network as its name and mounts the workspace at the base', () => {
  const s = containerSpec(plan(), step(), { A: '1', B: 'x=y' }, res);
  assert.deepEqual(s.Env, ['A=1', 'B=x=y']);
  assert.equal(s.HostConfig?.NetworkMode, 'net1');
  assert.deepEqual(s.NetworkingConfig, { EndpointsConfig: { net1: { Aliases: ['build app'] } } });
  assert.deepEqual(s.HostConfig?.Mounts, [{ Type: 'volume', Source: 'ws1', Target: '/drone/src' }]);
  assert.equal(s.Labels?.['io.hangar.step'], 'build app');
  assert.equal(s.Tty, false);
  // Image defaults stay when the step sets nothing.
  assert.equal(s.Entrypoint, undefined);
  assert.equal(s.Cmd, undefined);
  assert.equal(s.WorkingDir, undefined);
  assert.equal(s.User, undefined);
  assert.equal(s.HostConfig?.Memory, undefined);
});

test('every step field reaches the container', () => {
  const s = containerSpec(
    plan(),
    step({
      entrypoint: ['/bin/sh', '-c'],
      command: ['echo hi'],
      workingDir: '/drone/src/app',
      user: '1000:1000',
      privileged: true,
      volumes: [
        { name: 'cache', path: '/cache' },
        { name: 'mem', path: '/tmp/memory' },
        { name: 'sock', path: '/var/run/docker.sock' },
      ],
      devices: [{ name: 'fuse', path: '/dev/fuse' }],
      dns: ['1.1.1.1'],
      dnsSearch: ['example.com'],
      extraHosts: ['db:10.0.0.5'],
      shmSize: 67108864,
      memLimit: 536870912,
      memswapLimit: -1,
    }),
    {},
    res,
  );
  assert.deepEqual(s.Entrypoint, ['/bin/sh', '-c']);
  assert.deepEqual(s.Cmd, ['echo hi']);
  assert.equal(s.WorkingDir, '/drone/src/app');
  assert.equal(s.User, '1000:1000');
  const h = s.HostConfig;
  assert.equal(h?.Privileged, true);
  assert.deepEqual(h?.Mounts, [
    { Type: 'volume', Source: 'ws1', Target: '/drone/src' },
    { Type: 'volume', Source: 'vol-cache', Target: '/cache' },
    { Type: 'tmpfs', Source: '', Target: '/tmp/memory', TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1777 } },
  ]);
  assert.deepEqual(h?.Binds, ['/var/run/docker.sock:/var/run/docker.sock']);
  assert.deepEqual(h?.Devices, [
    { PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' },
  ]);
  assert.deepEqual(h?.Dns, ['1.1.1.1']);
  assert.deepEqual(h?.DnsSearch, ['example.com']);
  assert.deepEqual(h?.ExtraHosts, ['db:10.0.0.5']);
  assert.equal(h?.ShmSize, 67108864);
  assert.equal(h?.Memory, 536870912);
  assert.equal(h?.MemorySwap, -1);
});

test('network_mode replaces the stage network and its alias', () => {
  const s = containerSpec(plan(), step({ networkMode: 'host' }), {}, res);
  assert.equal(s.HostConfig?.NetworkMode, 'host');
  assert.equal(s.NetworkingConfig, undefined);
});

test('undeclared volumes and non-host devices are engine errors', () => {
  assert.throws(
    () => containerSpec(plan(), step({ volumes: [{ name: 'nope', path: '/x' }] }), {}, res),
    (e: unknown) => e instanceof EngineError && /volume "nope"/.test(e.message),
  );
  assert.throws(
    () => containerSpec(plan(), step({ devices: [{ name: 'cache', path: '/dev/x' }] }), {}, res),
    (e: unknown) => e instanceof EngineError && /device "cache"/.test(e.message),
  );
});

test('docker names keep only safe characters', () => {
  assert.equal(dockerName('build app/1'), 'build-app-1');
  assert.equal(dockerName('--x'), 'x');
  assert.equal(dockerName('☃'), 'x');
});

test('runner settings: read-only binds and CPU limits reach the HostConfig', () => {
  const p = plan({
    volumes: [
      { name: '_runner_volume_1', kind: 'host', path: '/etc/ssl/certs', readOnly: true },
      { name: '_runner_volume_2', kind: 'host', path: 'go-cache' },
    ],
  });
  const spec = containerSpec(
    p,
    step({
      volumes: [
        { name: '_runner_volume_1', path: '/etc/ssl/certs' },
        { name: '_runner_volume_2', path: '/go/pkg' },
      ],
      cpuQuota: 50_000,
      cpuPeriod: 100_000,
      cpuShares: 512,
      cpuSet: ['0', '2-3'],
    }),
    {},
    res,
  );
  const hc = spec.HostConfig!;
  assert.deepEqual(hc.Binds, ['/etc/ssl/certs:/etc/ssl/certs:ro', 'go-cache:/go/pkg']);
  assert.deepEqual([hc.CpuQuota, hc.CpuPeriod, hc.CpuShares, hc.CpusetCpus], [50_000, 100_000, 512, '0,2-3']);
  const none = containerSpec(p, step(), {}, res).HostConfig!;
  assert.deepEqual(
    [none.CpuQuota, none.CpuPeriod, none.CpuShares, none.CpusetCpus],
    [undefined, undefined, undefined, undefined],
  );
});
