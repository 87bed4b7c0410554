import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configureGraph, dropNodes, type GraphNode } from './graph.js';

const nodes = (...spec: [string, string[]][]): GraphNode[] =>
  spec.map(([name, dependsOn]) => ({ name, dependsOn }));
const deps = (ns: GraphNode[]) => Object.fromEntries(ns.map((n) => [n.name, n.dependsOn]));

test('no depends_on anywhere: serial chain in order', () => {
  const ns = nodes(['clone', []], ['redis', []], ['build', []], ['test', []]);
  configureGraph(ns, true);
  assert.deepEqual(deps(ns), { clone: [], redis: ['clone'], build: ['redis'], test: ['build'] });
});

test('a DAG: steps without deps depend on clone', () => {
  const ns = nodes(['clone', []], ['build', []], ['lint', []], ['test', ['build']]);
  configureGraph(ns, true);
  assert.deepEqual(deps(ns), { clone: [], build: ['clone'], lint: ['clone'], test: ['build'] });
});

test('a DAG without clone: a sole clone dependency is removed, others kept', () => {
  const ns = nodes(['build', ['clone']], ['test', ['build']], ['both', ['clone', 'build']]);
  configureGraph(ns, false);
  assert.deepEqual(deps(ns), { build: [], test: ['build'], both: ['clone', 'build'] });
});

test('dropNodes rewires around removed steps, transitively, without duplicates', () => {
  const ns = nodes(
    ['clone', []],
    ['a', ['clone']],
    ['b', ['a']],
    ['c', ['b']],
    ['d', ['b', 'a']],
    ['e', ['x']],
  );
  const kept = dropNodes(ns, new Set(['a', 'b']));
  assert.deepEqual(deps(kept), { clone: [], c: ['clone'], d: ['clone'], e: ['x'] });
  const cyc = dropNodes(nodes(['p', ['q']], ['q', ['p']], ['r', ['p']]), new Set(['p', 'q']));
  assert.deepEqual(deps(cyc), { r: [] });
});
