// The real-world corpus (../shared/compat/drone-yml): every Drone 1.x file passes `hangar lint` as a
// trusted repository with no error (warnings allowed); the Drone 0.8 files get the one legacy error.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { checkConfig } from '../../src/spec/check.js';
import { formatDiagnostic } from '../../src/spec/diagnostic.js';
import type { Pipeline } from '../../src/spec/manifest/types.js';
import { compatPath, compatSkip, compatText } from '../support/compat.js';

const skip = compatSkip();
const files = skip ? [] : readdirSync(compatPath('drone-yml')).filter((f) => f.endsWith('.yml'));
const legacy = skip ? [] : readdirSync(compatPath('drone-yml', 'legacy')).filter((f) => f.endsWith('.yml'));

/** Files whose SOURCES.md records a real mistake (none so far). */
const KNOWN_BAD: Record<string, string> = {};

test('the corpus is all there', { skip }, () => {
  assert.equal(files.length, 49);
  assert.equal(legacy.length, 2);
});

for (const f of files) {
  test(`corpus ${f}: no errors as a trusted repository`, { skip: skip || KNOWN_BAD[f] }, () => {
    const { manifest, diagnostics } = checkConfig(compatText('drone-yml', f), { file: f, trusted: true });
    const errors = diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(f, d));
    assert.deepEqual(errors, []);
    for (const d of diagnostics) assert.ok(d.line >= 1 && d.col >= 1, formatDiagnostic(f, d));
    assert.ok(manifest.resources.some((r) => r.kind === 'pipeline'));
  });
}

for (const f of legacy) {
  test(`corpus legacy/${f}: one error saying it is the Drone 0.8 format`, { skip }, () => {
    const { manifest, diagnostics } = checkConfig(compatText('drone-yml', 'legacy', f), {
      file: f,
      trusted: true,
    });
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]!.rule, 'legacy-format');
    assert.match(diagnostics[0]!.message, /Drone 0\.8/);
    assert.deepEqual(manifest.resources, []);
  });
}

test('corpus details: duplicate keys, merge keys, other runner types', { skip }, () => {
  const k8s = checkConfig(compatText('drone-yml', 'drone-plugins__drone-docker__kubernetes-2023.yml'), {
    trusted: true,
  });
  const pipelines = k8s.manifest.resources.filter((r): r is Pipeline => r.kind === 'pipeline');
  // `type: kubernetes` then `type: vm` in one mapping: the last one wins, with a warning.
  assert.ok(pipelines.every((p) => p.type === 'vm'));
  assert.equal(k8s.diagnostics.filter((d) => d.rule === 'duplicate-key').length, 3);

  const slack = checkConfig(compatText('drone-yml', 'UKHomeOffice__callisto-ui.yml'), { trusted: true });
  const notify = slack.manifest.resources
    .filter((r): r is Pipeline => r.kind === 'pipeline')
    .flatMap((p) => p.steps)
    .find((s) => s.name === 'slack_build');
  // `<<: *slack` then `settings:`: go-yaml v2 adds the step's settings to the merged ones.
  assert.deepEqual(Object.keys(notify?.settings ?? {}).sort(), [
    'channel',
    'template',
    'username',
    'webhook',
  ]);
  assert.equal(notify?.image, 'plugins/slack');

  const loki = checkConfig(compatText('drone-yml', 'grafana__loki.yml'), { trusted: true });
  // Two steps mount a volume the pipeline never declares: Drone ignores such mounts, so it is a warning.
  assert.equal(loki.diagnostics.filter((d) => d.rule === 'volume-undeclared').length, 2);
});
