import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import {
  evaluateJsonnet,
  formatError,
  type JsonnetInput,
  jsonnetAvailable,
  toYamlStream,
} from './jsonnet.js';
import { jsonnetExtVars } from './jsonnet-vars.js';

// The addon is optional: without it these tests skip on a developer's machine, but CI must have it.
const available = await jsonnetAvailable();
const skip = available ? false : process.env.CI ? false : 'the jsonnet addon is not installed';

const build = {
  event: 'push',
  action: '',
  deploy_to: '',
  link: 'https://example.test/c/abc',
  target: 'main',
  source: 'main',
  before: '0'.repeat(40),
  after: 'a'.repeat(40),
  ref: 'refs/heads/main',
  title: '',
  message: 'hello',
  source_repo: '',
  author_login: 'alice',
  author_name: 'Alice',
  author_email: 'alice@example.test',
  author_avatar: '',
  sender: 'alice',
  params: { FOO: 'bar' },
};
const repo = {
  uid: '42',
  name: 'app',
  namespace: 'alice',
  slug: 'alice/app',
  git_http_url: 'https://example.test/alice/app.git',
  git_ssh_url: 'git@example.test:alice/app.git',
  link: 'https://example.test/alice/app',
  default_branch: 'main',
  config_path: '.drone.jsonnet',
  private: true,
  visibility: 'private',
  active: true,
  trusted: false,
  protected: false,
  ignore_forks: false,
  ignore_pull_requests: false,
};

function input(
  source: string,
  files: Record<string, string> = {},
  extra: Partial<JsonnetInput> = {},
): JsonnetInput & { reads: string[] } {
  const reads: string[] = [];
  return {
    file: '.drone.jsonnet',
    source,
    extVars: jsonnetExtVars(build, repo),
    read: async (path) => {
      reads.push(path);
      const text = files[path];
      if (text === undefined) throw new Error(`${path} not found`);
      return text;
    },
    importLimit: 10,
    reads,
    ...extra,
  };
}

async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.equal((err as Error).name.startsWith('Jsonnet'), true, String(err));
    return (err as Error).message;
  }
  assert.fail('expected an error');
}

test('jsonnetExtVars: Drone names, booleans as strings, build.branch is the target, params', () => {
  const vars = jsonnetExtVars(build, repo);
  assert.equal(vars['build.event'], 'push');
  assert.equal(vars['build.branch'], 'main');
  assert.equal(vars['build.commit'], 'a'.repeat(40));
  assert.equal(vars['build.param.FOO'], 'bar');
  assert.equal(vars['repo.slug'], 'alice/app');
  assert.equal(vars['repo.branch'], 'main');
  assert.equal(vars['repo.config'], '.drone.jsonnet');
  assert.equal(vars['repo.private'], 'true');
  assert.equal(vars['repo.trusted'], 'false');
});

test('toYamlStream: an array is one document per element, an object one document', () => {
  assert.deepEqual(
    toYamlStream('[{"kind":"pipeline","name":"a"},{"kind":"pipeline","name":"b"}]')
      .split('---\n')
      .filter((d) => d !== '')
      .map((d) => parseYaml(d)),
    [
      { kind: 'pipeline', name: 'a' },
      { kind: 'pipeline', name: 'b' },
    ],
  );
  assert.equal(toYamlStream('{"a":"on"}'), '---\n{\n  "a": "on"\n}\n');
});

test('formatError: static and runtime errors as one file:line:col line, without the temporary folder', () => {
  assert.equal(
    formatError(
      'STATIC ERROR: /tmp/x/.drone.jsonnet:1:7: unexpected: "," while parsing field definition\n',
      '/tmp/x/',
      'f',
    ),
    '.drone.jsonnet:1:7: unexpected: "," while parsing field definition',
  );
  assert.equal(
    formatError(
      'RUNTIME ERROR: boom\n\t/tmp/x/lib/a.libsonnet:(2:3)-(4:1)\tobject <anonymous>\n\tDuring manifestation\t\n',
      '/tmp/x/',
      'f',
    ),
    'lib/a.libsonnet:2:3: boom',
  );
  assert.equal(
    formatError('RUNTIME ERROR: stream mode\n\tDuring manifestation\t\n', '/tmp/x/', '.drone.jsonnet'),
    '.drone.jsonnet: stream mode',
  );
});

test('evaluateJsonnet: ext vars reach std.extVar', { skip }, async () => {
  const yaml = await evaluateJsonnet(
    input(`{
      kind: 'pipeline', name: std.extVar('repo.slug'),
      steps: [{ name: 'x', image: 'alpine', commands: ['echo ' + std.extVar('build.event') + ' ' + std.extVar('build.param.FOO')] }],
    }`),
  );
  const doc = parseYaml(yaml.replace(/^---\n/, ''));
  assert.equal(doc.name, 'alice/app');
  assert.deepEqual(doc.steps[0].commands, ['echo push bar']);
});

test('evaluateJsonnet: a top-level array makes several documents', { skip }, async () => {
  const yaml = await evaluateJsonnet(
    input(
      `local p(n) = { kind: 'pipeline', name: n, steps: [{ name: 's', image: 'alpine' }] }; [p('a'), p('b'), p('c')]`,
    ),
  );
  assert.equal(yaml.match(/^---$/gm)?.length, 3);
});

test('evaluateJsonnet: imports and importstr come from the reader, relative to the importing file', {
  skip,
}, async () => {
  const files = {
    'ci/lib.libsonnet': `local common = import '../common.libsonnet'; { step(n):: common + { name: n } }`,
    'common.libsonnet': `{ image: 'alpine' }`,
    'ci/script.sh': 'echo from importstr',
    'unused.libsonnet': '{}',
  };
  const i = input(
    `local lib = import 'ci/lib.libsonnet';
     { kind: 'pipeline', name: 'x', steps: [lib.step('a') + { commands: [importstr 'ci/script.sh'] }] }`,
    files,
  );
  const doc = parseYaml((await evaluateJsonnet(i)).replace(/^---\n/, ''));
  assert.deepEqual(doc.steps, [{ image: 'alpine', name: 'a', commands: ['echo from importstr'] }]);
  assert.deepEqual(i.reads.sort(), ['ci/lib.libsonnet', 'ci/script.sh', 'common.libsonnet']);
});

test('evaluateJsonnet: imports jsonnet would not see (comments, strings, blocks) are not fetched', {
  skip,
}, async () => {
  const source = [
    '// import "c1"',
    'local s = "import \\"s1\\"";',
    'local b = |||',
    '  import "b1"',
    '|||;',
    'local real = import "real.libsonnet";',
    '{ kind: "pipeline", name: real.name, s: s, b: b }',
  ].join('\n');
  const i = input(source, { 'real.libsonnet': '{ name: "r" }' });
  const doc = parseYaml((await evaluateJsonnet(i)).replace(/^---\n/, ''));
  assert.equal(doc.name, 'r');
  assert.deepEqual(i.reads, ['real.libsonnet']);
});

test('evaluateJsonnet: the import limit counts distinct files; 0 disables imports', { skip }, async () => {
  const files = { 'a.libsonnet': '1', 'b.libsonnet': '2', 'c.libsonnet': '3' };
  const src = `[import 'a.libsonnet', import 'b.libsonnet', import 'a.libsonnet', import 'c.libsonnet']`;
  assert.equal(
    await errorOf(evaluateJsonnet(input(src, files, { importLimit: 2 }))),
    '.drone.jsonnet:1:68: cannot import "c.libsonnet": more than 2 files imported (the import limit)',
  );
  assert.match(
    await evaluateJsonnet(input(src, files, { importLimit: 3 })),
    /^---\n1\n---\n2\n---\n1\n---\n3\n$/,
  );
  assert.equal(
    await errorOf(evaluateJsonnet(input(src, files, { importLimit: 0 }))),
    '.drone.jsonnet:1:2: cannot import "a.libsonnet": imports are disabled (the import limit is 0)',
  );
});

test('evaluateJsonnet: no import leaves the repository', { skip }, async () => {
  for (const path of ['/etc/passwd', '../outside.libsonnet', 'a/../../x']) {
    const i = input(`importstr '${path}'`);
    assert.match(
      await errorOf(evaluateJsonnet(i)),
      /^\.drone\.jsonnet:1:1: cannot import ".*": only files inside the repository can be imported$/,
    );
    assert.deepEqual(i.reads, []);
  }
});

test('evaluateJsonnet: errors carry the file, line and column, never the temporary folder', {
  skip,
}, async () => {
  assert.equal(
    await errorOf(evaluateJsonnet(input('{\n  a: 1,,\n}'))),
    '.drone.jsonnet:2:8: unexpected: "," while parsing field definition',
  );
  assert.equal(
    await errorOf(
      evaluateJsonnet(
        input("local lib = import 'lib.libsonnet'; lib", { 'lib.libsonnet': "{\n  a: error 'boom',\n}" }),
      ),
    ),
    'lib.libsonnet:2:6: boom',
  );
  assert.equal(
    await errorOf(evaluateJsonnet(input("std.extVar('nope')"))),
    '.drone.jsonnet:1:1: undefined external variable: nope',
  );
  assert.equal(
    await errorOf(evaluateJsonnet(input("import 'missing.libsonnet'"))),
    '.drone.jsonnet:1:1: cannot import "missing.libsonnet": missing.libsonnet not found',
  );
  assert.equal(
    await errorOf(evaluateJsonnet(input('{ a: "open'))),
    '.drone.jsonnet:1:6: unterminated string',
  );
});

test('evaluateJsonnet: without the addon, a clean "not installed" error', async () => {
  const msg = await errorOf(evaluateJsonnet(input('{}', {}, { addon: '@hanazuki/no-such-addon' })));
  assert.match(msg, /^\.drone\.jsonnet: jsonnet support is not installed/);
});
