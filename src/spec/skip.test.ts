import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compatJson, compatSkip } from '../../test/support/compat.js';
import { skipDirective } from './skip.js';

interface SkipCase {
  event: string;
  message: string;
  title: string;
  skip: boolean;
}

describe('skipDirective: drone trigger/skip_test.go', { skip: compatSkip() }, () => {
  const cases = compatSkip() ? [] : compatJson<SkipCase[]>('upstream', 'skip-message-cases.json');
  for (const [i, c] of cases.entries()) {
    test(`#${i} ${c.event} message=${JSON.stringify(c.message)} title=${JSON.stringify(c.title)}`, () => {
      assert.equal(skipDirective(c.event, c.message, c.title), c.skip);
    });
  }
});

describe('skipDirective: more', () => {
  test('the directive may sit anywhere, on any line', () => {
    assert.equal(skipDirective('push', 'fix typo\n\nlong body\n[Skip Ci]\n', ''), true);
    assert.equal(skipDirective('pull_request', 'real change', 'WIP ***no_ci***'), true);
  });
  test('near misses do not skip', () => {
    for (const m of [
      '[ci  skip]',
      'ci skip',
      '[skip-ci]',
      '[ci-skip]',
      '**no_ci**',
      '[skip ci',
      'skip ci]',
    ]) {
      assert.equal(skipDirective('push', m, ''), false, m);
    }
  });
  test('events started on purpose are never skipped', () => {
    for (const e of ['tag', 'cron', 'custom', 'promote', 'rollback']) {
      assert.equal(skipDirective(e, '[skip ci]', '[ci skip]'), false, e);
    }
  });
  test('empty texts do not skip', () => {
    assert.equal(skipDirective('push', '', ''), false);
  });
});
