import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { YScalar } from './node.js';
import { resolveScalar, yamlBool, yamlInt } from './scalar.js';

const plain = (value: string): YScalar => ({
  kind: 'scalar',
  value,
  plain: true,
  start: 0,
  anchor: undefined,
});
const quoted = (value: string): YScalar => ({
  kind: 'scalar',
  value,
  plain: false,
  start: 0,
  anchor: undefined,
});

test('YAML 1.1 booleans of go-yaml v2', () => {
  for (const t of ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'])
    assert.equal(yamlBool(t), true, t);
  for (const t of ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'])
    assert.equal(yamlBool(t), false, t);
  for (const t of ['yEs', 'tRue', '1', '0', '']) assert.equal(yamlBool(t), undefined, t);
});

test('integers as Go ParseInt base 0 reads them, underscores removed', () => {
  assert.equal(yamlInt('42'), 42);
  assert.equal(yamlInt('-7'), -7);
  assert.equal(yamlInt('+7'), 7);
  assert.equal(yamlInt('0x1F'), 31);
  assert.equal(yamlInt('0o17'), 15);
  assert.equal(yamlInt('017'), 15);
  assert.equal(yamlInt('0b101'), 5);
  assert.equal(yamlInt('1_000'), 1000);
  assert.equal(yamlInt('08'), undefined);
  assert.equal(yamlInt('1.5'), undefined);
  assert.equal(yamlInt('9223372036854775807'), 9223372036854775807n);
  assert.equal(yamlInt('99999999999999999999999'), undefined);
});

test('untyped resolution: null, booleans, numbers, strings', () => {
  assert.equal(resolveScalar(plain('')), null);
  assert.equal(resolveScalar(plain('~')), null);
  assert.equal(resolveScalar(plain('Null')), null);
  assert.equal(resolveScalar(plain('yes')), true);
  assert.equal(resolveScalar(plain('off')), false);
  assert.equal(resolveScalar(plain('10')), 10);
  assert.equal(resolveScalar(plain('1.5')), 1.5);
  assert.equal(resolveScalar(plain('1e3')), 1000);
  assert.equal(resolveScalar(plain('08')), 8);
  assert.equal(resolveScalar(plain('.inf')), Number.POSITIVE_INFINITY);
  assert.ok(Number.isNaN(resolveScalar(plain('.nan'))));
  assert.equal(resolveScalar(plain('1.2.3')), '1.2.3');
  assert.equal(resolveScalar(plain('golang:1.10')), 'golang:1.10');
  // Precision is never lost: integers beyond 2^53 keep their digits.
  assert.equal(resolveScalar(plain('-1001234567890123456')), '-1001234567890123456');
  // Quoted scalars are strings, whatever they spell.
  assert.equal(resolveScalar(quoted('yes')), 'yes');
  assert.equal(resolveScalar(quoted('10')), '10');
  assert.equal(resolveScalar(quoted('')), '');
});
