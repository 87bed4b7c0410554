// Every case of linter-cases.json (drone-runner-docker, drone-yaml, and the drone-runner-kube ones
// our rules cover) through checkConfig: an invalid case must give an error with the rule its Drone
// message maps to, a valid case no error at all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkConfig } from '../../src/spec/check.js';
import { compatJson, compatSkip, compatText } from '../support/compat.js';

interface LinterCase {
  linter: string;
  file: string;
  trusted: boolean;
  invalid: boolean;
  message?: string;
  note?: string;
  repo_slug?: string;
  namespace_patterns?: Record<string, string[]>;
}

/** Drone's linter message → Hangar rule id (and the text our message ends with). */
const RULES: Record<string, { rule: string; text: string }> = {
  'linter: invalid or missing image': { rule: 'missing-image', text: 'image: required' },
  'linter: invalid or missing build image': { rule: 'missing-build-image', text: 'build.image: required' },
  'linter: invalid or missing name': { rule: 'step-name-missing', text: 'name: required' },
  'linter: missing volume name': { rule: 'volume-name-missing', text: 'name: required' },
  'linter: invalid volume name: _workspace': {
    rule: 'volume-name-reserved',
    text: 'invalid volume name: _workspace (reserved)',
  },
  'linter: invalid volume name: _docker_socket': {
    rule: 'volume-name-reserved',
    text: 'invalid volume name: _docker_socket (reserved)',
  },
  'linter: invalid volume name: _addons': {
    rule: 'volume-name-reserved',
    text: 'invalid volume name: _addons (reserved)',
  },
  'linter: cannot mount volume at /run/drone': {
    rule: 'volume-path-restricted',
    text: 'cannot mount volume at /run/drone',
  },
  'linter: untrusted repositories cannot mount host volumes': {
    rule: 'untrusted-host-volume',
    text: 'untrusted repositories cannot mount host volumes',
  },
  'linter: untrusted repositories cannot mount in-memory volumes': {
    rule: 'untrusted-memory-volume',
    text: 'untrusted repositories cannot mount in-memory volumes',
  },
  'linter: untrusted repositories cannot mount configMap volumes': {
    rule: 'untrusted-volume',
    text: 'untrusted repositories cannot mount configMap volumes',
  },
  'linter: untrusted repositories cannot mount secret volumes': {
    rule: 'untrusted-volume',
    text: 'untrusted repositories cannot mount secret volumes',
  },
  'linter: untrusted repositories cannot mount PVC': {
    rule: 'untrusted-volume',
    text: 'untrusted repositories cannot mount PVC',
  },
  'linter: untrusted repositories cannot mount devices': {
    rule: 'untrusted-devices',
    text: 'untrusted repositories cannot mount devices',
  },
  'linter: untrusted repositories cannot enable privileged mode': {
    rule: 'untrusted-privileged',
    text: 'untrusted repositories cannot enable privileged mode',
  },
  'linter: untrusted repositories cannot configure dns': {
    rule: 'untrusted-dns',
    text: 'untrusted repositories cannot configure dns',
  },
  'linter: untrusted repositories cannot configure dns_search': {
    rule: 'untrusted-dns-search',
    text: 'untrusted repositories cannot configure dns_search',
  },
  'linter: untrusted repositories cannot configure extra_hosts': {
    rule: 'untrusted-extra-hosts',
    text: 'untrusted repositories cannot configure extra_hosts',
  },
  'linter: untrusted repositories cannot configure network_mode': {
    rule: 'untrusted-network-mode',
    text: 'untrusted repositories cannot configure network_mode',
  },
  'linter: untrusted repositories cannot map to a host port': {
    rule: 'untrusted-host-port',
    text: 'untrusted repositories cannot map to a host port',
  },
  'linter: unknown step dependency detected: test references foo': {
    rule: 'step-dependency-unknown',
    text: 'unknown step dependency detected: test references foo',
  },
  'linter: duplicate step names': { rule: 'duplicate-step', text: 'duplicate step name' },
  'linter: unsupported os: openbsd': {
    rule: 'platform-os',
    text: 'unsupported os: openbsd (expected linux or windows)',
  },
};

/**
 * Cases outside Hangar's rules, with the reason. The kube namespace and stage-limit rules depend on
 * kubernetes runner configuration and pod resources that Hangar does not run.
 */
const NOT_APPLICABLE: Record<string, string> = {
  'linter: pipeline restricted from using configured namespace':
    'kube runner namespace policy (runner configuration)',
  'linter: cpu limit cannot be applied at stage level': 'kube stage resources are not modelled',
  'linter: memory limit cannot be applied at stage level': 'kube stage resources are not modelled',
};

/**
 * drone-yaml's test expects s390x to be refused, but the drone-yaml linter of the same snapshot lists
 * s390x among the supported architectures (and so does drone-reference.md §3.2): that upstream test
 * is stale. Hangar accepts s390x; the rule itself is exercised with an architecture Drone refuses.
 */
const STALE = 'drone-yaml/yaml/linter/testdata/invalid_arch.yml';

const cases = compatSkip() ? [] : compatJson<LinterCase[]>('upstream', 'linter-cases.json');
const ours = cases.filter((c) => c.linter !== 'drone-runner-kube' || !NOT_APPLICABLE[c.message ?? '']);

test('linter-cases.json has the expected cases', { skip: compatSkip() }, () => {
  assert.equal(cases.length, 87);
  const byLinter = (l: string) => cases.filter((c) => c.linter.startsWith(l)).length;
  assert.deepEqual(
    [byLinter('drone-runner-docker'), byLinter('drone-runner-kube'), byLinter('drone-yaml')],
    [26, 28, 33],
  );
  assert.equal(cases.length - ours.length, 3);
});

for (const c of ours) {
  const name = `${c.linter.split(' ')[0]} ${c.file.split('/').pop()} (${c.trusted ? 'trusted' : 'untrusted'})`;
  test(name, { skip: compatSkip() }, () => {
    const { diagnostics } = checkConfig(compatText('upstream', c.file), { trusted: c.trusted, file: c.file });
    const errors = diagnostics.filter((d) => d.severity === 'error');
    for (const d of diagnostics) assert.ok(d.line >= 1, `${d.message} has a position`);
    if (c.file === STALE) {
      assert.deepEqual(errors, []);
      return;
    }
    if (!c.invalid) {
      assert.deepEqual(errors, [], `${c.file} should be valid (trusted: ${c.trusted})`);
      return;
    }
    const want = RULES[c.message ?? ''];
    assert.ok(want, `no rule mapped for ${c.message}`);
    const hit = errors.find((d) => d.rule === want.rule);
    assert.ok(
      hit,
      `${c.file}: expected ${want.rule}, got ${errors.map((d) => d.rule).join(', ') || 'nothing'}`,
    );
    assert.ok(hit.message.includes(want.text), `${hit.message} should include "${want.text}"`);
    assert.ok(hit.message.startsWith(`${hit.field}: `));
  });
}

test('the platform rule refuses what Drone refuses (in place of the stale s390x case)', () => {
  const { diagnostics } = checkConfig('kind: pipeline\nplatform: {os: linux, arch: mips}\nsteps: []\n', {
    trusted: false,
  });
  assert.deepEqual(
    diagnostics.map((d) => [d.rule, d.message, d.line, d.col]),
    [
      [
        'platform-arch',
        'platform.arch: unsupported architecture: mips (expected arm, arm64, amd64, ppc64le or s390x)',
        2,
        29,
      ],
    ],
  );
});
