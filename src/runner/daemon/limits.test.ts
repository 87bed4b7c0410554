import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withinLimits } from './limits.js';

const none = { repos: [], events: [], trusted: false };
const repo = (slug: string, trusted = false) => ({ slug, trusted });

test('no limits: everything runs', () => {
  assert.equal(withinLimits(none, repo('a/b'), { event: 'push' }), true);
});

test('repos and events are globs (filepath.Match: * stays within the owner or name)', () => {
  const l = { ...none, repos: ['octocat/*', 'acme/api'], events: ['push', 'pull_*'] };
  assert.equal(withinLimits(l, repo('octocat/hello'), { event: 'push' }), true);
  assert.equal(withinLimits(l, repo('acme/api'), { event: 'pull_request' }), true);
  assert.equal(withinLimits(l, repo('acme/web'), { event: 'push' }), false);
  assert.equal(withinLimits(l, repo('octocat/hello'), { event: 'tag' }), false);
  assert.equal(withinLimits({ ...none, repos: ['*'] }, repo('octocat/hello'), { event: 'push' }), false);
});

test('trusted only', () => {
  const l = { ...none, trusted: true };
  assert.equal(withinLimits(l, repo('a/b', false), { event: 'push' }), false);
  assert.equal(withinLimits(l, repo('a/b', true), { event: 'push' }), true);
});
