import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Diagnostic } from '../diagnostic.js';
import { parseManifest } from './parse.js';
import type { OtherResource, Pipeline, SecretResource, SignatureResource } from './types.js';

function parse(text: string) {
  return parseManifest(text, { file: '.drone.yml' });
}

/** The first pipeline of the text, asserting that nothing was reported. */
function pipeline(text: string): Pipeline {
  const { manifest, diagnostics } = parse(text);
  assert.deepEqual(diagnostics, []);
  const p = manifest.resources.find((r) => r.kind === 'pipeline');
  assert.ok(p);
  return p as Pipeline;
}

const show = (ds: Diagnostic[]) => ds.map((d) => `${d.line}:${d.col}: ${d.severity} ${d.rule} ${d.message}`);

test("Drone's defaults: name, type, platform, clone, services detached", () => {
  const p = pipeline(
    'kind: pipeline\nsteps:\n- name: a\n  image: alpine\nservices:\n- name: db\n  image: redis\n',
  );
  assert.equal(p.name, 'default');
  assert.equal(p.type, 'docker');
  assert.equal(p.docIndex, 0);
  assert.deepEqual(p.platform, { os: 'linux', arch: 'amd64', variant: '', version: '' });
  assert.deepEqual(p.workspace, { base: '', path: '' });
  assert.deepEqual(p.clone, { disable: false, depth: 0, retries: 0, skip_verify: false, trace: false });
  assert.deepEqual(p.concurrency, { limit: 0 });
  assert.equal(p.steps[0]!.service, false);
  assert.equal(p.steps[0]!.detach, false);
  assert.equal(p.services[0]!.service, true);
  assert.equal(p.services[0]!.detach, true);
});

test('string fields keep the text as written (go-yaml v2), environment values too', () => {
  const p = pipeline(
    'kind: pipeline\nversion: 1.10\nsteps:\n- name: 1.0\n  image: golang:1.10\n  user: 1000\n' +
      '  environment:\n    A: 1.0\n    B: yes\n    C: 0x10\n    D: ~\n    E: "quoted"\n    F: {from_secret: token}\n',
  );
  assert.equal(p.version, '1.10');
  const s = p.steps[0]!;
  assert.equal(s.name, '1.0');
  assert.equal(s.image, 'golang:1.10');
  assert.equal(s.user, '1000');
  assert.deepEqual(s.environment, {
    A: { value: '1.0' },
    B: { value: 'yes' },
    C: { value: '0x10' },
    D: { value: '' },
    E: { value: 'quoted' },
    F: { fromSecret: 'token' },
  });
});

test('YAML 1.1 booleans for boolean fields', () => {
  const p = pipeline(
    'kind: pipeline\nclone: {disable: Y, skip_verify: on, trace: off}\nsteps:\n- name: a\n  image: x\n  privileged: yes\n  detach: On\n',
  );
  assert.equal(p.clone.disable, true);
  assert.equal(p.clone.skip_verify, true);
  assert.equal(p.clone.trace, false);
  assert.equal(p.steps[0]!.privileged, true);
  assert.equal(p.steps[0]!.detach, true);
});

test('string-or-list fields accept a single string', () => {
  const p = pipeline(
    'kind: pipeline\ndepends_on: build\nsteps:\n- name: a\n  image: x\n  commands: echo hi\n  entrypoint: /bin/sh\n' +
      '  command: -c\n  dns: 1.1.1.1\n  depends_on: clone\n',
  );
  assert.deepEqual(p.depends_on, ['build']);
  const s = p.steps[0]!;
  assert.deepEqual(
    [s.commands, s.entrypoint, s.command, s.dns, s.depends_on],
    [['echo hi'], ['/bin/sh'], ['-c'], ['1.1.1.1'], ['clone']],
  );
});

test('wrong types are errors at the value, with the field path first', () => {
  const { manifest, diagnostics } = parse(
    'kind: pipeline\nsteps:\n- name: a\n  image: x\n  commands:\n    a: b\n  privileged: maybe\n  detach: [1]\n' +
      '  environment:\n    X: [1, 2]\n',
  );
  assert.deepEqual(show(diagnostics), [
    '6:5: error invalid-type steps[0].commands: expected a list of strings, got a mapping',
    '7:15: error invalid-type steps[0].privileged: expected a boolean, got a string',
    '8:11: error invalid-type steps[0].detach: expected a boolean, got a list',
    '10:8: error invalid-type steps[0].environment.X: expected a string or {from_secret: name}, got a list',
  ]);
  // The rest of the step is still read.
  assert.equal((manifest.resources[0] as Pipeline).steps[0]!.image, 'x');
});

test('conditions: a string, a list, include/exclude; null is as if absent', () => {
  const p = pipeline(
    'kind: pipeline\ntrigger:\n  branch: main\n  event: [push, tag]\n  ref: {include: refs/tags/*, exclude: [refs/tags/x]}\n' +
      '  cron: ~\nsteps:\n- name: a\n  image: x\n  when: {status: [success, failure]}\n',
  );
  assert.deepEqual(p.trigger, {
    branch: { include: ['main'], exclude: [] },
    event: { include: ['push', 'tag'], exclude: [] },
    ref: { include: ['refs/tags/*'], exclude: ['refs/tags/x'] },
  });
  assert.deepEqual(p.steps[0]!.when, { status: { include: ['success', 'failure'], exclude: [] } });
});

test('byte sizes: integers and human sizes; an invalid size is an error', () => {
  const p = pipeline(
    'kind: pipeline\nsteps:\n- name: a\n  image: x\n  mem_limit: 1GiB\n  memswap_limit: 2g\n  shm_size: 1024\n' +
      'volumes:\n- name: t\n  temp: {medium: memory, size_limit: 100Mi}\n',
  );
  assert.deepEqual(
    [p.steps[0]!.mem_limit, p.steps[0]!.memswap_limit, p.steps[0]!.shm_size],
    [1073741824, 2147483648, 1024],
  );
  assert.deepEqual(p.volumes[0], { name: 't', temp: { medium: 'memory', size_limit: 104857600 } });
  const { diagnostics } = parse('kind: pipeline\nsteps:\n- name: a\n  image: x\n  mem_limit: lots\n');
  assert.deepEqual(show(diagnostics), [
    '5:14: error invalid-value steps[0].mem_limit: invalid size "lots" (expected bytes or a size such as 512MiB or 1GB)',
  ]);
});

test('failure and pull values are normalised; unknown ones are warnings', () => {
  const p = pipeline(
    'kind: pipeline\nsteps:\n- {name: a, image: x, failure: fast-fail, pull: Always}\n- {name: b, image: x, failure: fail-fast}\n' +
      '- {name: c, image: x, failure: ignore, pull: if-not-exists}\n',
  );
  assert.deepEqual(
    p.steps.map((s) => [s.failure, s.pull]),
    [
      ['fast', 'always'],
      ['fast', ''],
      ['ignore', 'if-not-exists'],
    ],
  );
  const { diagnostics } = parse(
    'kind: pipeline\nsteps:\n- {name: a, image: x, failure: never, pull: sometimes}\n',
  );
  assert.deepEqual(
    diagnostics.map((d) => [d.severity, d.rule, d.message]),
    [
      [
        'warning',
        'invalid-value',
        'steps[0].failure: unknown failure mode "never" (expected ignore or fast)',
      ],
      [
        'warning',
        'invalid-value',
        'steps[0].pull: unknown pull policy "sometimes" (expected always, never or if-not-exists)',
      ],
    ],
  );
});

test('settings: any YAML value (YAML 1.1 scalars) or from_secret', () => {
  const p = pipeline(
    'kind: pipeline\nsteps:\n- name: a\n  image: plugins/docker\n  settings:\n    repo: a/b\n    tags: [latest, 1.0]\n' +
      '    debug: yes\n    password: {from_secret: pw}\n    build_args: {A: 1}\n    empty:\n',
  );
  assert.deepEqual(p.steps[0]!.settings, {
    repo: { value: 'a/b' },
    tags: { value: ['latest', 1] },
    debug: { value: true },
    password: { fromSecret: 'pw' },
    build_args: { value: { A: 1 } },
    empty: { value: null },
  });
});

test('merge keys follow go-yaml v2: applied in place, maps and structs combined', () => {
  const p = pipeline(
    'kind: pipeline\nslack: &slack\n  image: plugins/slack\n  settings:\n    webhook: {from_secret: hook}\n    channel: ci\n' +
      '  when: {event: [push]}\nsteps:\n- name: notify\n  <<: *slack\n  settings:\n    template: done\n  when: {branch: main}\n' +
      '- name: first\n  image: x\n  <<: {name: second}\n',
  );
  const s = p.steps[0]!;
  assert.equal(s.image, 'plugins/slack');
  assert.deepEqual(s.settings, {
    webhook: { fromSecret: 'hook' },
    channel: { value: 'ci' },
    template: { value: 'done' },
  });
  assert.deepEqual(s.when, {
    event: { include: ['push'], exclude: [] },
    branch: { include: ['main'], exclude: [] },
  });
  // A merge after a key overrides it, as go-yaml v2 decodes in order.
  assert.equal(p.steps[1]!.name, 'second');
});

test('duplicate keys: the last one wins, with a warning at the repeated key', () => {
  const { manifest, diagnostics } = parse(
    'kind: pipeline\ntype: kubernetes\nname: a\ntype: vm\npool: {use: x}\n',
  );
  assert.equal((manifest.resources[0] as Pipeline).type, 'vm');
  assert.deepEqual(show(diagnostics), [
    '4:1: warning duplicate-key type: duplicate key (the last value is used)',
  ]);
});

test('unknown fields warn at the key; anchor holders and other runners\u2019 fields do not', () => {
  const { diagnostics } = parse(
    'kind: pipeline\ndefaults: &d {image: x}\npool: {use: y}\nsteps:\n- name: a\n  <<: *d\n  secrets: [a]\n' +
      '---\nkind: pipeline\ntype: vm\nname: b\npool: {use: y}\nsteps:\n- {name: a, image: x, whatever: 1}\n',
  );
  assert.deepEqual(show(diagnostics), [
    '3:1: warning unknown-field pool: unknown field',
    '7:3: warning unknown-field steps[0].secrets: unknown field',
  ]);
});

test('kinds: secret, signature, quiet kinds, unknown kinds; kind is required', () => {
  const { manifest, diagnostics } = parse(
    'kind: secret\nname: token\nget: {path: secret/ci, name: token}\n---\nkind: signature\nhmac: abc\n---\n' +
      'kind: cron\nname: nightly\n---\nkind: approval\nname: x\n---\n---\n# nothing\n---\nname: nokind\n',
  );
  const [secret, sig, cron, approval] = manifest.resources as [
    SecretResource,
    SignatureResource,
    OtherResource,
    OtherResource,
  ];
  assert.deepEqual(secret, {
    kind: 'secret',
    name: 'token',
    data: '',
    get: { path: 'secret/ci', name: 'token', key: '' },
    docIndex: 0,
  });
  assert.deepEqual(sig, { kind: 'signature', hmac: 'abc', docIndex: 1 });
  assert.deepEqual(
    [cron.kind, cron.name, cron.docIndex, cron.raw],
    ['cron', 'nightly', 2, { kind: 'cron', name: 'nightly' }],
  );
  assert.equal(approval.kind, 'approval');
  assert.equal(manifest.resources.length, 4);
  assert.deepEqual(show(diagnostics), [
    '11:7: warning unknown-kind kind: unknown kind "approval"; the document is ignored',
    '17:1: error required kind: required (every document needs a kind, e.g. `kind: pipeline`)',
  ]);
});

test('secrets need data or a lookup; signatures need an hmac', () => {
  const { diagnostics } = parse('kind: secret\nname: a\n---\nkind: signature\n');
  assert.deepEqual(show(diagnostics), [
    '1:1: error invalid-secret data: required (or get.path / get.name for an external secret)',
    '4:1: error invalid-signature hmac: required',
  ]);
});

test('a Drone 0.8 file gets one error saying so', () => {
  const { manifest, diagnostics } = parse(
    'workspace:\n  base: /go\npipeline:\n  build:\n    image: golang\n---\npipeline:\n  test: {image: x}\n',
  );
  assert.deepEqual(manifest.resources, []);
  assert.equal(diagnostics.length, 1);
  assert.equal(diagnostics[0]!.rule, 'legacy-format');
  assert.equal(diagnostics[0]!.line, 3);
  assert.match(diagnostics[0]!.message, /Drone 0\.8/);
});

test('the docker pipeline environment is plain; kubernetes may use from_secret', () => {
  const { diagnostics } = parse('kind: pipeline\nenvironment:\n  A: {from_secret: a}\n  B: b\nsteps: []\n');
  assert.deepEqual(show(diagnostics), [
    '3:6: error invalid-type environment.A: from_secret is not supported in the pipeline environment of docker pipelines (set it on each step)',
  ]);
  const p = pipeline('kind: pipeline\ntype: kubernetes\nenvironment:\n  A: {from_secret: a}\n');
  assert.deepEqual(p.environment, { A: { fromSecret: 'a' } });
});

test('volumes: temp (also when empty), host, kubernetes kinds; a volume without a type warns', () => {
  const p = pipeline(
    'kind: pipeline\nvolumes:\n- {name: a, temp: {}}\n- name: b\n  temp:\n- {name: c, host: {path: /var/run/docker.sock}}\n',
  );
  assert.deepEqual(p.volumes, [
    { name: 'a', temp: { medium: '', size_limit: 0 } },
    { name: 'b', temp: { medium: '', size_limit: 0 } },
    { name: 'c', host: { path: '/var/run/docker.sock' } },
  ]);
  const k = pipeline('kind: pipeline\ntype: kubernetes\nvolumes:\n- {name: a, claim: {name: data}}\n');
  assert.deepEqual(k.volumes, [{ name: 'a', other: 'claim' }]);
  const { diagnostics } = parse('kind: pipeline\nvolumes:\n- {name: a, claim: {name: data}}\n');
  assert.deepEqual(show(diagnostics), [
    '3:13: warning unknown-field volumes[0].claim: unknown field',
    '3:3: warning invalid-value volumes[0]: volume has no type (expected temp or host)',
  ]);
});

test('ports, build and push (drone-yaml fields)', () => {
  const p = pipeline(
    'kind: pipeline\nservices:\n- name: db\n  image: redis\n  ports: [6379, {port: 80, host: 8080, protocol: TCP}]\n',
  );
  assert.deepEqual(p.services[0]!.ports, [
    { port: 6379, host: 0, protocol: '' },
    { port: 80, host: 8080, protocol: 'TCP' },
  ]);
  const { diagnostics } = parse('kind: pipeline\nsteps:\n- name: a\n  build: {}\n  push: {image: x}\n');
  assert.deepEqual(show(diagnostics), ['4:10: error missing-build-image steps[0].build.image: required']);
});

test('YAML errors are placed in their document; the other documents are still read', () => {
  const { manifest, diagnostics } = parse(
    'kind: pipeline\nname: a\n---\nkind: pipeline\nname: b\nsteps: [\n---\nkind: pipeline\nname: c\n',
  );
  assert.deepEqual(
    manifest.resources.map((r) => (r as Pipeline).name),
    ['a', 'c'],
  );
  assert.equal(diagnostics.length, 1);
  assert.equal(diagnostics[0]!.rule, 'yaml-syntax');
  assert.equal(diagnostics[0]!.doc, 1);
  assert.ok(diagnostics[0]!.line >= 6 && diagnostics[0]!.line <= 7, String(diagnostics[0]!.line));
  assert.match(diagnostics[0]!.message, /^invalid YAML: /);
});

test('a top-level list or scalar document is an error', () => {
  const { diagnostics } = parse('- a\n- b\n---\njust text\n');
  assert.deepEqual(
    diagnostics.map((d) => d.message),
    [
      'expected a mapping with a kind (a pipeline, secret or signature), got a list',
      'expected a mapping with a kind (a pipeline, secret or signature), got a string',
    ],
  );
});

test('steps must be a list; a null step is an error', () => {
  const { diagnostics } = parse(
    'kind: pipeline\nsteps:\n  foo: bar\n---\nkind: pipeline\nname: b\nsteps:\n- ~\n- name: a\n  image: x\n',
  );
  assert.deepEqual(show(diagnostics), [
    '3:3: error invalid-type steps: expected a list of steps, got a mapping',
    '8:3: error nil-step steps[0]: empty step',
  ]);
});

test('a merge of something that is not a mapping is an error; a kind of the wrong type is reported once', () => {
  const { diagnostics } = parse(
    'kind: pipeline\nsteps:\n- <<: [1]\n  name: a\n  image: x\n---\nkind: [pipeline]\n',
  );
  assert.deepEqual(show(diagnostics), [
    '3:8: error invalid-merge steps[0].<<: a merge key needs a mapping or a list of mappings, got a number',
    '7:7: error invalid-type kind: expected a string, got a list',
  ]);
});

test('a port written as a docker-compose mapping string is an error naming the accepted forms', () => {
  const { diagnostics } = parse(
    'kind: pipeline\nservices:\n- name: db\n  image: redis\n  ports: ["8080:80"]\n',
  );
  assert.deepEqual(show(diagnostics), [
    '5:11: error invalid-type services[0].ports[0]: expected a port number or {port, host, protocol}, got a string',
  ]);
});
