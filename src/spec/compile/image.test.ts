import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  effectivePull,
  expandImage,
  imageDomain,
  isLatestImage,
  matchImage,
  matchRegistry,
  parseImage,
  pullPolicyOf,
  registryHost,
  trimImage,
} from './image.js';

test('expandImage (drone-runner-docker Test_expandImage and more)', () => {
  const cases: [string, string][] = [
    ['golang', 'docker.io/library/golang:latest'],
    ['golang:latest', 'docker.io/library/golang:latest'],
    ['golang:1.0.0', 'docker.io/library/golang:1.0.0'],
    ['library/golang', 'docker.io/library/golang:latest'],
    ['library/golang:latest', 'docker.io/library/golang:latest'],
    ['library/golang:1.0.0', 'docker.io/library/golang:1.0.0'],
    ['index.docker.io/library/golang:1.0.0', 'docker.io/library/golang:1.0.0'],
    ['gcr.io/golang', 'gcr.io/golang:latest'],
    ['gcr.io/golang:1.0.0', 'gcr.io/golang:1.0.0'],
    ['plugins/docker', 'docker.io/plugins/docker:latest'],
    ['localhost:5000/app', 'localhost:5000/app:latest'],
    ['localhost/app:1', 'localhost/app:1'],
    ['127.0.0.1:5000/team/app:v2', '127.0.0.1:5000/team/app:v2'],
    [`alpine@sha256:${'a'.repeat(64)}`, `docker.io/library/alpine@sha256:${'a'.repeat(64)}`],
    [`alpine:3.19@sha256:${'b'.repeat(64)}`, `docker.io/library/alpine:3.19@sha256:${'b'.repeat(64)}`],
    // invalid references are returned unmodified
    ['foo/bar?baz:boo', 'foo/bar?baz:boo'],
    ['Golang', 'Golang'],
    ['', ''],
    [`alpine@sha256:${'a'.repeat(10)}`, `alpine@sha256:${'a'.repeat(10)}`],
    ['a'.repeat(64), 'a'.repeat(64)],
  ];
  for (const [from, want] of cases) assert.equal(expandImage(from), want, from);
});

test('trimImage (Test_trimImage)', () => {
  const cases: [string, string][] = [
    ['golang', 'golang'],
    ['golang:latest', 'golang'],
    ['golang:1.0.0', 'golang'],
    ['library/golang', 'golang'],
    ['library/golang:latest', 'golang'],
    ['library/golang:1.0.0', 'golang'],
    ['index.docker.io/library/golang:1.0.0', 'golang'],
    ['docker.io/library/golang:1.0.0', 'golang'],
    ['gcr.io/library/golang:1.0.0', 'gcr.io/library/golang'],
    ['plugins/docker:20', 'plugins/docker'],
    ['foo/bar?baz:boo', 'foo/bar?baz:boo'],
  ];
  for (const [from, want] of cases) assert.equal(trimImage(from), want, from);
});

test('matchImage ignores tags (Test_matchImage)', () => {
  const cases: [string, string, boolean][] = [
    ['golang', 'golang', true],
    ['golang:latest', 'golang', true],
    ['library/golang:latest', 'golang', true],
    ['index.docker.io/library/golang:1.0.0', 'golang', true],
    ['golang', 'golang:latest', true],
    ['library/golang:latest', 'library/golang', true],
    ['gcr.io/golang', 'gcr.io/golang', true],
    ['gcr.io/golang:1.0.0', 'gcr.io/golang', true],
    ['gcr.io/golang:latest', 'gcr.io/golang', true],
    ['gcr.io/golang', 'gcr.io/golang:latest', true],
    ['golang', 'library/golang', true],
    ['golang', 'gcr.io/project/golang', false],
    ['golang', 'gcr.io/library/golang', false],
    ['golang', 'gcr.io/golang', false],
  ];
  for (const [a, b, want] of cases) assert.equal(matchImage(a, b), want, `${a} ~ ${b}`);
});

test('matchRegistry: image host vs credential address (Test_matchHostname)', () => {
  const cases: [string, string, boolean][] = [
    ['golang', 'docker.io', true],
    ['golang:latest', 'docker.io', true],
    ['golang:latest', 'index.docker.io', true],
    ['library/golang:latest', 'docker.io', true],
    ['docker.io/library/golang:1.0.0', 'docker.io', true],
    ['gcr.io/golang', 'docker.io', false],
    ['gcr.io/golang:1.0.0', 'gcr.io', true],
    [
      '012345678910.dkr.ecr.us-east-1.amazonaws.com/foo:latest',
      '012345678910.dkr.ecr.us-east-1.amazonaws.com',
      true,
    ],
    ['*&^%', '1.2.3.4:8000', false],
    ['localhost:5000/app', 'localhost:5000', true],
    ['localhost:5000/app', 'localhost', false],
    ['golang', 'https://index.docker.io/v1/', true],
    ['gcr.io/x', 'https://gcr.io', true],
  ];
  for (const [image, host, want] of cases)
    assert.equal(matchRegistry(image, host), want, `${image} @ ${host}`);
});

test('registryHost and imageDomain', () => {
  assert.equal(registryHost('https://index.docker.io/v1/'), 'index.docker.io');
  assert.equal(registryHost('http://user:pw@registry.local:5000/path'), 'registry.local:5000');
  assert.equal(registryHost('//gcr.io'), 'gcr.io');
  assert.equal(registryHost('gcr.io'), 'gcr.io');
  assert.equal(registryHost('localhost:5000'), 'localhost:5000');
  assert.equal(imageDomain('golang'), 'docker.io');
  assert.equal(imageDomain('ghcr.io/owner/app:1'), 'ghcr.io');
  assert.equal(imageDomain('NOT VALID'), undefined);
  assert.deepEqual(parseImage('ghcr.io/owner/app:1'), {
    domain: 'ghcr.io',
    path: 'owner/app',
    tag: '1',
    digest: '',
  });
});

test('isLatestImage (Test_isLatest)', () => {
  const cases: [string, boolean][] = [
    ['golang:1', false],
    ['golang', true],
    ['golang:latest', true],
    ['docker.io/library/golang', true],
    ['docker.io/library/golang:latest', true],
    ['docker.io/library/golang:1', false],
  ];
  for (const [name, want] of cases) assert.equal(isLatestImage(name), want, name);
});

test('pull policies: YAML values and what `default` means', () => {
  assert.equal(pullPolicyOf('always'), 'always');
  assert.equal(pullPolicyOf('IF-NOT-EXISTS'), 'if-not-exists');
  assert.equal(pullPolicyOf('never'), 'never');
  assert.equal(pullPolicyOf(''), 'default');
  assert.equal(pullPolicyOf('default'), 'default');
  assert.equal(pullPolicyOf('sometimes'), 'default');
  assert.equal(effectivePull('default', 'golang'), 'always');
  assert.equal(effectivePull('default', 'golang:1.22'), 'if-not-exists');
  assert.equal(effectivePull('never', 'golang'), 'never');
  assert.equal(effectivePull('if-not-exists', 'golang'), 'if-not-exists');
  assert.equal(effectivePull('always', 'golang:1'), 'always');
});
