// Badges: status.svg of the latest build of a ref (any caller, as Drone), cc.xml (read access).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { badgeState, badgeSvg, ccXml } from '../../src/server/http/api/badges.js';
import { createBuild } from '../../src/server/store/queries/builds.js';
import type { Build, Repo } from '../../src/server/store/models.js';
import type { Db } from '../../src/server/store/schema.js';
import { serverTest } from './harness.js';

async function build(db: Db, repo: Repo, fields: Partial<Build>): Promise<Build> {
  return createBuild(db, {
    repo_id: repo.id,
    event: 'push',
    ref: 'refs/heads/main',
    target: 'main',
    after: 'a'.repeat(40),
    ...fields,
  });
}

const state = (svg: string) => /<title>build: (\w+)<\/title>/.exec(svg)?.[1];

test('badgeState: Drone mapping of build statuses', () => {
  assert.equal(badgeState(undefined), 'none');
  for (const s of ['pending', 'running', 'blocked'] as const)
    assert.equal(badgeState({ status: s }), 'started');
  assert.equal(badgeState({ status: 'success' }), 'passing');
  assert.equal(badgeState({ status: 'error' }), 'error');
  for (const s of ['failure', 'killed', 'declined', 'skipped'] as const)
    assert.equal(badgeState({ status: s }), 'failing');
  assert.match(badgeSvg('passing'), /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*>.*<\/svg>$/);
});

test('ccXml: sleeping with label and time when done, building when not; escaped attributes', () => {
  const done = ccXml(
    { slug: 'a/b&c' },
    { number: 7, status: 'failure', started: 1_700_000_000 } as Build,
    'http://h/a/b&c/7',
  );
  assert.equal(
    done,
    '<Projects><Project name="a/b&amp;c" activity="Sleeping" lastBuildStatus="Failure" lastBuildLabel="7" lastBuildTime="2023-11-14T22:13:20Z" webUrl="http://h/a/b&amp;c/7"></Project></Projects>',
  );
  const busy = ccXml({ slug: 'a/b' }, { number: 8, status: 'running', started: 1 } as Build, 'l');
  assert.match(busy, /activity="Building" lastBuildStatus="Unknown" lastBuildLabel="Unknown"/);
  assert.match(
    ccXml({ slug: 'a/b' }, { number: 9, status: 'killed', started: 1 } as Build, 'l'),
    /"Exception"/,
  );
  assert.match(
    ccXml({ slug: 'a/b' }, { number: 9, status: 'success', started: 1 } as Build, 'l'),
    /"Success"/,
  );
});

serverTest(
  'status.svg: latest build of the default branch, ?branch=, ?ref=; none for unknown; no caching',
  async (s) => {
    const repo = await s.repo({ default_branch: 'main', visibility: 'public', private: false });
    const url = `/api/badges/${repo.slug}/status.svg`;
    assert.equal(state((await s.call('GET', url)).body), 'none');
    await build(s.db, repo, { status: 'failure' });
    await build(s.db, repo, { status: 'success' });
    await build(s.db, repo, { status: 'running', ref: 'refs/heads/dev', target: 'dev' });
    await build(s.db, repo, { status: 'error', ref: 'refs/tags/v1', event: 'tag' });
    const res = await s.call('GET', url);
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^image\/svg\+xml/);
    assert.match(String(res.headers['cache-control']), /no-cache/);
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.equal(state(res.body), 'passing');
    assert.equal(state((await s.call('GET', `${url}?branch=dev`)).body), 'started');
    assert.equal(state((await s.call('GET', `${url}?ref=refs/tags/v1`)).body), 'error');
    assert.equal(state((await s.call('GET', `${url}?branch=nope`)).body), 'none');
    const unknown = await s.call('GET', '/api/badges/nobody/nothing/status.svg');
    assert.equal(unknown.status, 200);
    assert.equal(state(unknown.body), 'none');
    assert.equal((await s.call('GET', `${url}?ref=${'x'.repeat(600)}`)).status, 400);
  },
);

serverTest(
  'status.svg of a private repo: shown to anyone, as Drone does (README image proxies send no token)',
  async (s) => {
    const repo = await s.repo({ default_branch: 'main' });
    await build(s.db, repo, { status: 'failure' });
    const anonymous = await s.call('GET', `/api/badges/${repo.slug}/status.svg`);
    assert.equal(anonymous.status, 200);
    assert.equal(state(anonymous.body), 'failing');
    // Only the state: no build number, commit or message.
    assert.ok(!anonymous.body.includes('a'.repeat(40)));
  },
);

serverTest('cc.xml: anonymous, no access, read, write, admin; 404 without a build', async (s) => {
  const owner = await s.user();
  const repo = await s.repo({ default_branch: 'main' }, owner);
  const url = `/api/badges/${repo.slug}/cc.xml`;
  const stranger = await s.user();
  const reader = await s.user();
  const writer = await s.user();
  const admin = await s.user();
  await s.grant(reader, repo, 'read');
  await s.grant(writer, repo, 'write');
  await s.grant(admin, repo, 'admin');
  assert.equal((await s.call('GET', url, { token: reader.token })).status, 404, 'no build yet');
  const b = await build(s.db, repo, { status: 'success', started: 1_700_000_000 });
  assert.equal((await s.call('GET', url)).status, 401);
  assert.equal((await s.call('GET', url, { token: stranger.token })).status, 404);
  for (const who of [reader, writer, admin, s.admin]) {
    const res = await s.call('GET', url, { token: who.token });
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^application\/xml/);
    assert.match(res.body, new RegExp(`name="${repo.slug}"`));
    assert.match(res.body, /lastBuildStatus="Success"/);
    assert.match(res.body, new RegExp(`lastBuildLabel="${b.number}"`));
    assert.match(res.body, new RegExp(`webUrl="http://[^"]+/${repo.slug}/${b.number}"`));
  }
  // Public repos: anonymous readers too.
  const pub = await s.repo({ default_branch: 'main', visibility: 'public', private: false });
  await build(s.db, pub, { status: 'failure' });
  const res = await s.call('GET', `/api/badges/${pub.slug}/cc.xml`);
  assert.equal(res.status, 200);
  assert.match(res.body, /lastBuildStatus="Failure"/);
  assert.equal(
    (await s.call('GET', `/api/badges/nobody/nothing/cc.xml`, { token: s.admin.token })).status,
    404,
  );
});
