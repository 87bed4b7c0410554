// Builds: race-free numbering, paging, optimistic locking — on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ConflictError, DuplicateError } from '../../src/server/store/errors.js';
import {
  createBuild,
  findBuild,
  findBuildByNumber,
  findLatestBuild,
  listBuilds,
  listIncompleteBuilds,
  listSupersededBuilds,
  purgeBuilds,
  updateBuild,
} from '../../src/server/store/queries/builds.js';
import { findRepo, nextBuildNumber, updateRepo } from '../../src/server/store/queries/repos.js';
import { listStagesOfBuild } from '../../src/server/store/queries/stages.js';
import { aBuild, aRepo } from './fixtures.js';
import { storeTest } from './harness.js';

storeTest('many concurrent counter increments give distinct, gap-free numbers', async ({ db }) => {
  const repo = await aRepo(db);
  const numbers = await Promise.all(Array.from({ length: 60 }, () => nextBuildNumber(db, repo.id)));
  assert.deepEqual(
    [...numbers].sort((a, b) => a - b),
    Array.from({ length: 60 }, (_, i) => i + 1),
  );
  assert.equal((await findRepo(db, repo.id))?.counter, 60);
});

storeTest('build creators on two connections never share a number', async ({ db, url, options }) => {
  const repo = await aRepo(db);
  // The second creator is another process with its own connection/pool, as a second server would
  // be, so the two really contend: for SQLite's write lock, or for the repo row's lock on PostgreSQL.
  const child = fork(
    fileURLToPath(new URL('./create-builds-child.ts', import.meta.url)),
    [JSON.stringify({ url, options, repoId: repo.id, count: 100 })],
    { execArgv: ['--import', 'tsx'] },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const answer = (key: 'ready' | 'numbers') =>
    new Promise<{ ready?: boolean; numbers?: number[] }>((resolve, reject) => {
      const onMessage = (m: { ready?: boolean; numbers?: number[]; error?: string }) => {
        if (m.error) reject(new Error(m.error));
        else if (m[key] !== undefined) resolve(m);
        else return;
        child.off('message', onMessage);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`child exited with ${code} before answering`)));
    });
  await answer('ready');
  const fromChild = answer('numbers');
  child.send('go');
  const mine: number[] = [];
  for (let i = 0; i < 100; i++) {
    mine.push((await createBuild(db, { repo_id: repo.id })).number);
    // Pacing, so the lock is often free and the child gets its turns mid-run (SQLite's busy
    // handler polls; without gaps a tight loop here would simply finish first).
    await sleep(1);
  }
  const numbers = [...mine, ...((await fromChild).numbers ?? [])];
  await exited;
  assert.equal(new Set(numbers).size, 200, `duplicate numbers in ${numbers.join(',')}`);
  assert.deepEqual(
    [...numbers].sort((a, b) => a - b),
    Array.from({ length: 200 }, (_, i) => i + 1),
  );
  assert.equal((await listBuilds(db, repo.id, { perPage: 100 })).length, 100);
});

storeTest('a build number is never taken twice, even when given explicitly', async ({ db }) => {
  const repo = await aRepo(db);
  const b1 = await createBuild(db, { repo_id: repo.id });
  assert.equal(b1.number, 1);
  await assert.rejects(createBuild(db, { repo_id: repo.id, number: 1 }), DuplicateError);
  // Numbers are per repo.
  const other = await aRepo(db);
  assert.equal((await createBuild(db, { repo_id: other.id })).number, 1);
});

storeTest('a stale build update fails with ConflictError and changes nothing', async ({ db }) => {
  const repo = await aRepo(db);
  const { build } = await aBuild(db, repo);
  assert.equal(build.version, 1);
  const copyA = (await findBuild(db, build.id))!;
  const copyB = (await findBuild(db, build.id))!;
  const saved = await updateBuild(db, { ...copyA, status: 'running', started: 1700000005 });
  assert.equal(saved.version, 2);
  assert.equal(saved.status, 'running');
  const err = await updateBuild(db, { ...copyB, status: 'killed' }).then(
    () => assert.fail('stale update succeeded'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ConflictError);
  assert.equal(err.table, 'build');
  assert.equal(err.version, 1);
  const now = await findBuild(db, build.id);
  assert.equal(now?.status, 'running');
  assert.equal(now?.version, 2);
  // The fresh copy saves fine.
  assert.equal((await updateBuild(db, { ...saved, status: 'success' })).version, 3);
});

storeTest('incrementing the counter makes a stale repo copy conflict', async ({ db }) => {
  const repo = await aRepo(db);
  await nextBuildNumber(db, repo.id);
  // Saving the old copy would write counter 0 back and hand out number 1 again.
  await assert.rejects(updateRepo(db, { ...repo, trusted: true }), ConflictError);
  const fresh = (await findRepo(db, repo.id))!;
  const saved = await updateRepo(db, { ...fresh, trusted: true });
  assert.equal(saved.counter, 1);
  assert.equal(saved.trusted, true);
});

storeTest('builds page newest first with Drone paging bounds', async ({ db }) => {
  const repo = await aRepo(db);
  for (let i = 0; i < 30; i++) {
    await createBuild(db, { repo_id: repo.id, ref: i % 3 === 0 ? 'refs/tags/v1' : 'refs/heads/main' });
  }
  const numbers = async (page: Parameters<typeof listBuilds>[2]) =>
    (await listBuilds(db, repo.id, page)).map((b) => b.number);
  assert.deepEqual(await numbers({ page: 1, perPage: 10 }), [30, 29, 28, 27, 26, 25, 24, 23, 22, 21]);
  assert.deepEqual(await numbers({ page: 2, perPage: 10 }), [20, 19, 18, 17, 16, 15, 14, 13, 12, 11]);
  assert.deepEqual(await numbers({ page: 4, perPage: 10 }), []);
  assert.equal((await numbers({})).length, 25, 'default per_page is 25');
  assert.equal((await numbers({ perPage: 1000 })).length, 30, 'per_page is capped, not rejected');
  assert.deepEqual(await numbers({ page: 0, perPage: 2 }), [30, 29], 'page 0 reads as page 1');
  assert.deepEqual(await numbers({ ref: 'refs/tags/v1', perPage: 3 }), [28, 25, 22]);
  assert.equal((await findLatestBuild(db, repo.id))?.number, 30);
  assert.equal((await findLatestBuild(db, repo.id, 'refs/tags/v1'))?.number, 28);
  assert.equal(await findLatestBuild(db, repo.id, 'refs/heads/nope'), undefined);
  assert.equal((await findBuildByNumber(db, repo.id, 7))?.number, 7);
});

storeTest('a build and its stages are created together', async ({ db }) => {
  const repo = await aRepo(db, { throttle: 2 });
  const { build, stages } = await aBuild(db, repo, 3);
  assert.equal(build.number, 1);
  assert.deepEqual(
    stages.map((s) => [
      s.number,
      s.name,
      s.build_id,
      s.repo_id,
      s.status,
      s.kind,
      s.type,
      s.os,
      s.arch,
      s.version,
    ]),
    [1, 2, 3].map((i) => [
      i,
      `stage-${i}`,
      build.id,
      repo.id,
      'pending',
      'pipeline',
      'docker',
      'linux',
      'amd64',
      1,
    ]),
  );
  assert.deepEqual(await listStagesOfBuild(db, build.id), stages);
});

storeTest('incomplete, superseded and purged builds', async ({ db }) => {
  const repo = await aRepo(db);
  const mk = (status: 'pending' | 'running' | 'success', ref = 'refs/heads/main', event = 'push') =>
    createBuild(db, { repo_id: repo.id, status, ref, event });
  const b1 = await mk('pending');
  const b2 = await mk('running');
  await mk('success');
  await mk('pending', 'refs/heads/dev');
  await mk('pending', 'refs/heads/main', 'pull_request');
  const b6 = await mk('pending');
  assert.deepEqual(
    (await listIncompleteBuilds(db)).map((b) => b.number),
    [1, 2, 4, 5, 6],
  );
  const superseded = (statuses: ('pending' | 'running')[]) =>
    listSupersededBuilds(db, {
      repoId: repo.id,
      event: 'push',
      ref: 'refs/heads/main',
      below: b6.number,
      statuses,
    }).then((bs) => bs.map((b) => b.number));
  assert.deepEqual(await superseded(['pending']), [b1.number]);
  assert.deepEqual(await superseded(['pending', 'running']), [b1.number, b2.number]);
  assert.deepEqual(await superseded([]), []);
  assert.equal(await purgeBuilds(db, repo.id, 3), 2);
  assert.deepEqual(
    (await listBuilds(db, repo.id)).map((b) => b.number),
    [6, 5, 4, 3],
  );
});
