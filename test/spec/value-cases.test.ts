// value-cases.json: Drone's polymorphic values (byte sizes, settings and environment values, ports,
// push/build, secret and signature validation, pipeline name matching).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Diagnostic } from '../../src/spec/diagnostic.js';
import { Decoder } from '../../src/spec/manifest/decoder.js';
import { parseManifest } from '../../src/spec/manifest/parse.js';
import { buildImage, decodePort, pushImage } from '../../src/spec/manifest/step.js';
import type { Pipeline } from '../../src/spec/manifest/types.js';
import { envValue, formatBytesSize, parseBytesSize, settingsMap } from '../../src/spec/manifest/values.js';
import { composeDocument } from '../../src/spec/yaml/compose.js';
import type { YMap, YNode } from '../../src/spec/yaml/node.js';
import { SourceDoc } from '../../src/spec/yaml/position.js';
import { lookup } from '../../src/spec/yaml/walk.js';
import { compatJson, compatSkip } from '../support/compat.js';

type Case = Record<string, unknown> & { type: string };
const skip = compatSkip();
const cases = skip ? [] : compatJson<Case[]>('upstream', 'value-cases.json');
const of = (type: string) => cases.filter((c) => c.type === type);

/** Decodes `yaml` as the value of a field; returns the node, a decoder and its diagnostics. */
function field(yaml: string): { node: YNode; d: Decoder; diagnostics: Diagnostic[] } {
  const text = `v: ${yaml}\n`;
  const root = composeDocument(text).root as YMap;
  const diagnostics: Diagnostic[] = [];
  const d = new Decoder(new SourceDoc(text, 1), 0, diagnostics, { left: 1_000_000 });
  return { node: lookup(root, 'v', d.budget)!.value, d, diagnostics };
}

test('value-cases.json is complete', { skip }, () => {
  assert.equal(cases.length, 23);
});

test('BytesSize: parsed from integers and human sizes, printed as Drone prints it', { skip }, () => {
  const sizes = of('BytesSize');
  assert.equal(sizes.length, 5);
  for (const c of sizes) {
    const { manifest, diagnostics } = parseManifest(
      `kind: pipeline\nsteps:\n- {name: a, image: x, mem_limit: ${c.yaml}}\n`,
    );
    assert.deepEqual(diagnostics, []);
    assert.equal((manifest.resources[0] as Pipeline).steps[0]!.mem_limit, c.value, String(c.yaml));
    if (typeof c.yaml === 'string' && Number.isNaN(Number(c.yaml)))
      assert.equal(parseBytesSize(c.yaml), c.value);
    if (c.string !== undefined) assert.equal(formatBytesSize(c.value as number), c.string);
  }
  assert.equal(parseBytesSize('1.5GB'), 1610612736);
  assert.equal(parseBytesSize('512 m'), 536870912);
  assert.equal(parseBytesSize('1.2.3'), undefined);
  assert.equal(parseBytesSize('lots'), undefined);
  assert.equal(formatBytesSize(1536), '1.5KiB');
  assert.equal(formatBytesSize(0), '0B');
});

test('Parameter (settings value): a value, or from_secret', { skip }, () => {
  for (const c of of('Parameter(settings value)')) {
    const value = String(c.yaml).includes(':') ? `{${c.yaml}}` : String(c.yaml);
    const { node, d, diagnostics } = field(`{k: ${value}}`);
    const settings = settingsMap(d, node, 'settings', {});
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(
      settings.k,
      c.from_secret ? { fromSecret: c.from_secret } : { value: c.value },
      String(c.yaml),
    );
  }
});

test('Variable (environment value): a string, or from_secret', { skip }, () => {
  for (const c of of('Variable(environment value)')) {
    const yaml = String(c.yaml).includes(':') ? `{${c.yaml}}` : String(c.yaml);
    const { node, d, diagnostics } = field(yaml);
    assert.deepEqual(
      envValue(d, node, 'environment.K'),
      c.from_secret ? { fromSecret: c.from_secret } : { value: c.value },
    );
    assert.deepEqual(diagnostics, []);
  }
});

test('Port: a number or {port, host, protocol}', { skip }, () => {
  for (const c of of('Port')) {
    const { node, d, diagnostics } = field(String(c.yaml));
    assert.deepEqual(decodePort(d, node, 'ports[0]'), { port: c.port, host: c.host, protocol: c.protocol });
    assert.deepEqual(diagnostics, []);
  }
});

test('Push and Build: an image name or {image}', { skip }, () => {
  for (const c of [...of('Push'), ...of('Build')]) {
    const { node, d, diagnostics } = field(String(c.yaml));
    const image = c.type === 'Push' ? pushImage(d, node, 'push') : buildImage(d, node, 'build');
    assert.equal(image, c.image);
    assert.deepEqual(diagnostics, []);
  }
});

test('Signature.Validate: an hmac is required', { skip }, () => {
  for (const c of of('Signature.Validate')) {
    const { diagnostics } = parseManifest(`kind: signature\nhmac: "${c.hmac}"\n`);
    assert.equal(diagnostics.length === 0, c.valid, String(c.hmac));
  }
});

test('Secret.Validate: data, or something to look up', { skip }, () => {
  for (const c of of('Secret.Validate')) {
    const s = c.secret as { data?: string; get?: { path: string } };
    let text = 'kind: secret\nname: s\n';
    if (s.data) text += `data: ${s.data}\n`;
    if (s.get) text += `get: {path: ${s.get.path}}\n`;
    const { diagnostics } = parseManifest(text);
    assert.equal(
      diagnostics.filter((d) => d.rule === 'invalid-secret').length === 0,
      c.valid,
      JSON.stringify(c.secret),
    );
  }
});

test('pipeline names: an unnamed pipeline is "default"', { skip }, () => {
  for (const c of of('PipelineNameMatch')) {
    const { manifest } = parseManifest(`kind: pipeline\nname: "${c.a}"\n`);
    assert.equal((manifest.resources[0] as Pipeline).name === c.b, c.match, `${c.a} / ${c.b}`);
  }
});
