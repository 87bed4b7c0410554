import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../manifest/parse.js';
import { findCycles } from './graph.js';
import { LINT_RULES, lintManifest } from './index.js';

/** Lints text; returns `rule field` pairs (and checks the message starts with the field). */
function lint(text: string, trusted = false): string[] {
  const parsed = parseConfig(text);
  assert.deepEqual(
    parsed.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  return lintManifest(parsed.manifest, { trusted, pathOf: parsed.pathOf }).map((d) => {
    assert.ok(d.rule in LINT_RULES, d.rule);
    assert.ok(d.message.startsWith(`${d.field}: `), d.message);
    return `${d.severity === 'warning' ? 'warning ' : ''}${d.rule} ${d.doc}:${d.field}`;
  });
}

const step = (name: string, extra = '') => `- name: ${name}\n  image: alpine\n${extra}`;

test('a clean pipeline has no findings', () => {
  assert.deepEqual(
    lint(`kind: pipeline\nsteps:\n${step('a')}${step('b', '  depends_on: [a, clone]\n')}`),
    [],
  );
});

test('pipelines: duplicate names, dependencies unknown, forward, on itself, cycles', () => {
  const text =
    'kind: pipeline\nname: a\ndepends_on: [b, nope]\n---\nkind: pipeline\nname: b\ndepends_on: [a, b]\n---\n' +
    'kind: pipeline\nname: a\n';
  assert.deepEqual(lint(text), [
    'pipeline-dependency-forward 0:depends_on[0]',
    'pipeline-dependency-unknown 0:depends_on[1]',
    'pipeline-dependency-self 1:depends_on[1]',
    'duplicate-pipeline 2:name',
    'pipeline-dependency-cycle 0:depends_on',
  ]);
});

test('steps: names missing, too long, duplicate, clone reserved while cloning', () => {
  const long = 'x'.repeat(101);
  const text = `kind: pipeline\nsteps:\n${step('clone')}- image: x\n${step(long)}${step('a')}${step('a')}`;
  assert.deepEqual(lint(text), [
    'duplicate-step 0:steps[0].name',
    'step-name-missing 0:steps[1].name',
    'step-name-too-long 0:steps[2].name',
    'duplicate-step 0:steps[4].name',
  ]);
  assert.deepEqual(lint(`kind: pipeline\nclone: {disable: true}\nsteps:\n${step('clone')}`), []);
});

test('services and steps share names; steps may depend on services', () => {
  const text = `kind: pipeline\nservices:\n${step('db')}steps:\n${step('db')}${step('test', '  depends_on: [db]\n')}`;
  assert.deepEqual(lint(text), ['duplicate-step 0:steps[0].name']);
});

test('step dependencies: unknown, forward, self, cycle; clone only while cloning', () => {
  const text =
    `kind: pipeline\nsteps:\n${step('a', '  depends_on: [b]\n')}${step('b', '  depends_on: [a, b, zz]\n')}` +
    `---\nkind: pipeline\nname: p2\nclone: {disable: true}\nsteps:\n${step('a', '  depends_on: [clone]\n')}`;
  assert.deepEqual(lint(text), [
    'step-dependency-forward 0:steps[0].depends_on[0]',
    'step-dependency-self 0:steps[1].depends_on[1]',
    'step-dependency-unknown 0:steps[1].depends_on[2]',
    'step-dependency-cycle 0:steps[0].depends_on',
    'step-dependency-unknown 1:steps[0].depends_on[0]',
  ]);
});

test('images are required for docker and kubernetes steps, not for exec and ssh', () => {
  assert.deepEqual(lint('kind: pipeline\nsteps:\n- name: a\n  commands: [ls]\n'), [
    'missing-image 0:steps[0].image',
  ]);
  assert.deepEqual(lint('kind: pipeline\ntype: kubernetes\nservices:\n- name: a\n'), [
    'missing-image 0:services[0].image',
  ]);
  assert.deepEqual(lint('kind: pipeline\ntype: exec\nsteps:\n- name: a\n  commands: [ls]\n'), []);
  assert.deepEqual(lint('kind: pipeline\ntype: ssh\nsteps:\n- name: a\n  commands: [ls]\n'), []);
});

test('volumes: missing and reserved names, /run/drone, undeclared mounts (a warning)', () => {
  const text =
    'kind: pipeline\nvolumes:\n- temp: {}\n- {name: workspace, temp: {}}\n- {name: cache, temp: {}}\nsteps:\n' +
    step(
      'a',
      '  volumes:\n  - {name: cache, path: /run/drone/x}\n  - {name: _docker_socket, path: /x}\n  - {name: nope, path: /y}\n',
    );
  assert.deepEqual(lint(text, true), [
    'volume-name-missing 0:volumes[0].name',
    'volume-name-reserved 0:volumes[1].name',
    'volume-path-restricted 0:steps[0].volumes[0].path',
    'volume-name-reserved 0:steps[0].volumes[1].name',
    'warning volume-undeclared 0:steps[0].volumes[2].name',
  ]);
  // kubernetes reserves its own internal names too.
  assert.deepEqual(lint('kind: pipeline\ntype: kubernetes\nvolumes:\n- {name: _addons, temp: {}}\n'), [
    'volume-name-reserved 0:volumes[0].name',
  ]);
});

test('trusted-only features are refused for untrusted repositories, allowed for trusted ones', () => {
  const text =
    'kind: pipeline\nvolumes:\n- {name: sock, host: {path: /var/run/docker.sock}}\n- {name: mem, temp: {medium: memory}}\n' +
    'steps:\n' +
    step(
      'a',
      '  privileged: true\n  devices: [{name: sock, path: /dev/x}]\n  dns: [1.1.1.1]\n  dns_search: [x]\n' +
        '  extra_hosts: ["a:1.2.3.4"]\n  network_mode: host\n  shm_size: 1g\n',
    ) +
    'services:\n' +
    step('db', '  ports: [{port: 80, host: 8080}]\n');
  assert.deepEqual(lint(text, true), []);
  assert.deepEqual(lint(text, false), [
    'untrusted-host-volume 0:volumes[0].host',
    'untrusted-memory-volume 0:volumes[1].temp.medium',
    'untrusted-host-port 0:services[0].ports',
    'untrusted-privileged 0:steps[0].privileged',
    'untrusted-devices 0:steps[0].devices',
    'untrusted-dns 0:steps[0].dns',
    'untrusted-dns-search 0:steps[0].dns_search',
    'untrusted-extra-hosts 0:steps[0].extra_hosts',
    'untrusted-network-mode 0:steps[0].network_mode',
    'untrusted-shm-size 0:steps[0].shm_size',
  ]);
  // exec pipelines run on the host by design: none of the container rules apply.
  assert.deepEqual(lint('kind: pipeline\ntype: exec\nsteps:\n- {name: a, privileged: true}\n'), []);
});

test('kubernetes volume kinds need trust', () => {
  const text =
    'kind: pipeline\ntype: kubernetes\nvolumes:\n- {name: a, claim: {name: c}}\n- {name: b, config_map: {name: c}}\n';
  assert.deepEqual(lint(text, false), [
    'untrusted-volume 0:volumes[0].claim',
    'untrusted-volume 0:volumes[1].config_map',
  ]);
  assert.deepEqual(lint(text, true), []);
});

test('platform values of docker pipelines', () => {
  assert.deepEqual(lint('kind: pipeline\nplatform: {os: openbsd, arch: mips}\n'), [
    'platform-os 0:platform.os',
    'platform-arch 0:platform.arch',
  ]);
  assert.deepEqual(lint('kind: pipeline\nplatform: {os: windows, arch: s390x}\n'), []);
  assert.deepEqual(lint('kind: pipeline\ntype: exec\nplatform: {os: darwin, arch: arm64}\n'), []);
});

test('without pathOf, paths are manifest indexes; with it, YAML indexes (a null step shifts them)', () => {
  const parsed = parseConfig('kind: pipeline\nsteps:\n- ~\n- name: a\n');
  const without = lintManifest(parsed.manifest, { trusted: false }).map((d) => d.field);
  const withPaths = lintManifest(parsed.manifest, { trusted: false, pathOf: parsed.pathOf }).map(
    (d) => d.field,
  );
  assert.deepEqual(without, ['steps[0].image']);
  assert.deepEqual(withPaths, ['steps[1].image']);
});

test('findCycles reports each cycle once, from its earliest node', () => {
  const deps: Record<string, string[]> = { a: ['c'], b: ['a'], c: ['b'], d: ['d', 'x'], e: ['f'], f: ['e'] };
  assert.deepEqual(
    findCycles(Object.keys(deps), (n) => deps[n] ?? []),
    [
      ['a', 'c', 'b', 'a'],
      ['e', 'f', 'e'],
    ],
  );
  const chain = Array.from({ length: 20_000 }, (_, i) => `s${i}`);
  assert.deepEqual(
    findCycles(chain, (n) => [`s${Number(n.slice(1)) + 1}`]),
    [],
  );
});
