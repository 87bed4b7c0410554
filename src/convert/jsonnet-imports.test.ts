import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findImports, JsonnetScanError, resolveImport } from './jsonnet-imports.js';

const paths = (src: string) => findImports(src).map((r) => `${r.kind} ${r.path}`);

test('findImports: every literal form, with positions', () => {
  const src = [
    'local a = import "a.libsonnet";',
    "local b = importstr 'b.txt';",
    'local c = importbin @"c""q.bin";',
    "local d = import @'d\\e.libsonnet';",
    'local e = import /* why */ "e\\u002flib.libsonnet";',
    '{ x: importstr "x\\"y" }',
  ].join('\n');
  const refs = findImports(src);
  assert.deepEqual(
    refs.map((r) => `${r.kind} ${r.path} ${r.line}:${r.col}`),
    [
      'import a.libsonnet 1:11',
      'importstr b.txt 2:11',
      'importbin c"q.bin 3:11',
      'import d\\e.libsonnet 4:11',
      'import e/lib.libsonnet 5:11',
      'importstr x"y 6:6',
    ],
  );
});

test('findImports: keywords inside comments, strings and text blocks are not imports', () => {
  const src = [
    '// import "c1"',
    '# import "c2"',
    '/* import "c3" */',
    'local s = "import \\"s1\\"";',
    'local t = \'import "s2"\';',
    'local v = @"import ""s3""";',
    'local b = |||',
    '  import "b1"',
    '',
    '    import "b2"',
    '|||;',
    'local myimport = 1;',
    'local real = import "real.libsonnet";',
    '{ importer: myimport, s: s }',
  ].join('\n');
  assert.deepEqual(paths(src), ['import real.libsonnet']);
});

test('findImports: a text block ends at the first line that is less indented', () => {
  const src = ['local b = |||-', '    a', '  |||;', 'import "after.libsonnet"'].join('\n');
  assert.deepEqual(paths(src), ['import after.libsonnet']);
});

test('findImports: a computed path or a text block after the keyword is left to jsonnet (a static error)', () => {
  assert.deepEqual(paths('import ("a" + "b")'), []);
  assert.deepEqual(paths('import |||\n  x\n|||'), []);
});

test('findImports: unterminated strings, comments and blocks are errors with a position', () => {
  for (const src of ['{\n a: "x', '/* open', 'local b = |||\n  never closed\n', "{ a: @'x }"]) {
    assert.throws(
      () => findImports(src),
      (err: unknown) => err instanceof JsonnetScanError && err.line >= 1 && err.col >= 1,
    );
  }
});

test('resolveImport: relative to the importing file, never outside the repository', () => {
  assert.equal(resolveImport('.drone.jsonnet', 'lib/a.libsonnet'), 'lib/a.libsonnet');
  assert.equal(resolveImport('ci/main.jsonnet', '../lib/a.libsonnet'), 'lib/a.libsonnet');
  assert.equal(resolveImport('ci/main.jsonnet', './b.libsonnet'), 'ci/b.libsonnet');
  assert.equal(resolveImport('ci/main.jsonnet', '../../etc/passwd'), undefined);
  assert.equal(resolveImport('.drone.jsonnet', '/etc/passwd'), undefined);
  assert.equal(resolveImport('.drone.jsonnet', '..'), undefined);
  assert.equal(resolveImport('.drone.jsonnet', ''), undefined);
  assert.equal(resolveImport('.drone.jsonnet', 'a/../../x'), undefined);
});
