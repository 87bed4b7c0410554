import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compatJson, compatSkip, compatText } from '../../../test/support/compat.js';
import {
  collectCredentials,
  encodeDockerConfig,
  parseDockerConfig,
  pickCredential,
  type RegistryCredential,
} from './registry-auth.js';

interface Case {
  input?: unknown;
  input_text?: string;
  want?: RegistryCredential[];
  want_error?: boolean;
  encode?: RegistryCredential[];
  want_json?: string;
}

const skip = compatSkip();
const octocat = { username: 'octocat', password: 'correct-horse-battery-staple' };

test('registry-auth-cases: parse, errors and encode', { skip }, () => {
  const cases = compatJson<Case[]>('upstream', 'registry-auth-cases.json');
  assert.ok(cases.length >= 4);
  for (const c of cases) {
    if (c.encode) {
      assert.equal(encodeDockerConfig(c.encode), c.want_json);
    } else if (c.want_error) {
      assert.throws(() => parseDockerConfig(c.input_text ?? ''), /invalid docker config\.json/);
    } else {
      const text = c.input_text ?? JSON.stringify(c.input);
      assert.deepEqual(parseDockerConfig(text), c.want);
    }
  }
});

test('runner-go testdata config.json and config2.json', { skip }, () => {
  const dir = ['upstream', 'runner-go', 'registry', 'auths', 'testdata'];
  assert.deepEqual(parseDockerConfig(compatText(...dir, 'config.json')), [
    { address: 'index.docker.io', ...octocat },
  ]);
  assert.deepEqual(parseDockerConfig(compatText(...dir, 'config2.json')), [
    { address: 'gcr.io', ...octocat },
  ]);
});

test('parse details: auth wins, bad base64 gives empty credentials, odd documents', () => {
  const auth = Buffer.from('u:p:with:colons').toString('base64');
  assert.deepEqual(
    parseDockerConfig(
      JSON.stringify({ auths: { 'registry.local:5000': { auth, username: 'x', password: 'y' } } }),
    ),
    [{ address: 'registry.local:5000', username: 'u', password: 'p:with:colons' }],
  );
  assert.deepEqual(parseDockerConfig('{"auths":{"r.io":{"auth":"b2N0b2NhdDp=="}}}'), [
    { address: 'r.io', username: '', password: '' },
  ]);
  assert.deepEqual(parseDockerConfig('{"Auths":{"r.io":{"Username":"a","PASSWORD":"b"}}}'), [
    { address: 'r.io', username: 'a', password: 'b' },
  ]);
  assert.deepEqual(parseDockerConfig('{}'), []);
  assert.deepEqual(parseDockerConfig('null'), []);
  assert.throws(() => parseDockerConfig('[]'), /expected an object/);
  assert.throws(() => parseDockerConfig('{"auths":{"r.io":{"auth":5}}}'), /must be a string/);
  // the message never repeats the document
  assert.throws(
    () => parseDockerConfig('{"auths": s3cr3t'),
    (e: Error) => !e.message.includes('s3cr3t'),
  );
});

test('pickCredential: first credential for the image registry, index.docker.io ≡ docker.io', () => {
  const hub = { address: 'index.docker.io', username: 'hub', password: '1' };
  const gcr = { address: 'gcr.io', username: 'gcr', password: '2' };
  const local = { address: 'localhost:5000', username: 'local', password: '3' };
  const creds = [gcr, hub, local];
  assert.equal(pickCredential('golang', creds), hub);
  assert.equal(pickCredential('docker.io/library/golang:1', creds), hub);
  assert.equal(pickCredential('drone/git:latest', creds), hub);
  assert.equal(pickCredential('gcr.io/project/app', creds), gcr);
  assert.equal(pickCredential('localhost:5000/app:1', creds), local);
  assert.equal(pickCredential('quay.io/x/y', creds), undefined);
  assert.equal(pickCredential('golang', [{ ...hub, address: 'docker.io' }, hub])?.address, 'docker.io');
});

test('collectCredentials: last pull secret first, then runner credentials; bad secrets skipped', () => {
  const cfg = (user: string) => JSON.stringify({ auths: { 'docker.io': { username: user, password: 'p' } } });
  const runner = [{ address: 'docker.io', username: 'runner', password: 'p' }];
  const creds = collectCredentials([cfg('first'), 'not json', cfg('second')], runner);
  assert.deepEqual(
    creds.map((c) => c.username),
    ['second', 'first', 'runner'],
  );
  assert.equal(pickCredential('golang', creds)?.username, 'second');
  assert.deepEqual(collectCredentials([]), []);
});
