import assert from 'node:assert/strict';
import { test } from 'node:test';
import { elapsed, firstLine, formatDuration, refName, timeAgo } from './format.js';
import { applyRepoEvent, matchesSearch, parseRepoEvent, upsertBuild } from './live.js';
import { isDone, isFailed, statusTone, whyWaiting } from './status.js';
import { TokenStore } from './token.js';
import type { Build, Repo, Stage } from './types.js';
import { lineFromHash, safeNext, urls } from './urls.js';

test('durations, elapsed time and relative times', () => {
  assert.equal(formatDuration(5), '5s');
  assert.equal(formatDuration(65), '1m 05s');
  assert.equal(formatDuration(3720), '1h 02m');
  assert.equal(elapsed(100, 160, 999), 60);
  assert.equal(elapsed(100, 0, 130), 30);
  assert.equal(elapsed(0, 0, 130), undefined);
  assert.equal(timeAgo(1000, 1010), 'just now');
  assert.equal(timeAgo(1000, 1000 + 60), '1 minute ago');
  assert.equal(timeAgo(1000, 1000 + 7200), '2 hours ago');
  assert.equal(timeAgo(0, 5), 'never');
  assert.equal(timeAgo(1000 + 600, 1000), 'in 10 min');
});

test('refs and messages', () => {
  assert.equal(refName('refs/heads/main'), 'main');
  assert.equal(refName('refs/tags/v1.0'), 'v1.0');
  assert.equal(refName('refs/pull/42/head'), '#42');
  assert.equal(refName('refs/merge-requests/7/head'), '#7');
  assert.equal(firstLine('fix: x\n\nbody'), 'fix: x');
});

test('statuses: done, failed, tone', () => {
  assert.equal(isDone('running'), false);
  assert.equal(isDone('blocked'), false);
  assert.equal(isDone('skipped'), true);
  assert.equal(isFailed('killed'), true);
  assert.equal(isFailed('declined'), false);
  assert.equal(statusTone('declined'), 'bad');
  assert.equal(statusTone('blocked'), 'hold');
});

const stage = (s: Partial<Stage>): Stage =>
  ({ id: 1, number: 1, name: 's', status: 'pending', os: 'linux', arch: 'amd64', ...s }) as Stage;

test('why a stage waits: approval, dependencies, a runner for its platform and labels', () => {
  const build = stage({ name: 'build', status: 'running' });
  const test1 = stage({ name: 'test', status: 'waiting_on_dependencies', depends_on: ['build'] });
  assert.equal(whyWaiting(test1, [build, test1]), 'Waiting for build to finish.');
  assert.match(whyWaiting(stage({ status: 'blocked' }), []) ?? '', /approval/);
  assert.equal(
    whyWaiting(stage({ arch: 'arm64', type: 'docker', labels: { gpu: 'yes' } }), []),
    'Waiting for a docker runner for linux/arm64 with labels gpu=yes.',
  );
  assert.equal(whyWaiting(stage({ machine: 'r1' }), []), 'Accepted by runner r1; starting.');
  assert.equal(whyWaiting(build, [build]), undefined);
});

const build = (number: number, extra: Partial<Build> = {}) =>
  ({ number, status: 'pending', version: 1, ...extra }) as Build;

test('live build events update the list in place and never go back in version', () => {
  let list = [build(2), build(1)];
  list = upsertBuild(list, build(3));
  assert.deepEqual(
    list.map((b) => b.number),
    [3, 2, 1],
  );
  list = upsertBuild(list, build(2, { status: 'running', version: 3 }));
  assert.equal(list[1]!.status, 'running');
  list = upsertBuild(list, build(2, { status: 'pending', version: 2 }));
  assert.equal(list[1]!.status, 'running');
  assert.equal(upsertBuild(list, build(9), 3).length, 3);
});

test('repo events give the repo its newest build; search matches every word', () => {
  const repos = [{ slug: 'a/b' }, { slug: 'c/d', build: build(5) }] as Repo[];
  const next = applyRepoEvent(repos, { slug: 'c/d', build: build(6) } as Repo);
  assert.equal(next[1]!.build!.number, 6);
  assert.equal(applyRepoEvent(next, { slug: 'c/d', build: build(4) } as Repo)[1]!.build!.number, 6);
  assert.equal(parseRepoEvent('{"slug":"a/b"}')?.slug, 'a/b');
  assert.equal(parseRepoEvent('oops'), undefined);
  assert.ok(matchesSearch({ slug: 'octocat/Hello-World' }, 'oct hello'));
  assert.ok(!matchesSearch({ slug: 'octocat/Hello-World' }, 'oct bye'));
  assert.ok(matchesSearch({ slug: 'x/y' }, '  '));
});

test('URLs: build and step pages, line anchors, safe next', () => {
  assert.equal(urls.step('o/n', 3, 1, 2), '/o/n/3/1/2');
  assert.equal(urls.orgSecrets('my org'), '/orgs/my%20org/secrets');
  assert.equal(lineFromHash('#L12'), 12);
  assert.equal(lineFromHash('#x'), undefined);
  assert.equal(safeNext('//evil.test'), '/');
  assert.equal(safeNext('https://evil.test'), '/');
  assert.equal(safeNext('/o/n/3'), '/o/n/3');
});

test('the token store keeps one trimmed token and survives a broken storage', () => {
  const map = new Map<string, string>();
  const store = new TokenStore({
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  });
  assert.equal(store.get(), undefined);
  store.set('  abc \n');
  assert.equal(store.get(), 'abc');
  store.clear();
  assert.equal(store.get(), undefined);
  const broken = new TokenStore({
    getItem: () => {
      throw new Error('denied');
    },
    setItem: () => {},
    removeItem: () => {},
  });
  assert.equal(broken.get(), undefined);
});
