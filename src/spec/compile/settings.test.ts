import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goFloat, goJson } from './gofmt.js';
import { encodeSetting, goToUpper, pluginEnvName, settingsEnviron } from './settings.js';

const v = (value: unknown) => ({ value });

test('§4.4 table: every row', () => {
  const { env, secrets } = settingsEnviron({
    repo: v('octocat/app'),
    dry_run: v(true),
    depth: v(50),
    ratio: v(0.5),
    tags: v(['latest', '1.0']),
    build_args: v({ A: '1' }),
    hosts: v([{ name: 'a' }]),
    password: { fromSecret: 'pw' },
    'some-key': v('x'),
  });
  assert.deepEqual(env, {
    PLUGIN_REPO: 'octocat/app',
    PLUGIN_DRY_RUN: 'true',
    PLUGIN_DEPTH: '50',
    PLUGIN_RATIO: '0.5',
    PLUGIN_TAGS: 'latest,1.0',
    PLUGIN_BUILD_ARGS: '{"A":"1"}',
    PLUGIN_HOSTS: '[{"name":"a"}]',
    'PLUGIN_SOME-KEY': 'x',
  });
  assert.deepEqual(secrets, [{ name: 'pw', env: 'PLUGIN_PASSWORD' }]);
});

test('scalars: strings as is, bools, ints, floats in shortest form', () => {
  assert.equal(encodeSetting('a string with $VAR and "quotes"'), 'a string with $VAR and "quotes"');
  assert.equal(encodeSetting(''), '');
  assert.equal(encodeSetting(false), 'false');
  assert.equal(encodeSetting(-7), '-7');
  assert.equal(encodeSetting(42.424242), '42.424242');
  assert.equal(encodeSetting(0.1), '0.1');
  assert.equal(encodeSetting(123456.75), '123456.75');
  // Go's 'g' format switches to an exponent from 1e6 and below 1e-4
  assert.equal(encodeSetting(1234567.5), '1.2345675e+06');
  assert.equal(encodeSetting(0.00001), '1e-05');
  assert.equal(encodeSetting(0.0001), '0.0001');
  assert.equal(encodeSetting(1e21), '1e+21');
  assert.equal(encodeSetting(12345678901234567890n), '12345678901234567890');
});

test('lists: scalar lists comma-joined, complex lists as JSON', () => {
  assert.equal(encodeSetting([1, 1, 2]), '1,1,2');
  assert.equal(encodeSetting(['a', 'b']), 'a,b');
  assert.equal(encodeSetting([true, 2.5, 'x']), 'true,2.5,x');
  assert.equal(encodeSetting(['a', null, 'b']), 'a,,b');
  assert.equal(encodeSetting([]), '');
  assert.equal(encodeSetting(['a,b', 'c']), 'a,b,c');
  assert.equal(encodeSetting([[1, 2], [3]]), '[[1,2],[3]]');
  assert.equal(encodeSetting(['a', { b: 'c' }]), '["a",{"b":"c"}]');
  assert.equal(encodeSetting([{ name: 'john' }]), '[{"name":"john"}]');
});

test('objects: Go JSON with sorted keys, HTML-safe escapes, no spaces', () => {
  assert.equal(encodeSetting({ foo: 'bar' }), '{"foo":"bar"}');
  assert.equal(
    encodeSetting({ z: 1, a: [true, null], m: { y: 0.5, b: 'x' } }),
    '{"a":[true,null],"m":{"b":"x","y":0.5},"z":1}',
  );
  assert.equal(
    encodeSetting({ html: '<a href="x">&</a>' }),
    '{"html":"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"}',
  );
  assert.equal(
    encodeSetting({ s: 'tab\there\nnl \u0001 \u2028 é' }),
    '{"s":"tab\\there\\nnl \\u0001 \\u2028 é"}',
  );
  assert.equal(encodeSetting({}), '{}');
  // encoder errors (values JSON cannot hold) give an empty value, as in Drone
  assert.equal(encodeSetting({ x: Number.NaN }), '');
});

test('byte strings are base64', () => {
  assert.equal(encodeSetting(new Uint8Array([104, 105])), 'aGk=');
});

test('nulls are dropped, keys are only upper-cased', () => {
  const { env, secrets } = settingsEnviron({ a: v(null), b: v(undefined), 'Mixed.Case-key_1': v('x') });
  assert.deepEqual(env, { 'PLUGIN_MIXED.CASE-KEY_1': 'x' });
  assert.deepEqual(secrets, []);
  assert.equal(pluginEnvName('straße'), 'PLUGIN_STRAßE');
  assert.equal(goToUpper('ǆ'), 'Ǆ');
});

test('goFloat matches strconv.FormatFloat(f, g, -1, 64)', () => {
  const cases: [number, string][] = [
    [0, '0'],
    [-0, '-0'],
    [1, '1'],
    [100000, '100000'],
    [1e6, '1e+06'],
    [-2.5e-7, '-2.5e-07'],
    [1.5e300, '1.5e+300'],
    [5e-324, '5e-324'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, '+Inf'],
    [0.1 + 0.2, '0.30000000000000004'],
  ];
  for (const [f, want] of cases) assert.equal(goFloat(f), want, String(f));
});

test('goJson numbers follow encoding/json', () => {
  assert.equal(goJson([1e-7, 1e21, 1e20, 0.000001, 3]), '[1e-7,1e+21,100000000000000000000,0.000001,3]');
  assert.equal(goJson({ é: 1, z: 2, A: 3 }), '{"A":3,"z":2,"é":1}');
});
