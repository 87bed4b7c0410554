import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stepGraph } from './graph.js';

const s = (name: string, dependsOn: string[] = []) => ({ name, dependsOn });

test('no depends_on anywhere: a serial chain in plan order', () => {
  const g = stepGraph([s('clone'), s('a'), s('b')]);
  assert.ok(g.ok);
  assert.deepEqual(
    [...g.deps],
    [
      ['clone', []],
      ['a', ['clone']],
      ['b', ['a']],
    ],
  );
});

test('with depends_on: exactly the named dependencies (duplicates collapsed)', () => {
  const g = stepGraph([
    s('clone'),
    s('a', ['clone']),
    s('b', ['clone', 'clone']),
    s('c', ['a', 'b']),
    s('d'),
  ]);
  assert.ok(g.ok);
  assert.deepEqual(g.deps.get('b'), ['clone']);
  assert.deepEqual(g.deps.get('c'), ['a', 'b']);
  assert.deepEqual(g.deps.get('d'), []);
});

test('unknown dependencies, self references, cycles and duplicate names are refused', () => {
  assert.deepEqual(stepGraph([s('a', ['x'])]), { ok: false, error: 'step "a" depends on unknown step "x"' });
  assert.deepEqual(stepGraph([s('a', ['a'])]), { ok: false, error: 'step "a" depends on itself' });
  const cyc = stepGraph([s('a', ['c']), s('b', ['a']), s('c', ['b'])]);
  assert.equal(cyc.ok, false);
  assert.match(cyc.ok ? '' : cyc.error, /^dependency cycle: (\w → ){3}\w$/);
  assert.deepEqual(stepGraph([s('a'), s('a')]), { ok: false, error: 'duplicate step name "a"' });
});
