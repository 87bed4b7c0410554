import assert from 'node:assert/strict';
import { test } from 'node:test';
import { layoutStages } from './graph.js';

const pos = (layout: ReturnType<typeof layoutStages>) =>
  Object.fromEntries(layout.nodes.map((n) => [n.name, [n.col, n.row]]));

test('stages without dependencies sit in one column, by number', () => {
  const layout = layoutStages([
    { name: 'b', number: 2 },
    { name: 'a', number: 1 },
  ]);
  assert.deepEqual(pos(layout), { a: [0, 0], b: [0, 1] });
  assert.deepEqual(layout.edges, []);
  assert.equal(layout.cols, 1);
  assert.equal(layout.rows, 2);
});

test('fan-out and fan-in: a stage goes after its deepest dependency', () => {
  const layout = layoutStages([
    { name: 'build', number: 1 },
    { name: 'test', number: 2, depends_on: ['build'] },
    { name: 'lint', number: 3, depends_on: ['build'] },
    { name: 'deploy', number: 4, depends_on: ['test', 'lint', 'build'] },
  ]);
  assert.deepEqual(pos(layout), { build: [0, 0], test: [1, 0], lint: [1, 1], deploy: [2, 0] });
  assert.equal(layout.cols, 3);
  assert.equal(layout.edges.length, 5);
  assert.ok(layout.edges.every((e) => pos(layout)[e.from]![0]! < pos(layout)[e.to]![0]!));
});

test('children are ordered by their parents rows', () => {
  const layout = layoutStages([
    { name: 'a', number: 1 },
    { name: 'b', number: 2 },
    { name: 'after-b', number: 3, depends_on: ['b'] },
    { name: 'after-a', number: 4, depends_on: ['a'] },
  ]);
  assert.deepEqual(pos(layout)['after-a'], [1, 0]);
  assert.deepEqual(pos(layout)['after-b'], [1, 1]);
});

test('unknown dependencies, self references and cycles never break the layout', () => {
  const layout = layoutStages([
    { name: 'a', number: 1, depends_on: ['ghost', 'a'] },
    { name: 'x', number: 2, depends_on: ['y'] },
    { name: 'y', number: 3, depends_on: ['x'] },
  ]);
  assert.equal(layout.nodes.length, 3);
  assert.deepEqual(pos(layout).a, [0, 0]);
  assert.equal(layoutStages([]).cols, 0);
});
