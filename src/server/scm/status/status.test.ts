import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Build, Repo } from '../../store/models.js';
import { providerState } from './http.js';
import {
  commitStatusOf,
  StatusRecorder,
  slugify,
  statusContext,
  statusDescription,
  statusState,
} from './status.js';

// drone service/status util_test.go, case by case.
test('contexts', () => {
  assert.equal(statusContext('', 'pull_request'), 'continuous-integration/drone/pr');
  assert.equal(statusContext('', 'push'), 'continuous-integration/drone/push');
  assert.equal(statusContext('', 'tag'), 'continuous-integration/drone/tag');
  assert.equal(statusContext('', 'promote', 'production'), 'continuous-integration/drone/promote/production');
  assert.equal(
    statusContext('', 'promote', '$production%'),
    'continuous-integration/drone/promote/production',
  );
  assert.equal(statusContext('', 'unknown'), 'continuous-integration/drone');
  assert.equal(statusContext('drone', 'push'), 'drone/push');
  assert.equal(statusContext(undefined, 'cron'), 'continuous-integration/drone');
  assert.equal(slugify('Prod EU (west)'), 'prod-eu-west');
});

test('descriptions and states', () => {
  const table: [string, string, string][] = [
    ['blocked', 'Build is pending approval', 'pending'],
    ['declined', 'Build was declined', 'canceled'],
    ['error', 'Build encountered an error', 'error'],
    ['failure', 'Build is failing', 'failure'],
    ['killed', 'Build was killed', 'canceled'],
    ['success', 'Build is passing', 'success'],
    ['waiting_on_dependencies', 'Build is pending', 'pending'],
    ['pending', 'Build is pending', 'pending'],
    ['running', 'Build is running', 'pending'],
    ['skipped', 'Build was skipped', 'unknown'],
    ['unknown', 'Build is in an unknown state', 'unknown'],
  ];
  for (const [status, desc, state] of table) {
    assert.equal(statusDescription(status), desc, status);
    assert.equal(statusState(status), state, status);
  }
});

const repo = { slug: 'acme/app', scm: 'github' } as Repo;
const build = (fields: Partial<Build>) =>
  ({ number: 7, status: 'running', event: 'push', after: 'abc', deploy_to: '', ...fields }) as Build;

test('a build status: title, link; none for cron builds, when disabled, or without a commit', () => {
  assert.deepEqual(commitStatusOf(repo, build({}), { link: 'https://ci.example.com/' }), {
    slug: 'acme/app',
    sha: 'abc',
    context: 'continuous-integration/drone/push',
    state: 'pending',
    description: 'Build is running',
    title: 'Build #7',
    target: 'https://ci.example.com/acme/app/7',
  });
  assert.equal(commitStatusOf(repo, build({ event: 'cron' }), { link: 'x' }), undefined);
  assert.equal(commitStatusOf(repo, build({}), { link: 'x', disabled: true }), undefined);
  assert.equal(commitStatusOf(repo, build({ after: '' }), { link: 'x' }), undefined);
  const rec = new StatusRecorder({ link: 'x', name: 'hangar' });
  return rec.send({ repo, build: build({ status: 'success' }) }).then(() => {
    assert.deepEqual(
      rec.sent.map((s) => [s.context, s.state]),
      [['hangar/push', 'success']],
    );
  });
});

test('state names per SCM, as go-scm converts them', () => {
  assert.deepEqual(
    (['pending', 'running', 'success', 'failure', 'canceled', 'error', 'unknown'] as const).map((s) => [
      providerState('github', s),
      providerState('gitea', s),
      providerState('gitlab', s),
    ]),
    [
      ['pending', 'pending', 'pending'],
      ['pending', 'pending', 'running'],
      ['success', 'success', 'success'],
      ['failure', 'failure', 'failed'],
      ['error', 'error', 'canceled'],
      ['error', 'error', 'failed'],
      ['error', 'error', 'failed'],
    ],
  );
});
