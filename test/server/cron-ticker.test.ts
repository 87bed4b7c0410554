// The cron ticker on SQLite and PostgreSQL: every due, enabled job makes exactly one build, shaped
// as Drone's cron builds are (event cron, trigger @cron, the branch head, no SCM status), also
// when two servers tick on one database at the same instant, across a restart, and for a job
// missed while no server ran. Disabled jobs, inactive repositories and missing branches build
// nothing.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { parseSchedule } from '../../src/server/cron/schedule.js';
import { CronTicker, claimOf, runDueCrons } from '../../src/server/cron/ticker.js';
import type { DialectName } from '../../src/server/store/db.js';
import type { Build } from '../../src/server/store/models.js';
import { listBuilds } from '../../src/server/store/queries/builds.js';
import { findCronByName, listCrons } from '../../src/server/store/queries/crons.js';
import { listStagesOfBuild } from '../../src/server/store/queries/stages.js';
import type { Db } from '../../src/server/store/schema.js';
import { freshDatabase } from '../store/harness.js';
import { pgSkip } from '../support/pg.js';
import { aCron, cronRepo, cronRepository, cronTriggerDeps } from './cron-support.js';
import type { WorkRepo } from './trigger-support.js';

let work: WorkRepo;
let head = '';

before(async () => {
  ({ work, head } = await cronRepository());
});
after(async () => {
  await work.remove();
});

const T = new Date('2024-05-01T12:00:20Z');
const sec = (d: Date) => Math.floor(d.getTime() / 1000);
const DAY = 86_400;

function bothDialects(name: string, body: (ctx: Fresh) => Promise<void>): void {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    test(`${name} [${dialect}]`, { skip: dialect === 'postgres' ? pgSkip() : false }, async () => {
      const fresh = await freshDatabase(dialect);
      try {
        const store = await fresh.open();
        await body({ dialect, db: store.db, fresh });
      } finally {
        await fresh.dispose();
      }
    });
  }
}

interface Fresh {
  dialect: DialectName;
  db: Db;
  fresh: Awaited<ReturnType<typeof freshDatabase>>;
}

async function cronBuilds(db: Db, repoId: number): Promise<Build[]> {
  return (await listBuilds(db, repoId, { perPage: 100 })).filter((b) => b.event === 'cron');
}

describe('cron ticker', () => {
  bothDialects('each due, enabled job fires once, as Drone builds it', async ({ db }) => {
    const { owner, repo } = await cronRepo(db, work.dir);
    await aCron(db, repo, 'nightly', { expr: '@daily', next: sec(T) - 100 });
    await aCron(db, repo, 'hourly', { expr: '0 * * * *', next: sec(T) - 5000 });
    await aCron(db, repo, 'off', { expr: '@hourly', next: sec(T) - 100, disabled: true });
    await aCron(db, repo, 'later', { expr: '@hourly', next: sec(T) + 1000 });
    await aCron(db, repo, 'no-branch', { expr: '@hourly', next: sec(T) - 10, branch: 'gone' });
    const deps = cronTriggerDeps(db, T);

    const report = await runDueCrons({ trigger: deps, clock: () => T }, T);
    assert.equal(report.due, 3);
    assert.deepEqual(report.fired.map((f) => f.cron).sort(), ['hourly', 'nightly']);
    assert.deepEqual(
      report.skipped.map((s) => [s.cron, s.reason]),
      [['no-branch', 'cannot find the head of branch gone']],
    );
    assert.equal(report.lost, 0);

    const builds = await cronBuilds(db, repo.id);
    assert.deepEqual(builds.map((b) => b.cron).sort(), ['hourly', 'nightly']);
    for (const b of builds) {
      assert.deepEqual(
        {
          trigger: b.trigger,
          event: b.event,
          ref: b.ref,
          target: b.target,
          source: b.source,
          before: b.before,
          after: b.after,
          status: b.status,
          author_name: b.author_name,
          author_email: b.author_email,
          message: b.message,
        },
        {
          trigger: '@cron',
          event: 'cron',
          ref: 'refs/heads/main',
          target: 'main',
          source: '',
          before: '',
          after: head,
          status: 'pending',
          author_name: 'Jane Doe',
          author_email: 'jane@example.com',
          message: 'ci: nightly\n',
        },
      );
      // The pipeline that runs on cron events, not the push one.
      assert.deepEqual(
        (await listStagesOfBuild(db, b.id)).map((s) => s.name),
        ['nightly'],
      );
    }
    assert.deepEqual(deps.scm.status.sent, [], 'cron builds report no SCM status');
    assert.ok(owner.active);

    const nightly = (await findCronByName(db, repo.id, 'nightly'))!;
    assert.equal(nightly.prev, sec(T) - 100, 'prev = the time that came due');
    assert.equal(nightly.next, sec(new Date('2024-05-02T00:00:00Z')));
    assert.equal(nightly.version, 2);
    const hourly = (await findCronByName(db, repo.id, 'hourly'))!;
    assert.equal(hourly.next, sec(new Date('2024-05-01T13:00:00Z')));
    const off = (await findCronByName(db, repo.id, 'off'))!;
    assert.deepEqual([off.version, off.next, off.prev], [1, sec(T) - 100, 0], 'a disabled job is untouched');
    const noBranch = (await findCronByName(db, repo.id, 'no-branch'))!;
    assert.equal(noBranch.next, sec(new Date('2024-05-01T13:00:00Z')), 'moved on without a build');

    // Nothing is due any more at the same instant.
    const again = await runDueCrons({ trigger: deps, clock: () => T }, T);
    assert.deepEqual([again.due, again.fired.length], [0, 0]);
    assert.equal((await cronBuilds(db, repo.id)).length, 2);
  });

  bothDialects(
    'two servers ticking on one database fire each due job exactly once',
    async ({ db, fresh }) => {
      const { repo } = await cronRepo(db, work.dir);
      const names = ['a', 'b', 'c', 'd', 'e', 'f'];
      for (const [i, name] of names.entries()) {
        await aCron(db, repo, name, { expr: '@hourly', next: sec(T) - 60 * (i + 1) });
      }
      await aCron(db, repo, 'disabled', { expr: '@hourly', next: sec(T) - 60, disabled: true });
      const passes = 3;
      // The other server is another process with its own connection (pool), so the two really
      // contend: for SQLite's write lock, or for the cron rows' locks on PostgreSQL.
      const child = fork(
        fileURLToPath(new URL('./cron-race-child.ts', import.meta.url)),
        [JSON.stringify({ url: fresh.url, options: fresh.options, nowMs: T.getTime(), passes })],
        { execArgv: ['--import', 'tsx'] },
      );
      const exited = new Promise((resolve) => child.once('exit', resolve));
      type Msg = {
        ready?: boolean;
        fired?: { cron: string }[];
        lost?: number;
        statuses?: number;
        error?: string;
      };
      const answer = (key: 'ready' | 'fired') =>
        new Promise<Msg>((resolve, reject) => {
          const onMessage = (m: Msg) => {
            if (m.error) reject(new Error(m.error));
            else if (m[key] !== undefined) resolve(m);
            else return;
            child.off('message', onMessage);
          };
          child.on('message', onMessage);
          child.once('exit', (code) => reject(new Error(`child exited with ${code} before answering`)));
        });
      await answer('ready');
      const fromChild = answer('fired');
      child.send('go');
      const deps = cronTriggerDeps(db, T);
      const mine: string[] = [];
      let lost = 0;
      for (let i = 0; i < passes; i++) {
        const report = await runDueCrons({ trigger: deps, clock: () => T }, T);
        mine.push(...report.fired.map((f) => f.cron));
        lost += report.lost;
      }
      const theirs = await fromChild;
      await exited;

      const fired = [...mine, ...(theirs.fired ?? []).map((f) => f.cron)];
      assert.deepEqual(
        [...fired].sort(),
        names,
        `fired: mine ${mine.join(',')}; theirs ${theirs.fired?.length}`,
      );
      const builds = await cronBuilds(db, repo.id);
      assert.deepEqual(builds.map((b) => b.cron).sort(), names, 'one build per due job');
      assert.deepEqual(
        [...builds.map((b) => b.number)].sort((x, y) => x - y),
        [1, 2, 3, 4, 5, 6],
        'numbers are not shared or skipped',
      );
      for (const cron of await listCrons(db, repo.id)) {
        if (cron.name === 'disabled') assert.equal(cron.version, 1);
        else
          assert.deepEqual([cron.version, cron.next], [2, sec(new Date('2024-05-01T13:00:00Z'))], cron.name);
      }
      assert.equal(deps.scm.status.sent.length + (theirs.statuses ?? 0), 0);
      // Every loss was a job the other server had claimed: nothing fired twice, nothing was missed.
      assert.ok(lost + (theirs.lost ?? 0) <= names.length);
    },
  );

  bothDialects(
    'a job missed while no server ran fires once at start, and not again after a restart',
    async ({ db, fresh }) => {
      const { repo } = await cronRepo(db, work.dir);
      // Due three days ago: three daily runs were missed.
      await aCron(db, repo, 'nightly', { expr: '0 0 * * *', next: sec(T) - 3 * DAY });
      let now = T;
      const first = new CronTicker({ trigger: cronTriggerDeps(db, now), clock: () => now }, 3_600_000);
      first.start();
      const report = await first.tick();
      await first.stop();
      assert.deepEqual(
        report.fired.map((f) => f.cron),
        ['nightly'],
      );
      assert.equal((await cronBuilds(db, repo.id)).length, 1, 'the missed runs fire once, not three times');

      // "Restart": another store on the same database, a new ticker, a little later.
      const again = (await fresh.open()).db;
      now = new Date(T.getTime() + 10_000);
      const second = new CronTicker({ trigger: cronTriggerDeps(again, now), clock: () => now }, 3_600_000);
      second.start();
      const afterRestart = await second.tick();
      await second.stop();
      assert.deepEqual([afterRestart.due, afterRestart.fired.length], [0, 0]);
      assert.equal((await cronBuilds(again, repo.id)).length, 1);

      // The next midnight comes: one more build.
      now = new Date('2024-05-02T00:00:30Z');
      const third = new CronTicker({ trigger: cronTriggerDeps(again, now), clock: () => now }, 3_600_000);
      third.start();
      assert.equal((await third.tick()).fired.length, 1);
      await third.stop();
      const builds = await cronBuilds(db, repo.id);
      assert.equal(builds.length, 2);
      const cron = (await findCronByName(db, repo.id, 'nightly'))!;
      assert.deepEqual(
        [cron.prev, cron.next],
        [sec(new Date('2024-05-02T00:00:00Z')), sec(new Date('2024-05-03T00:00:00Z'))],
      );
    },
  );

  bothDialects('jobs of inactive repositories build nothing, and move on', async ({ db }) => {
    const { repo } = await cronRepo(db, work.dir, { active: false });
    await aCron(db, repo, 'nightly', { next: sec(T) - 10 });
    const report = await runDueCrons({ trigger: cronTriggerDeps(db, T), clock: () => T }, T);
    assert.deepEqual(
      report.skipped.map((s) => s.reason),
      ['the repository is not active'],
    );
    assert.equal((await cronBuilds(db, repo.id)).length, 0);
    assert.equal((await findCronByName(db, repo.id, 'nightly'))!.next, sec(new Date('2024-05-02T00:00:00Z')));
  });
});

test('claimOf: prev is the due time, next the first run after now; a schedule that ends disables the job', () => {
  const base = {
    id: 1,
    repo_id: 1,
    name: 'x',
    expr: '*/15 * * * *',
    next: sec(T) - 50,
    prev: 0,
    event: 'push',
    branch: 'main',
    target: '',
    disabled: false,
    created: 0,
    updated: 0,
    version: 3,
  };
  const c = claimOf(base, T);
  assert.deepEqual(
    [c.prev, c.next, c.version, c.disabled],
    [sec(T) - 50, sec(new Date('2024-05-01T12:15:00Z')), 3, false],
  );
  assert.equal(c.next, sec(parseSchedule(base.expr).next(T)!));
  // A job created with no next time (0) records now as its previous run.
  assert.equal(claimOf({ ...base, next: 0 }, T).prev, sec(T));
  assert.throws(() => claimOf({ ...base, expr: 'nonsense' }, T), /cron expression/);
});
