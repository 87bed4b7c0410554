import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkConfig } from './check.js';
import { formatDiagnostic } from './diagnostic.js';

const print = (text: string, trusted = false) =>
  checkConfig(text, { file: '.drone.yml', trusted }).diagnostics.map((d) =>
    formatDiagnostic('.drone.yml', d),
  );

test('lint findings get positions and everything is sorted by position', () => {
  const text = [
    'kind: pipeline', // 1
    'name: build', // 2
    'steps:', // 3
    '- name: a', // 4
    '  image: alpine', // 5
    '  privileged: true', // 6
    '- name: b', // 7
    '  image: alpine', // 8
    '  depends_on: [zz]', // 9
    '  secrets: [x]', // 10
    '- name: c', // 11
    '  commands: [ls]', // 12
    '---', // 13
    'kind: pipeline', // 14
    'name: build', // 15
    '',
  ].join('\n');
  assert.deepEqual(print(text), [
    '.drone.yml:6:15: steps[0].privileged: untrusted repositories cannot enable privileged mode',
    '.drone.yml:9:16: steps[1].depends_on[0]: unknown step dependency detected: b references zz',
    '.drone.yml:10:3: warning: steps[1].secrets: unknown field',
    '.drone.yml:11:3: steps[2].image: required',
    '.drone.yml:15:7: name: duplicate pipeline name "build"',
  ]);
  assert.deepEqual(print(text, true).length, 4);
});

test('positions follow merges and aliases to where the value is written', () => {
  const text =
    'kind: pipeline\nbase: &base\n  image: alpine\n  privileged: true\nsteps:\n- name: a\n  <<: *base\n';
  assert.deepEqual(print(text), [
    '.drone.yml:4:15: steps[0].privileged: untrusted repositories cannot enable privileged mode',
  ]);
});

test('a field that could not be read is reported once, not again by the linter', () => {
  assert.deepEqual(print('kind: pipeline\nsteps:\n- name: a\n  image: [alpine]\n'), [
    '.drone.yml:4:10: steps[0].image: expected a string, got a list',
  ]);
});

test('file-level problems have no position and come first', () => {
  const { diagnostics } = checkConfig('x'.repeat(5 * 1024 * 1024), { trusted: false });
  assert.equal(diagnostics.length, 1);
  assert.deepEqual(
    [diagnostics[0]!.rule, diagnostics[0]!.line, diagnostics[0]!.doc],
    ['file-too-large', 0, -1],
  );
  assert.equal(
    formatDiagnostic('big.yml', diagnostics[0]!),
    'big.yml: file is too large: 5.0 MB (the limit is 4 MB)',
  );
});

test('the manifest is returned with the diagnostics', () => {
  const { manifest, diagnostics } = checkConfig('kind: pipeline\nsteps:\n- {name: a, image: x}\n', {
    trusted: false,
  });
  assert.deepEqual(diagnostics, []);
  assert.equal(manifest.resources.length, 1);
});
