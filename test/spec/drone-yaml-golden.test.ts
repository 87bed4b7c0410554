// drone-yaml's parse goldens (yaml/testdata/*.yml + .golden): the server-side parser's view of a
// pipeline, a secret, a signature and the kinds Hangar keeps as they are (cron, registry).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseManifest } from '../../src/spec/manifest/parse.js';
import type { Resource } from '../../src/spec/manifest/types.js';
import { compatSkip, compatText } from '../support/compat.js';

const skip = compatSkip();
const DIR = ['upstream', 'drone-yaml', 'yaml', 'testdata'];

/** Drops zero values on both sides (Go's omitempty) and uses Go's JSON key names. */
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

/** Our resource in drone-yaml's JSON shape. */
function asGolden(r: Resource): unknown {
  if (r.kind !== 'pipeline' || !('steps' in r)) {
    if ('raw' in r) return r.raw;
    const { docIndex: _d, ...rest } = r;
    return strip(rest);
  }
  const { docIndex: _d, ...rest } = r;
  const step = ({ service: _s, ...s }: (typeof r.steps)[number]) => s;
  return strip({ ...rest, steps: r.steps.map(step), services: r.services.map(step) });
}

function parse(name: string): { got: unknown[]; want: Array<Record<string, unknown>> } {
  const { manifest } = parseManifest(compatText(...DIR, `${name}.yml`));
  const want = JSON.parse(compatText(...DIR, `${name}.yml.golden`)) as Array<Record<string, unknown>>;
  return { got: manifest.resources.map(asGolden), want };
}

test('pipeline.yml', { skip }, () => {
  const { got, want } = parse('pipeline');
  const p = want[0]!;
  // Defaults drone-yaml leaves to the server, which Hangar applies while parsing.
  p.type = 'docker';
  // build/push are validated but not kept: the docker runner ignores them.
  p.steps = (p.steps as Array<Record<string, unknown>>).map(({ build: _b, push: _p, ...s }) => s);
  assert.deepEqual(got, [strip(p)]);
});

test('secret.yml, signature.yml', { skip }, () => {
  for (const name of ['secret', 'signature']) {
    const { got, want } = parse(name);
    assert.deepEqual(got, want.map(strip), name);
  }
});

test('cron.yml, registry.yml are kept as they are', { skip }, () => {
  for (const name of ['cron', 'registry']) {
    const { got, want } = parse(name);
    assert.deepEqual(got, want, name);
  }
});

test('manifest.yml: one resource per document, in order', { skip }, () => {
  const { got, want } = parse('manifest');
  assert.deepEqual(
    got.map((r) => (r as { kind: string }).kind),
    want.map((r) => r.kind),
  );
});
