import assert from 'node:assert/strict';
import { test } from 'node:test';
import { credentialFor, isAuthFailure, normalizeRegistry, parseImage, pullAction } from './image.js';

test('image references are split as Docker reads them', () => {
  assert.deepEqual(parseImage('alpine'), {
    domain: 'docker.io',
    path: 'library/alpine',
    tag: 'latest',
    digest: '',
  });
  assert.deepEqual(parseImage('golang:1.22'), {
    domain: 'docker.io',
    path: 'library/golang',
    tag: '1.22',
    digest: '',
  });
  assert.deepEqual(parseImage('plugins/docker'), {
    domain: 'docker.io',
    path: 'plugins/docker',
    tag: 'latest',
    digest: '',
  });
  assert.deepEqual(parseImage('127.0.0.1:5000/team/app:2'), {
    domain: '127.0.0.1:5000',
    path: 'team/app',
    tag: '2',
    digest: '',
  });
  assert.deepEqual(parseImage('localhost/app'), {
    domain: 'localhost',
    path: 'app',
    tag: 'latest',
    digest: '',
  });
  assert.deepEqual(parseImage('ghcr.io/o/r@sha256:abc'), {
    domain: 'ghcr.io',
    path: 'o/r',
    tag: '',
    digest: 'sha256:abc',
  });
  assert.deepEqual(parseImage('index.docker.io/library/redis:7'), {
    domain: 'docker.io',
    path: 'library/redis',
    tag: '7',
    digest: '',
  });
});

test('credential addresses reduce to registry hosts; Docker Hub has several names', () => {
  assert.equal(normalizeRegistry('https://index.docker.io/v1/'), 'docker.io');
  assert.equal(normalizeRegistry('docker.io'), 'docker.io');
  assert.equal(normalizeRegistry('http://127.0.0.1:5000'), '127.0.0.1:5000');
  assert.equal(normalizeRegistry('Registry.Example.com/v2/'), 'registry.example.com');
});

test('the first credential whose host is the image registry is used', () => {
  const regs = [
    { address: 'https://index.docker.io/v1/', username: 'hub', password: 'p1' },
    { address: '127.0.0.1:5000', username: 'local', password: 'p2' },
    { address: 'http://127.0.0.1:5000', username: 'second', password: 'p3' },
  ];
  assert.equal(credentialFor('alpine:3', regs)?.username, 'hub');
  assert.equal(credentialFor('127.0.0.1:5000/x/y:1', regs)?.username, 'local');
  assert.equal(credentialFor('ghcr.io/x/y', regs), undefined);
});

test('pull policies: default pulls only latest, otherwise only when missing', () => {
  assert.equal(pullAction('always', 'alpine:3'), 'pull');
  assert.equal(pullAction('never', 'alpine'), 'never');
  assert.equal(pullAction('if-not-exists', 'alpine'), 'pull-if-missing');
  assert.equal(pullAction('default', 'alpine'), 'pull');
  assert.equal(pullAction('default', 'alpine:latest'), 'pull');
  assert.equal(pullAction('default', 'alpine:3.19'), 'pull-if-missing');
  assert.equal(pullAction('default', 'alpine@sha256:abc'), 'pull-if-missing');
});

test('registry refusals are told apart from other pull failures', () => {
  assert.ok(isAuthFailure('Head "http://127.0.0.1:5000/v2/x/manifests/1": no basic auth credentials'));
  assert.ok(isAuthFailure('Get "http://127.0.0.1:5000/v2/": unauthorized: authentication required'));
  assert.ok(
    isAuthFailure(
      'pull access denied for x, repository does not exist or may require docker login: denied: requested access to the resource is denied',
    ),
  );
  assert.ok(!isAuthFailure('manifest for 127.0.0.1:5000/x:9 not found: manifest unknown'));
  assert.ok(!isAuthFailure('dial tcp: lookup registry-1.docker.io: no such host'));
});
