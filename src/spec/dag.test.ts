import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compatJson, compatSkip } from '../../test/support/compat.js';
import { DependencyCycleError, findCycle, PipelineDag, stageDependencies, topoOrder } from './dag.js';

interface Expectation {
  cycles?: boolean;
  ancestors?: Record<string, string[]>;
  ancestor_count?: Record<string, number>;
  dependencies?: Record<string, string[]>;
}

interface DagCase {
  name: string;
  vertices: Array<{ name: string; deps?: string[]; skip?: boolean }>;
  expect: Expectation;
  then?: { mark_skipped: string[]; expect: Expectation };
}

function check(dag: PipelineDag, want: Expectation): void {
  if (want.cycles !== undefined) assert.equal(dag.hasCycle(), want.cycles, 'cycles');
  for (const [name, names] of Object.entries(want.ancestors ?? {})) {
    assert.deepEqual(dag.ancestors(name), names, `ancestors of ${name}`);
  }
  for (const [name, n] of Object.entries(want.ancestor_count ?? {})) {
    assert.equal(dag.ancestors(name).length, n, `ancestor count of ${name}`);
  }
  for (const [name, names] of Object.entries(want.dependencies ?? {})) {
    assert.deepEqual(dag.dependencies(name), names, `dependencies of ${name}`);
  }
}

describe('PipelineDag: drone trigger/dag/dag_test.go', { skip: compatSkip() }, () => {
  const cases = compatSkip() ? [] : compatJson<DagCase[]>('upstream', 'dag-cases.json');
  test('all 13 upstream cases are present', () => assert.equal(cases.length, 13));
  for (const c of cases) {
    test(c.name, () => {
      const dag = new PipelineDag();
      for (const v of c.vertices) dag.add(v.name, v.deps ?? [], v.skip ?? false);
      check(dag, c.expect);
      if (c.then) {
        for (const name of c.then.mark_skipped) dag.setSkipped(name);
        check(dag, c.then.expect);
      }
      // The trigger-level function agrees with the DAG wherever there is no cycle.
      const nodes = c.vertices.map((v) => ({
        name: v.name,
        dependsOn: v.deps ?? [],
        skipped: v.skip ?? false,
      }));
      if (dag.hasCycle() && !c.then) {
        assert.throws(() => stageDependencies(nodes), {
          name: 'DependencyCycleError',
          message: 'Dependency cycle detected in Pipeline',
        });
      } else if (!c.then) {
        const got = stageDependencies(nodes);
        assert.deepEqual(
          [...got.keys()],
          nodes.filter((n) => !n.skipped).map((n) => n.name),
        );
        for (const [name, deps] of got) assert.deepEqual(deps, dag.dependencies(name));
      }
    });
  }
});

describe('stageDependencies: rewiring around pipelines the trigger filtered out', () => {
  const node = (name: string, dependsOn: string[] = [], skipped = false) => ({ name, dependsOn, skipped });

  test('a chain through two skipped pipelines reaches the first kept one', () => {
    const got = stageDependencies([
      node('a'),
      node('b', ['a'], true),
      node('c', ['b'], true),
      node('d', ['c']),
    ]);
    assert.deepEqual(Object.fromEntries(got), { a: [], d: ['a'] });
  });
  test('a dependency reached twice is listed once', () => {
    const got = stageDependencies([node('a'), node('b', ['a'], true), node('c', ['a', 'b'])]);
    assert.deepEqual(got.get('c'), ['a']);
  });
  test('when everything upstream was skipped the stage has no dependencies (starts pending)', () => {
    const got = stageDependencies([node('a', [], true), node('b', ['a'])]);
    assert.deepEqual(got.get('b'), []);
  });
  test('undeclared names are dropped', () => {
    assert.deepEqual(stageDependencies([node('a', ['nope'])]).get('a'), []);
  });
  test('a cycle among skipped pipelines still fails the build, naming the cycle', () => {
    assert.throws(
      () => stageDependencies([node('a', ['b'], true), node('b', ['a'], true), node('c')]),
      (e: unknown) => {
        assert.ok(e instanceof DependencyCycleError);
        assert.equal(e.message, 'Dependency cycle detected in Pipeline');
        assert.deepEqual(e.cycle, ['a', 'b', 'a']);
        return true;
      },
    );
  });
  test('dependencies() terminates even on a cyclic skipped graph', () => {
    const dag = new PipelineDag().add('a', ['b'], true).add('b', ['a'], true).add('c', ['a']);
    assert.deepEqual(dag.dependencies('c'), []);
    assert.deepEqual(dag.ancestors('c'), []);
  });
});

describe('findCycle and topoOrder', () => {
  const g = (o: Record<string, string[]>) => new Map(Object.entries(o));

  test('no cycle: dependencies first, declaration order otherwise', () => {
    assert.equal(findCycle(g({ a: [], b: ['a'], c: [] })), undefined);
    assert.deepEqual(topoOrder(g({ a: [], b: ['a'], c: [] })), ['a', 'b', 'c']);
    assert.deepEqual(topoOrder(g({ x: ['y', 'z'], y: ['z'], z: [] })), ['z', 'y', 'x']);
    assert.deepEqual(topoOrder(g({ d: ['b', 'c'], b: ['a'], c: ['a'], a: [] })), ['a', 'b', 'c', 'd']);
  });
  test('undeclared dependencies are ignored', () => {
    assert.deepEqual(topoOrder(g({ a: ['ghost'] })), ['a']);
  });
  test('self loops and longer cycles are reported with their path', () => {
    assert.deepEqual(findCycle(g({ a: ['a'] })), ['a', 'a']);
    assert.deepEqual(findCycle(g({ s: [], a: ['s', 'b'], b: ['c'], c: ['a'] })), ['a', 'b', 'c', 'a']);
    assert.throws(() => topoOrder(g({ a: ['b'], b: ['a'] })), /Dependency cycle detected: a -> b -> a/);
  });
  test('a diamond is not a cycle', () => {
    assert.equal(findCycle(g({ a: [], b: ['a'], c: ['a'], d: ['b', 'c'] })), undefined);
  });
  test('deep chains do not overflow the stack', () => {
    const chain = new Map<string, string[]>();
    for (let i = 0; i < 50_000; i++) chain.set(`s${i}`, i === 0 ? [] : [`s${i - 1}`]);
    assert.equal(findCycle(chain), undefined);
    assert.equal(topoOrder(chain).at(-1), 's49999');
    chain.set('s0', ['s49999']);
    assert.equal(findCycle(chain)?.length, 50_001);
  });
});
