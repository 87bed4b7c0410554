import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { compatJson, compatSkip, compatText } from '../../test/support/compat.js';
import {
  SignatureKeyError,
  signConfig,
  signUpdateConfig,
  splitRawDocuments,
  verifyConfig,
} from './signature.js';

interface SplitCase {
  data: string;
  want: Array<{ kind: string; data: string }> | null;
}

interface SignatureCase {
  file: string;
  key: string;
  sign_hmac?: string;
  verified?: boolean;
  error?: string | null;
  sign_update_then_verify?: boolean;
  source: string;
}

const KEY = '589396227fff5a93ba934965e8735f88';

describe('splitRawDocuments: drone-yaml TestParseRaw', { skip: compatSkip() }, () => {
  const cases = compatSkip() ? [] : compatJson<SplitCase[]>('upstream', 'raw-split-cases.json');
  for (const [i, c] of cases.entries()) {
    test(`#${i} ${JSON.stringify(c.data)}`, () => {
      const docs = splitRawDocuments(c.data);
      assert.deepEqual(
        docs,
        (c.want ?? []).map((w) => w.data),
      );
      // The kind each case names is the one the raw document decodes to.
      assert.deepEqual(
        docs.map((d) => (parse(d) as { kind: string }).kind),
        (c.want ?? []).map((w) => w.kind),
      );
    });
  }
});

describe('splitRawDocuments: line handling', () => {
  test('CRLF line ends are normalised to LF (bufio.ScanLines drops the \\r)', () => {
    assert.deepEqual(splitRawDocuments('kind: a\r\nb: c\r\n---\r\nkind: d\r'), [
      'kind: a\nb: c\n',
      'kind: d\n',
    ]);
  });
  test('separator and terminator only need to start the line', () => {
    assert.deepEqual(splitRawDocuments('a: 1\n--- # next\nb: 2\n....\nc: 3\n'), ['a: 1\n', 'b: 2\n']);
  });
  test('an indented --- does not separate', () => {
    assert.deepEqual(splitRawDocuments('a: |\n  ---\n'), ['a: |\n  ---\n']);
  });
  test('blank lines are kept, and consecutive separators give an empty document', () => {
    assert.deepEqual(splitRawDocuments('a: 1\n\n---\n---\nb: 2\n\n'), ['a: 1\n\n', '', 'b: 2\n\n']);
  });
  test('a terminator on the first line yields nothing', () => {
    assert.deepEqual(splitRawDocuments('...\nkind: a\n'), []);
  });
});

describe('signatures: drone-yaml signer_test vectors', { skip: compatSkip() }, () => {
  const cases = compatSkip() ? [] : compatJson<SignatureCase[]>('upstream', 'signature-cases.json');
  for (const [i, c] of cases.entries()) {
    test(`#${i} ${c.file.split('/').pop()} — ${c.source}`, () => {
      const text = compatText('upstream', c.file);
      if (c.error) {
        assert.throws(() => verifyConfig(text, c.key), { name: 'SignatureKeyError', message: c.error });
        assert.throws(() => signConfig(text, c.key), SignatureKeyError);
        assert.throws(() => signUpdateConfig(text, c.key), SignatureKeyError);
        return;
      }
      if (c.sign_hmac) assert.equal(signConfig(text, c.key), c.sign_hmac);
      if (c.verified !== undefined) assert.equal(verifyConfig(text, c.key), c.verified);
      if (c.sign_update_then_verify) {
        const updated = signUpdateConfig(text, c.key);
        assert.equal(verifyConfig(updated, c.key), true);
        // Re-signing keeps the signed bytes, so the HMAC is that of the original documents.
        assert.equal(signConfig(updated, c.key), signConfig(text, c.key));
        assert.equal(updated.match(/kind: signature/g)?.length, 1);
        assert.ok(updated.endsWith(`hmac: ${signConfig(text, c.key)}\n\n...\n`));
      }
    });
  }
});

describe('signatures: the files under drone-yaml/yaml/signer/testdata', { skip: compatSkip() }, () => {
  const dir = ['upstream', 'drone-yaml', 'yaml', 'signer', 'testdata'];
  test('signed.yml verifies with its key and with no other', () => {
    const text = compatText(...dir, 'signed.yml');
    assert.equal(verifyConfig(text, KEY), true);
    assert.equal(verifyConfig(text, `${KEY}0`), false);
    assert.equal(verifyConfig(text, 'c953bd41ad0f75848a78ccd54d3861fa'), false);
  });
  test('the HMAC covers exactly the pipeline and secret documents', () => {
    const text = compatText(...dir, 'signed.yml');
    const docs = splitRawDocuments(text);
    assert.equal(docs.length, 3);
    const want = createHmac('sha256', KEY)
      .update(docs[0]! + docs[1]!)
      .digest('hex');
    assert.equal(signConfig(text, KEY), want);
    assert.equal(signConfig(text, KEY), '389cf92a7472870783a9a5ea77b4abe58a4bb67ba58e1e7293e943aee314aedc');
  });
  test('invalid_signature.yml holds the same documents as signed.yml, so only the hmac differs', () => {
    const text = compatText(...dir, 'invalid_signature.yml');
    assert.equal(signConfig(text, KEY), signConfig(compatText(...dir, 'signed.yml'), KEY));
    assert.equal(verifyConfig(text, KEY), false);
  });
  test('missing_signature.yml is not verified, and signing it appends a signature', () => {
    const text = compatText(...dir, 'missing_signature.yml');
    assert.equal(verifyConfig(text, KEY), false);
    const updated = signUpdateConfig(text, KEY);
    assert.ok(updated.startsWith(`---\n${splitRawDocuments(text)[0]}`));
    assert.equal(verifyConfig(updated, KEY), true);
  });
});

describe('signatures: tampering and edge cases', () => {
  const pipeline = 'kind: pipeline\nname: default\nsteps:\n- name: a\n  image: alpine\n';
  const signed = signUpdateConfig(pipeline, KEY);

  test('any change to a signed document breaks the signature', () => {
    assert.equal(verifyConfig(signed, KEY), true);
    assert.equal(verifyConfig(signed.replace('alpine', 'alpine:evil'), KEY), false);
    assert.equal(verifyConfig(signed.replace('name: a', 'name:  a'), KEY), false);
  });
  test('line-end style does not matter (CRLF is read as LF)', () => {
    assert.equal(verifyConfig(signed.replaceAll('\n', '\r\n'), KEY), true);
  });
  test('text after the ... terminator is not signed', () => {
    assert.equal(verifyConfig(`${signed}kind: pipeline\nname: extra\n`, KEY), true);
  });
  test('the signature document may come first, and the last one wins', () => {
    const hmac = signConfig(pipeline, KEY);
    assert.equal(verifyConfig(`kind: signature\nhmac: ${hmac}\n---\n${pipeline}`, KEY), true);
    assert.equal(
      verifyConfig(`kind: signature\nhmac: ${hmac}\n---\nkind: signature\nhmac: 00\n---\n${pipeline}`, KEY),
      false,
    );
    assert.equal(verifyConfig(`{kind: signature, hmac: "${hmac}"}\n---\n${pipeline}`, KEY), true);
  });
  test('an hmac of another length, case or type is not accepted', () => {
    const hmac = signConfig(pipeline, KEY);
    assert.equal(verifyConfig(`${pipeline}---\nkind: signature\nhmac: ${hmac.toUpperCase()}\n`, KEY), false);
    assert.equal(verifyConfig(`${pipeline}---\nkind: signature\nhmac: ${hmac.slice(0, 10)}\n`, KEY), false);
    assert.equal(verifyConfig(`${pipeline}---\nkind: signature\nhmac: 12\n`, KEY), false);
    assert.equal(verifyConfig(`${pipeline}---\nkind: signature\n`, KEY), false);
  });
  test('a document that only mentions "signature", or is not YAML, is signed like any other', () => {
    const text = `${pipeline}  # kind: signature\n---\nkind: secret\nname: signature\n---\n: : bad: [\n`;
    const docs = splitRawDocuments(text);
    assert.equal(signConfig(text, KEY), createHmac('sha256', KEY).update(docs.join('')).digest('hex'));
  });
  test('keys are measured in bytes: 32 ASCII bytes pass, 31 fail, 11 two-byte characters pass', () => {
    assert.doesNotThrow(() => signConfig(pipeline, 'k'.repeat(32)));
    assert.throws(() => signConfig(pipeline, 'k'.repeat(31)), /signer: key must be 32-bytes/);
    assert.throws(() => verifyConfig(pipeline, ''), SignatureKeyError);
    assert.doesNotThrow(() => signConfig(pipeline, `${'é'.repeat(11)}kkkkkkkkkk`));
  });
  test('the key never appears in the error', () => {
    const key = 'secret-key-material';
    assert.throws(
      () => signConfig(pipeline, key),
      (e: unknown) => e instanceof Error && !e.message.includes(key),
    );
  });
});
