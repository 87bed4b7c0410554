import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHookBody, remoteHookOf, sameHookUrl } from './webhooks-http.js';

test('sameHookUrl: scheme and host case and a trailing slash do not matter; path, port and query do', () => {
  assert.ok(sameHookUrl('https://ci.example.com/hook', 'https://CI.example.com/hook/'));
  assert.ok(!sameHookUrl('https://ci.example.com/hook', 'http://ci.example.com/hook'));
  assert.ok(!sameHookUrl('https://ci.example.com/hook', 'https://ci.example.com:8443/hook'));
  assert.ok(!sameHookUrl('https://ci.example.com/hook', 'https://ci.example.com/other'));
  assert.ok(!sameHookUrl('https://ci.example.com/hook', 'https://ci.example.com/hook?x=1'));
});

test('remoteHookOf reads config.url (GitHub, Gitea) or url (GitLab); entries without an id are skipped', () => {
  assert.deepEqual(remoteHookOf('github', { id: 7, config: { url: 'https://a/hook' } }), {
    id: 7,
    url: 'https://a/hook',
  });
  assert.deepEqual(remoteHookOf('gitea', { id: 8, config: { url: 'https://b/hook' } }), {
    id: 8,
    url: 'https://b/hook',
  });
  assert.deepEqual(remoteHookOf('gitlab', { id: 9, url: 'https://c/hook' }), {
    id: 9,
    url: 'https://c/hook',
  });
  assert.equal(remoteHookOf('github', { config: { url: 'https://a/hook' } }), undefined);
  assert.deepEqual(remoteHookOf('github', { id: 3 }), { id: 3, url: '' });
});

test('createHookBody: JSON deliveries signed with the secret, for every SCM', () => {
  assert.deepEqual(createHookBody('github', 'https://ci/hook', 's3cret').config, {
    url: 'https://ci/hook',
    content_type: 'json',
    secret: 's3cret',
    insecure_ssl: '0',
  });
  assert.equal(createHookBody('gitea', 'https://ci/hook', 's3cret').type, 'gitea');
  assert.equal(createHookBody('gitlab', 'https://ci/hook', 's3cret').token, 's3cret');
});
