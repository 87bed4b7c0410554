import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAuthFailure } from './image.js';

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
