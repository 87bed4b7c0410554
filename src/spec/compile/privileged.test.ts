import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compatJson, compatSkip } from '../../../test/support/compat.js';
import type { EnvValue } from '../manifest/types.js';
import { DEFAULT_PRIVILEGED_IMAGES, isAutoPrivileged } from './privileged.js';

interface Case {
  privileged_images: string[];
  step: {
    image: string;
    commands?: string[];
    command?: string[];
    entrypoint?: string[];
    volume_mount_paths?: string[];
  };
  privileged: boolean;
}

function step(
  over: Partial<Parameters<typeof isAutoPrivileged>[0]> = {},
): Parameters<typeof isAutoPrivileged>[0] {
  return {
    image: 'plugins/docker',
    commands: [],
    command: [],
    entrypoint: [],
    volumes: [],
    environment: {},
    ...over,
  };
}

test('privileged-image-cases (TestIsPrivileged)', { skip: compatSkip() }, () => {
  const cases = compatJson<Case[]>('upstream', 'privileged-image-cases.json');
  assert.ok(cases.length >= 10);
  for (const c of cases) {
    const s = step({
      image: c.step.image,
      commands: c.step.commands ?? [],
      command: c.step.command ?? [],
      entrypoint: c.step.entrypoint ?? [],
      volumes: (c.step.volume_mount_paths ?? []).map((path, i) => ({ name: `v${i}`, path })),
    });
    assert.equal(isAutoPrivileged(s, { images: c.privileged_images }), c.privileged, JSON.stringify(c.step));
  }
});

test('the default list: plugins/docker & co, any tag or registry spelling', () => {
  const images = DEFAULT_PRIVILEGED_IMAGES;
  for (const image of [
    'plugins/docker',
    'plugins/docker:20',
    'docker.io/plugins/ecr:latest',
    'plugins/gar',
  ]) {
    assert.equal(isAutoPrivileged(step({ image }), { images }), true, image);
  }
  for (const image of ['plugins/slack', 'docker', 'ghcr.io/plugins/docker', 'plugins/docker-x']) {
    assert.equal(isAutoPrivileged(step({ image }), { images }), false, image);
  }
});

test('restricted variables, volumes and Windows take the privilege away', () => {
  const images = DEFAULT_PRIVILEGED_IMAGES;
  for (const name of ['XDG_RUNTIME_DIR', 'DOCKER_OPTS', 'DOCKER_HOST', 'PATH', 'HOME']) {
    const environment: Record<string, EnvValue> = { [name]: { value: 'x' } };
    assert.equal(isAutoPrivileged(step({ environment }), { images }), false, name);
  }
  assert.equal(isAutoPrivileged(step({ environment: { OTHER: { value: 'x' } } }), { images }), true);
  const volumes = [{ name: 'cache', path: '/cache' }];
  assert.equal(isAutoPrivileged(step({ volumes }), { images }), false);
  assert.equal(isAutoPrivileged(step({ volumes }), { images, allowPluginVolumes: true }), true);
  const sock = [{ name: 'sock', path: '/var/run/docker.sock' }];
  assert.equal(isAutoPrivileged(step({ volumes: sock }), { images, allowPluginVolumes: true }), false);
  assert.equal(isAutoPrivileged(step(), { images, os: 'windows' }), false);
});
