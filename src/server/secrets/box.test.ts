import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { createSecretBox, SecretOpenError } from './box.js';
import { loadSecretKey } from './keyfile.js';
import { decryptForRepo, encryptForRepo, RepoKeyError } from './repo-cipher.js';

test('seal/open round trip: nonce ‖ ciphertext ‖ tag, a fresh nonce each time', () => {
  const box = createSecretBox(randomBytes(32));
  fc.assert(
    fc.property(fc.string(), (plain) => {
      const sealed = box.seal(plain);
      assert.equal(sealed.length, 12 + Buffer.byteLength(plain) + 16);
      assert.equal(box.open(sealed).toString('utf8'), plain);
    }),
  );
  assert.notDeepEqual(box.seal('same'), box.seal('same'));
});

test('a wrong key or a changed byte cannot be opened, and the error says nothing of the data', () => {
  const box = createSecretBox(randomBytes(32));
  const other = createSecretBox(randomBytes(32));
  const sealed = box.seal('hunter2');
  assert.throws(() => other.open(sealed), SecretOpenError);
  const flipped = Buffer.from(sealed);
  flipped[14] = (flipped[14] as number) ^ 1;
  assert.throws(
    () => box.open(flipped),
    (err: Error) => err instanceof SecretOpenError && !err.message.includes('hunter2'),
  );
  assert.throws(() => box.open(Buffer.alloc(5)), SecretOpenError);
  assert.throws(() => createSecretBox(Buffer.alloc(16)), /32 bytes/);
});

test('repo cipher: base64 data for kind: secret, keyed by the repo secret', () => {
  const key = 'k'.repeat(32);
  const data = encryptForRepo(key, 'top secret');
  assert.match(data, /^[A-Za-z0-9+/]+=*$/);
  assert.equal(decryptForRepo(key, data), 'top secret');
  assert.throws(() => decryptForRepo('j'.repeat(32), data), SecretOpenError);
  assert.throws(() => encryptForRepo('', 'x'), RepoKeyError);
});

test('key file: created once with mode 600, then reused; a configured key wins', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hangar-key-'));
  try {
    const first = await loadSecretKey(join(dir, 'data'), undefined);
    assert.equal(first.created, true);
    const file = join(dir, 'data', 'secret.key');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const again = await loadSecretKey(join(dir, 'data'), undefined);
    assert.equal(again.created, false);
    assert.deepEqual(again.key, first.key);
    const given = randomBytes(32);
    assert.deepEqual((await loadSecretKey(join(dir, 'data'), given)).key, given);
    await chmod(file, 0o644);
    await loadSecretKey(join(dir, 'data'), undefined);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    await writeFile(file, 'garbage');
    await assert.rejects(loadSecretKey(join(dir, 'data'), undefined), /damaged/);
    assert.equal(await readFile(file, 'utf8'), 'garbage');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
