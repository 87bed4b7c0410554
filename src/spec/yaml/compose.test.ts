import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { compatPath, compatSkip } from '../../../test/support/compat.js';
import { composeDocument, composeDocuments } from './compose.js';
import type { YMap, YNode } from './node.js';
import { splitDocuments } from './split.js';
import { lookup, toPlain } from './walk.js';

const budget = () => ({ left: 1_000_000 });

function rootMap(text: string): YMap {
  const c = composeDocument(text);
  assert.equal(c.error, undefined);
  assert.equal(c.root?.kind, 'map');
  return c.root as YMap;
}

test('scalars keep their text and whether they were quoted', () => {
  const m = rootMap('a: 1.10\nb: "yes"\nc: yes\nd:\ne: !!str 5\n');
  const get = (k: string) => lookup(m, k, budget())!.value;
  assert.deepEqual(
    ['a', 'b', 'c', 'd', 'e'].map((k) => {
      const n = get(k);
      return n.kind === 'scalar' ? [n.value, n.plain] : n.kind;
    }),
    [
      ['1.10', true],
      ['yes', false],
      ['yes', true],
      ['', true],
      ['5', false],
    ],
  );
});

test('offsets point at nodes; an empty value points at its key', () => {
  const text = 'kind: pipeline\nsteps:\n  - name: "x"\n    image:\n';
  const m = rootMap(text);
  const steps = lookup(m, 'steps', budget())!.value;
  assert.equal(steps.kind, 'seq');
  const step = (steps as { items: YNode[] }).items[0] as YMap;
  assert.equal(text.slice(step.start, step.start + 4), 'name');
  const name = lookup(step, 'name', budget())!.value;
  assert.equal(text.slice(name.start, name.start + 3), '"x"');
  const image = lookup(step, 'image', budget())!;
  assert.equal(image.value.start, image.key.start);
});

test('aliases share the anchored node; merge keys stay as entries', () => {
  const m = rootMap('base: &b {image: golang, pull: always}\nstep:\n  <<: *b\n  name: test\n  pull: never\n');
  const base = lookup(m, 'base', budget())!.value;
  const step = lookup(m, 'step', budget())!.value as YMap;
  assert.equal(step.entries[0]!.merge, true);
  assert.equal(step.entries[0]!.value, base);
  assert.deepEqual(toPlain(step, budget()), { image: 'golang', pull: 'never', name: 'test' });
});

test('a list of merges: the first mapping wins', () => {
  const m = rootMap('a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]\n');
  assert.deepEqual(toPlain(lookup(m, 'c', budget())!.value, budget()), { x: 1, y: 2 });
});

test('duplicate keys are flagged and the last one wins', () => {
  const m = rootMap('type: kubernetes\nname: x\ntype: vm\n');
  assert.equal(m.hasDuplicates, true);
  assert.deepEqual(toPlain(m, budget()), { type: 'vm', name: 'x' });
  assert.equal(rootMap('a: 1\nb: 2\n').hasDuplicates, false);
});

test('syntax errors, unknown and self-referencing anchors are errors with an offset', () => {
  const bad = composeDocument('a: [1, 2\n');
  assert.ok(bad.error!.message.length > 0);
  const unknown = composeDocument('a: *nope\n');
  assert.match(unknown.error!.message, /unknown anchor "nope"/);
  assert.equal(unknown.error!.offset, 3);
  assert.match(composeDocument('a: &x [1, *x]\n').error!.message, /unknown anchor "x"/);
  assert.match(composeDocument('['.repeat(10_000)).error!.message, /maxDepth/);
});

test('empty and comment-only documents have no root', () => {
  assert.equal(composeDocument('').root, null);
  assert.equal(composeDocument('# nothing\n').root, null);
});

test('an alias bomb runs out of budget instead of memory', () => {
  let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
  for (let i = 1; i < 10; i++)
    text += `a${i}: &a${i} [${Array(10)
      .fill(`*a${i - 1}`)
      .join(', ')}]\n`;
  const m = rootMap(text);
  assert.throws(() => toPlain(m, budget()), /too many values/);
});

test('corpus: parsing all documents in one call gives the same trees as one by one', {
  skip: compatSkip(),
}, () => {
  const dir = compatPath('drone-yml');
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.yml'))) {
    const docs = splitDocuments(readFileSync(`${dir}/${f}`, 'utf8'));
    const all = composeDocuments(docs.map((d) => d.text));
    assert.ok(all, f);
    docs.forEach((d, i) => {
      const one = composeDocument(d.text);
      const root = one.root && !(one.root.kind === 'scalar' && one.root.value === '') ? one.root : null;
      const joined = all[i]!.root;
      const jroot =
        joined && !(joined.kind === 'scalar' && joined.value === '' && joined.plain) ? joined : null;
      assert.deepEqual(jroot, root, `${f} document ${i}`);
    });
  }
});

test('one-call parsing gives up on a YAML error, so the caller can place it per document', () => {
  assert.equal(composeDocuments(['a: 1\n', 'b: [\n']), undefined);
  assert.equal(composeDocuments(['a: 1\n', 'b: *x\n']), undefined);
  const ok = composeDocuments(['a: 1\n', '', 'c: 3\n']);
  assert.equal(ok?.length, 3);
});
