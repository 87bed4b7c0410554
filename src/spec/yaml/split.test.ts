import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compatJson, compatSkip } from '../../../test/support/compat.js';
import { splitDocuments } from './split.js';

interface RawSplitCase {
  data: string;
  want: Array<{ kind: string; data: string }> | null;
}

test('raw-split-cases.json: documents split as drone-yaml ParseRaw does', { skip: compatSkip() }, () => {
  const cases = compatJson<RawSplitCase[]>('upstream', 'raw-split-cases.json');
  assert.equal(cases.length, 9);
  for (const c of cases) {
    const got = splitDocuments(c.data).map((d) => d.text);
    assert.deepEqual(
      got,
      (c.want ?? []).map((w) => w.data),
      JSON.stringify(c.data),
    );
  }
});

test('a line starting with --- starts a document, whatever follows it on the line', () => {
  const docs = splitDocuments('a: 1\n--- # comment\nb: 2\n----\nc: 3\n');
  assert.deepEqual(
    docs.map((d) => [d.text, d.line, d.index]),
    [
      ['a: 1\n', 1, 0],
      ['b: 2\n', 3, 1],
      ['c: 3\n', 5, 2],
    ],
  );
});

test('a line starting with ... ends the file', () => {
  assert.deepEqual(
    splitDocuments('---\na: 1\n...\nnot: yaml: at: all\n').map((d) => d.text),
    ['a: 1\n'],
  );
  assert.deepEqual(
    splitDocuments('...').map((d) => d.text),
    [],
    'a terminator on the first line: no document at all (drone-yaml ParseRaw)',
  );
});

test('CRLF line endings are dropped as Go line scanning drops them', () => {
  const docs = splitDocuments('a: 1\r\n---\r\nb: "x\ry"\r\nc: 2\r');
  assert.deepEqual(
    docs.map((d) => d.text),
    ['a: 1\n', 'b: "x\ry"\nc: 2\n'],
  );
  assert.equal(docs[1]!.line, 3);
});

test('separators without content make empty documents; an empty file has none', () => {
  assert.deepEqual(splitDocuments(''), []);
  assert.deepEqual(
    splitDocuments('---\n---\n').map((d) => [d.text, d.line]),
    [
      ['', 2],
      ['', 3],
    ],
  );
  assert.deepEqual(
    splitDocuments('# only a comment\n---\nkind: a\n').map((d) => d.text),
    ['# only a comment\n', 'kind: a\n'],
  );
});
