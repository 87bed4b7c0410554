// Cron jobs: names slugified, expressions checked, `next` stored from the injected clock.
import assert from 'node:assert/strict';
import { serverTest } from './harness.js';

const NOW = new Date('2024-03-01T10:30:00Z');
const clock = { now: () => NOW };
const at = (iso: string) => Date.parse(iso) / 1000;

serverTest(
  'create, list, find, update, delete',
  async (s) => {
    const me = await s.user();
    const repo = await s.repo({ default_branch: 'trunk' }, me);
    const base = `/api/repos/${repo.slug}/cron`;
    const created = await s.call('POST', base, {
      token: me.token,
      body: { name: 'Nightly Build', expr: '0 2 * * *' },
    });
    assert.equal(created.status, 200);
    assert.equal(created.json.name, 'nightly-build');
    assert.equal(created.json.branch, 'trunk');
    assert.equal(created.json.event, 'push');
    assert.equal(created.json.next, at('2024-03-02T02:00:00Z'));
    assert.deepEqual(Object.keys(created.json).sort(), [
      'branch',
      'created',
      'disabled',
      'event',
      'expr',
      'id',
      'name',
      'next',
      'prev',
      'repo_id',
      'target',
      'updated',
      'version',
    ]);

    const drone = await s.call('POST', base, {
      token: me.token,
      body: { name: 'hourly', expr: '0 0 * * * *', branch: 'main' },
    });
    assert.equal(drone.json.next, at('2024-03-01T11:00:00Z'));
    const weekly = await s.call('POST', base, { token: me.token, body: { name: 'weekly', expr: '@weekly' } });
    assert.equal(weekly.json.next, at('2024-03-03T00:00:00Z'));

    assert.deepEqual(
      (await s.call('GET', base, { token: me.token })).json.map((c: { name: string }) => c.name),
      ['hourly', 'nightly-build', 'weekly'],
    );
    assert.equal((await s.call('GET', `${base}/hourly`, { token: me.token })).json.branch, 'main');
    assert.equal((await s.call('GET', `${base}/nope`, { token: me.token })).status, 404);

    const disabled = await s.call('PATCH', `${base}/hourly`, {
      token: me.token,
      body: { disabled: true, target: 'prod' },
    });
    assert.equal(disabled.json.disabled, true);
    assert.equal(disabled.json.target, 'prod');
    assert.equal(disabled.json.version, drone.json.version + 1);
    const moved = await s.call('PATCH', `${base}/hourly`, {
      token: me.token,
      body: { expr: '@daily', branch: 'dev' },
    });
    assert.equal(moved.json.expr, '@daily');
    assert.equal(moved.json.next, at('2024-03-02T00:00:00Z'));
    assert.equal(moved.json.branch, 'dev');

    assert.equal((await s.call('DELETE', `${base}/hourly`, { token: me.token })).status, 204);
    assert.equal((await s.call('GET', `${base}/hourly`, { token: me.token })).status, 404);
  },
  { clock },
);

serverTest(
  'bad input: expression, name, branch, duplicates',
  async (s) => {
    const me = await s.user();
    const repo = await s.repo({}, me);
    const base = `/api/repos/${repo.slug}/cron`;
    const cases: [unknown, RegExp][] = [
      [{ name: 'x', expr: '* * *' }, /Invalid Cronjob Expression: .*3 fields/],
      [{ name: 'x', expr: '99 * * * *' }, /Invalid Cronjob Expression/],
      [{ name: 'x', expr: '@sometimes' }, /Invalid Cronjob Expression/],
      [{ name: 'x', expr: '0 0 30 2 *' }, /never/],
      [{ name: '!!!', expr: '@daily' }, /^Invalid Cronjob Name$/],
      [{ name: 'x', expr: '@daily', branch: 'a b' }, /^Invalid Cronjob Branch$/],
      [{ name: 'x', expr: '@daily', branch: 'a..b' }, /^Invalid Cronjob Branch$/],
      [{ name: 'x' }, /expr/],
      [{ expr: '@daily' }, /name/],
    ];
    for (const [body, message] of cases) {
      const res = await s.call('POST', base, { token: me.token, body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.json.message, message);
    }
    await s.call('POST', base, { token: me.token, body: { name: 'x', expr: '@daily' } });
    assert.equal(
      (await s.call('POST', base, { token: me.token, body: { name: 'X', expr: '@hourly' } })).status,
      409,
    );
    assert.equal(
      (await s.call('PATCH', `${base}/x`, { token: me.token, body: { expr: 'nope' } })).status,
      400,
    );
    assert.equal((await s.call('GET', `${base}/x`, { token: me.token })).json.expr, '@daily');
  },
  { clock },
);
