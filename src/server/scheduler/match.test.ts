import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fairOrder, holdOf } from './limits.js';
import { filterKey, mismatch, normalizeFilter } from './match.js';

const stage = {
  kind: 'pipeline',
  type: 'docker',
  os: 'linux',
  arch: 'amd64',
  variant: '',
  kernel: '',
  labels: {},
};

test('normalizeFilter fills Drone defaults and ignores ill-typed fields', () => {
  assert.deepEqual(normalizeFilter({ os: 'linux', labels: { a: 'b', n: 1 }, kind: 7 }), {
    kind: 'pipeline',
    type: 'docker',
    os: 'linux',
    arch: '',
    variant: '',
    kernel: '',
    labels: { a: 'b' },
  });
  assert.deepEqual(normalizeFilter(null).labels, {});
  assert.equal(
    filterKey(normalizeFilter({ labels: { b: '2', a: '1' } })),
    filterKey(normalizeFilter({ labels: { a: '1', b: '2' } })),
  );
});

test('mismatch explains each refusal', () => {
  const runner = normalizeFilter({ os: 'linux', arch: 'arm64', labels: { gpu: 'yes' } });
  assert.match(mismatch(runner, stage, 'exact') ?? '', /platform linux\/arm64, the stage needs linux\/amd64/);
  assert.match(
    mismatch(normalizeFilter({ type: 'exec' }), stage, 'exact') ?? '',
    /runs pipeline\/exec pipelines/,
  );
  assert.match(
    mismatch(normalizeFilter({ labels: { gpu: 'yes' } }), stage, 'exact') ?? '',
    /needs exactly \{\}/,
  );
  assert.equal(mismatch(normalizeFilter({ labels: { gpu: 'yes' } }), stage, 'subset'), undefined);
  assert.match(
    mismatch(normalizeFilter({}), { ...stage, labels: { gpu: 'yes' } }, 'subset') ?? '',
    /lack \{gpu:yes\}/,
  );
});

test('holdOf counts older and running stages of the pipeline, and older stages of the repo', () => {
  const s = (id: number, fields: object = {}) => ({
    id,
    repo_id: 1,
    name: 'deploy',
    status: 'pending' as const,
    limit: 0,
    throttle: 0,
    ...fields,
  });
  const limited = s(3, { limit: 1 });
  assert.equal(holdOf(limited, [s(1, { name: 'other' }), limited]), undefined);
  assert.deepEqual(holdOf(limited, [s(1), limited]), { kind: 'concurrency', limit: 1, ahead: [1] });
  // A newer stage already running counts too (Drone's rule).
  assert.deepEqual(holdOf(limited, [limited, s(5, { status: 'running' })])?.ahead, [5]);
  const throttled = s(4, { throttle: 2 });
  assert.equal(holdOf(throttled, [s(1, { name: 'a' }), throttled]), undefined);
  assert.deepEqual(holdOf(throttled, [s(1), s(2, { repo_id: 9 }), s(3), throttled])?.ahead, [1, 3]);
});

test('fairOrder: round robin over repos by place in line, then age', () => {
  const st = (id: number, repo_id: number) => ({ id, repo_id });
  const pending = [st(1, 1), st(2, 1), st(3, 1), st(4, 2), st(5, 3), st(6, 2)];
  assert.deepEqual(
    fairOrder(pending).map((s) => s.id),
    [1, 4, 5, 2, 6, 3],
  );
  // Repo 1 already has a stage running: the others go first.
  assert.deepEqual(
    fairOrder([st(2, 1), st(4, 2)], [st(1, 1), st(2, 1), st(4, 2)]).map((s) => s.id),
    [4, 2],
  );
});
