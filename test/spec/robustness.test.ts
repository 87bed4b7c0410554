// Bad input never crashes checkConfig: each case gives a clear diagnostic with a position (or a
// file-level one) instead of an exception, a hang or a stack trace.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkConfig } from '../../src/spec/check.js';
import type { Diagnostic } from '../../src/spec/diagnostic.js';
import { LINT_RULES } from '../../src/spec/lint/index.js';
import { PARSE_RULES } from '../../src/spec/manifest/rules.js';

function check(text: string): Diagnostic[] {
  const { diagnostics } = checkConfig(text, { file: '.drone.yml', trusted: false });
  for (const d of diagnostics) {
    assert.ok(d.line >= 1 || d.doc === -1, `${d.message} has a position or is file-level`);
    assert.ok(d.rule in PARSE_RULES || d.rule in LINT_RULES, `unlisted rule ${d.rule}`);
    assert.ok(d.message.length > 0 && !/\n\s+at /.test(d.message), 'no stack traces');
  }
  return diagnostics;
}

const summary = (ds: Diagnostic[]) => ds.map((d) => `${d.line}:${d.col} ${d.rule}`);

test('invalid YAML', () => {
  assert.deepEqual(summary(check('kind: pipeline\nsteps:\n  - name: a\n    image: "unterminated\n')), [
    '5:1 yaml-syntax',
  ]);
  assert.deepEqual(summary(check('kind: pipeline\nsteps:\n\t- name: x\n')), ['3:1 yaml-syntax']);
  const ds = check('%ERROR\n');
  assert.equal(ds[0]!.rule, 'yaml-syntax');
  assert.match(ds[0]!.message, /^invalid YAML: /);
});

test('wrong types everywhere', () => {
  const ds = check(
    'kind: pipeline\nname: [a]\nplatform: [linux]\nclone: yes\ntrigger: 3\nvolumes: {a: b}\nnode: [1]\n' +
      'concurrency: 1\ndepends_on: {a: b}\nworkspace: x\nsteps: 5\nservices: [1, [2]]\nenvironment: [A]\n',
  );
  assert.deepEqual(
    ds.map((d) => d.message),
    [
      'name: expected a string, got a list',
      'platform: expected a mapping (os, arch, variant, version), got a list',
      'clone: expected a mapping (disable, depth, retries, skip_verify, trace), got a boolean',
      'trigger: expected a mapping of conditions (branch, event, ref, …), got a number',
      'volumes: expected a list of volumes, got a mapping',
      'node: expected a mapping of strings, got a list',
      'concurrency: expected a mapping (limit), got a number',
      'depends_on: expected a list of strings, got a mapping',
      'workspace: expected a mapping (base, path), got a string',
      'steps: expected a list of steps, got a number',
      'services[0]: expected a service (a mapping), got a number',
      'services[1]: expected a service (a mapping), got a list',
      'environment: expected a mapping of variables, got a list',
    ],
  );
});

test('a file over the size limit is refused before parsing', () => {
  const ds = check(`kind: pipeline\n${'# padding\n'.repeat(1_000_000)}`);
  assert.deepEqual(
    ds.map((d) => [d.rule, d.message, d.line]),
    [['file-too-large', 'file is too large: 9.5 MB (the limit is 4 MB)', 0]],
  );
});

test('deep nesting: 10 000 brackets, deep block maps, deep alias chains', () => {
  assert.deepEqual(summary(check('['.repeat(10_000))), ['1:100 yaml-syntax']);
  let block = 'kind: pipeline\n';
  for (let i = 0; i < 150; i++) block += `${' '.repeat(i)}k${i}:\n`;
  assert.equal(check(block)[0]!.rule, 'yaml-syntax');
  // Each anchor nests the previous one 90 levels deeper: no single node is deep, the expansion is.
  const nest = (inner: string) => `${'['.repeat(90)}${inner}${']'.repeat(90)}`;
  let chain = `a0: &a0 ${nest('x')}\n`;
  for (let i = 1; i < 300; i++) chain += `a${i}: &a${i} ${nest(`*a${i - 1}`)}\n`;
  assert.deepEqual(
    check(`${chain}kind: cron\n`).map((d) => [d.rule, d.message]),
    [['yaml-depth', 'the document is nested too deeply']],
  );
});

test('an alias bomb is stopped', () => {
  let text =
    'kind: pipeline\nsteps:\n- name: a\n  image: b\n  settings:\n    x: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
  for (let i = 1; i < 9; i++)
    text += `    x${i}: &a${i} [${Array(9)
      .fill(`*a${i - 1}`)
      .join(', ')}]\n`;
  assert.deepEqual(
    check(text).map((d) => [d.rule, d.message]),
    [['yaml-aliases', 'the document expands to too many values through aliases']],
  );
});

test('binary garbage and NUL bytes', () => {
  const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
  const ds = check(bytes.toString('latin1'));
  assert.deepEqual(
    ds.map((d) => [d.rule, d.message]),
    [['binary-file', 'the file contains NUL bytes (is it a binary file?)']],
  );
  assert.deepEqual(summary(check('kind: pipeline\nname: a\0b\n')), ['2:8 binary-file']);
  // Control characters without NUL: still a YAML error, not an exception.
  const noNul = Buffer.from(Array.from({ length: 2048 }, (_, i) => 1 + ((i * 7919) % 255))).toString(
    'latin1',
  );
  assert.ok(check(noNul).length > 0);
  assert.ok(
    check(Buffer.from(Array.from({ length: 2048 }, (_, i) => 1 + ((i * 31) % 255))).toString('utf8')).length >
      0,
  );
});

test('a byte-order mark and CRLF line endings are read normally, positions unchanged', () => {
  const text =
    '\ufeffkind: pipeline\r\nsteps:\r\n- name: a\r\n  image: [x]\r\n---\r\nkind: pipeline\r\nname: b\r\nfoo: 1\r\n';
  assert.deepEqual(
    check(text).map((d) => `${d.line}:${d.col} ${d.message}`),
    ['4:10 steps[0].image: expected a string, got a list', '8:1 foo: unknown field'],
  );
});

test('too many documents, too many problems', () => {
  assert.deepEqual(summary(check('---\n'.repeat(20_000))), ['0:0 too-many-documents']);
  const many = `kind: pipeline\n${Array.from({ length: 3000 }, (_, i) => `k${i}: 1`).join('\n')}\n`;
  const ds = check(many);
  assert.equal(ds.length, 1001);
  assert.deepEqual(
    [ds[1000]!.rule, ds[1000]!.message],
    ['too-many-diagnostics', '2000 more problems not shown'],
  );
});

test('odd but valid YAML: tags, complex keys, __proto__ keys, huge numbers', () => {
  const ds = check(
    'kind: !!str pipeline\nnode: {__proto__: x}\n? [complex]\n: key\nclone: {depth: 99999999999999999999}\n' +
      'steps:\n- name: a\n  image: b\n  environment: {__proto__: {from_secret: x}}\n  settings: {__proto__: {a: 1}}\n',
  );
  assert.deepEqual(
    ds.map((d) => d.message),
    ['?: unknown field', 'clone.depth: integer out of range: 99999999999999999999'],
  );
  const { manifest } = checkConfig('kind: pipeline\nnode: {__proto__: x}\n', { trusted: true });
  const p = manifest.resources[0] as { node: Record<string, string> };
  assert.equal(Object.getPrototypeOf(p.node), Object.prototype);
  assert.deepEqual(Object.entries(p.node), [['__proto__', 'x']]);
});

test('non-string input does not throw', () => {
  for (const bad of [undefined, null, 42, {}, Buffer.from('kind: pipeline')]) {
    const { diagnostics } = checkConfig(bad as unknown as string, { trusted: false });
    assert.deepEqual(
      diagnostics.map((d) => d.rule),
      ['invalid-input'],
    );
  }
});
