// manifest-parse-cases.json (drone-runner-docker engine/resource/parser_test.go): the full parse of
// manifest.yml, the files the parser must reject, the runner's kind/type match and its step lint.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkConfig } from '../../src/spec/check.js';
import { parseManifest } from '../../src/spec/manifest/parse.js';
import type { Resource } from '../../src/spec/manifest/types.js';
import { compatJson, compatSkip, compatText } from '../support/compat.js';

interface ParseCases {
  file: string;
  resources: Array<Record<string, unknown>>;
  other_parser_cases: Array<{
    file?: string;
    expect?: string;
    resource?: { kind: string; type: string };
    docker_runner_matches?: boolean;
    steps?: string[];
    lint_error?: boolean;
    message?: string;
  }>;
}

const skip = compatSkip();
const cases = skip ? undefined : compatJson<ParseCases>('upstream', 'manifest-parse-cases.json');

/** Drops Go zero values ('' 0 false [] {}) as the transcription does, and uses Go's JSON key names. */
function strip(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(strip);
  if (x && typeof x === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) {
      const s = strip(v);
      if (s === '' || s === 0 || s === false || s === undefined) continue;
      if (Array.isArray(s) && s.length === 0) continue;
      if (s && typeof s === 'object' && !Array.isArray(s) && Object.keys(s).length === 0) continue;
      out[k === 'fromSecret' ? 'from_secret' : k] = s;
    }
    return out;
  }
  return x;
}

test('manifest.yml parses to the expected resources', { skip }, () => {
  const { manifest, diagnostics } = parseManifest(compatText('upstream', cases!.file));
  assert.deepEqual(diagnostics, []);
  const got = manifest.resources.map((r) => {
    const o = { ...r } as Record<string, unknown>;
    delete o.docIndex;
    if (r.kind === 'pipeline' && 'steps' in r) {
      // Hangar marks services (and runs them detached); Drone's struct has no such field.
      o.services = r.services.map(({ service: _s, detach: _d, ...rest }) => rest);
      // Drone's docker pipeline environment is a plain string map.
      o.environment = Object.fromEntries(
        Object.entries(r.environment).map(([k, v]) => [k, 'value' in v ? v.value : v]),
      );
    }
    return strip(o);
  });
  const want = cases!.resources.map((r) => {
    // SecretResource keeps no `type` (Drone ignores it too).
    const { type: _t, ...rest } = r;
    return strip(r.kind === 'secret' ? rest : r);
  });
  assert.deepEqual(got, want);
  assert.deepEqual(
    manifest.resources.map((r) => r.docIndex),
    [0, 1, 2],
  );
});

test('malformed.yml (steps is a mapping) is rejected', { skip }, () => {
  const { diagnostics } = checkConfig(
    compatText('upstream', 'drone-runner-docker/engine/resource/testdata/malformed.yml'),
    {
      trusted: false,
    },
  );
  assert.deepEqual(
    diagnostics.map((d) => [d.rule, d.message, d.line]),
    [['invalid-type', 'steps: expected a list of steps, got a mapping', 6]],
  );
});

test('linterr.yml (a step without a name) is rejected', { skip }, () => {
  const { diagnostics } = checkConfig(
    compatText('upstream', 'drone-runner-docker/engine/resource/testdata/linterr.yml'),
    {
      trusted: false,
    },
  );
  const errors = diagnostics.filter((d) => d.severity === 'error').map((d) => [d.rule, d.field]);
  assert.deepEqual(errors, [
    ['step-name-missing', 'steps[0].name'],
    ['missing-image', 'steps[0].image'],
  ]);
  // `server` means nothing to a docker pipeline.
  assert.ok(diagnostics.some((d) => d.severity === 'warning' && d.message === 'server: unknown field'));
});

test('nilstep.yml (a null step) is rejected', { skip }, () => {
  const { diagnostics } = checkConfig(
    compatText('upstream', 'drone-runner-docker/engine/resource/testdata/nilstep.yml'),
    {
      trusted: false,
    },
  );
  assert.deepEqual(
    diagnostics.map((d) => [d.rule, d.message, d.line, d.col]),
    [['nil-step', 'steps[0]: empty step', 7, 3]],
  );
});

/** The docker runner claims `kind: pipeline` with type docker (an empty type defaults to docker). */
function dockerRunnerMatches(r: Resource): boolean {
  return r.kind === 'pipeline' && 'type' in r && r.type === 'docker';
}

test('which resources the docker runner takes', { skip }, () => {
  const matches = cases!.other_parser_cases.filter((c) => c.resource);
  assert.equal(matches.length, 5);
  for (const c of matches) {
    const { kind, type } = c.resource!;
    const text = `kind: ${kind}\n${type ? `type: ${type}\n` : ''}name: x\n`;
    const { manifest } = parseManifest(text);
    assert.equal(manifest.resources.length, 1);
    assert.equal(dockerRunnerMatches(manifest.resources[0]!), c.docker_runner_matches, text);
  }
  const { manifest } = parseManifest(
    compatText('upstream', 'drone-runner-docker/engine/resource/testdata/nomatch.yml'),
  );
  assert.equal(dockerRunnerMatches(manifest.resources[0]!), true);
});

/** The parser's step lint messages (resource/parser.go) → Hangar rule ids. */
const STEP_LINT: Record<string, string> = {
  'Linter: duplicate step name': 'duplicate-step',
  'Linter: invalid or missing step name': 'step-name-missing',
  'Linter: step name cannot exceed 100 characters': 'step-name-too-long',
};

test('step names: unique, present, at most 100 characters', { skip }, () => {
  const lintCases = cases!.other_parser_cases.filter((c) => c.steps);
  assert.equal(lintCases.length, 4);
  for (const c of lintCases) {
    const names = c.steps!.map((n) => (n === '<101+ character name>' ? 'n'.repeat(101) : n));
    const text = `kind: pipeline\nsteps:\n${names.map((n) => `- name: "${n}"\n  image: alpine\n`).join('')}`;
    const errors = checkConfig(text, { trusted: false }).diagnostics.filter((d) => d.severity === 'error');
    if (!c.lint_error) {
      assert.deepEqual(errors, []);
      continue;
    }
    const rule = STEP_LINT[c.message!];
    assert.ok(rule, c.message);
    assert.deepEqual(
      errors.map((d) => d.rule),
      [rule],
      c.message,
    );
  }
});
