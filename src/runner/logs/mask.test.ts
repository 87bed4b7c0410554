import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MASK, Masker, maskPatterns, maskText } from './mask.js';

function stream(values: string[], chunks: string[]): string {
  const m = new Masker(values);
  let out = '';
  for (const c of chunks) out += m.write(c);
  return out + m.end();
}

test('patterns: split on newlines, trimmed, parts shorter than 2 chars dropped', () => {
  assert.deepEqual(maskPatterns(['  hunter2 \n', 'a', 'x\nyz\n q \r\nlast-line\r']).sort(), [
    'hunter2',
    'last-line',
    'yz',
  ]);
  assert.deepEqual(maskPatterns(['', ' ', '\n\n']), []);
});

test('masks every occurrence, including inside ordinary words, as Drone does', () => {
  assert.equal(maskText('user=admin pass=hunter2\n', maskPatterns(['hunter2'])), `user=admin pass=${MASK}\n`);
  assert.equal(maskText('password passport', maskPatterns(['pass'])), `${MASK}word ${MASK}port`);
  // Adjacent occurrences stay two masks, as Drone's replacer prints them.
  assert.equal(maskText('abcabc', ['abc']), `${MASK}${MASK}`);
  // One-character secrets are not masked at all (they would blank out ordinary text).
  assert.equal(maskText('a b c', maskPatterns(['a'])), 'a b c');
});

test('overlapping secrets are masked as one run, leaking no character of either', () => {
  const p = maskPatterns(['xab', 'abcd']);
  assert.equal(maskText('1xabcd2', p), `1${MASK}2`);
  assert.equal(maskText('aaaa', maskPatterns(['aa'])), MASK);
});

test('a secret split at every possible point across two and three chunks is masked', () => {
  const secret = 's3cr3t-V4lue';
  const text = `before ${secret} middle ${secret}after\n`;
  const expected = `before ${MASK} middle ${MASK}after\n`;
  for (let i = 0; i <= text.length; i++) {
    assert.equal(stream([secret], [text.slice(0, i), text.slice(i)]), expected, `split at ${i}`);
    for (let j = i; j <= text.length; j++) {
      const out = stream([secret], [text.slice(0, i), text.slice(i, j), text.slice(j)]);
      assert.equal(out, expected, `split at ${i},${j}`);
    }
  }
});

test('one character per chunk still masks, and emits all text not part of a secret', () => {
  const text = 'token: abcdef; abcdeX; abc\n';
  const m = new Masker(['abcdef']);
  let out = '';
  const seen: string[] = [];
  for (const ch of text) {
    const piece = m.write(ch);
    seen.push(piece);
    out += piece;
  }
  out += m.end();
  assert.equal(out, `token: ${MASK}; abcdeX; abc\n`);
  // The newline is never held back: a complete line is always released at once.
  assert.equal(seen[seen.length - 1]!.endsWith('\n'), true);
});

test('multi-line secret values are masked line by line, also across chunk splits', () => {
  const key = '-----BEGIN KEY-----\nMIIEvQIBADANBgkq\n  hkiG9w0BAQEFAASC  \n-----END KEY-----\n';
  const printed = `cat key:\n${key}done\n`;
  const expected = `cat key:\n${MASK}\n${MASK}\n  ${MASK}  \n${MASK}\ndone\n`;
  assert.equal(maskText(printed, maskPatterns([key])), expected);
  for (let i = 0; i <= printed.length; i += 3) {
    assert.equal(stream([key], [printed.slice(0, i), printed.slice(i)]), expected, `split at ${i}`);
  }
});

test('streaming equals masking the whole text at once, for any chunking (property)', () => {
  const secretArb = fc.string({
    unit: fc.constantFrom('a', 'b', 'c', 'x', '\n', ' '),
    minLength: 1,
    maxLength: 6,
  });
  fc.assert(
    fc.property(
      fc.array(secretArb, { minLength: 1, maxLength: 3 }),
      fc.array(fc.oneof(fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'y', '\n') }), fc.nat(2)), {
        maxLength: 12,
      }),
      fc.array(fc.nat(), { maxLength: 6 }),
      (secrets, parts, cuts) => {
        // Build a text that often contains the secrets themselves.
        const text = parts
          .map((p) => (typeof p === 'number' ? (secrets[p % secrets.length] ?? '') : p))
          .join('');
        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const chunks: string[] = [];
        let prev = 0;
        for (const p of points) {
          chunks.push(text.slice(prev, p));
          prev = p;
        }
        chunks.push(text.slice(prev));
        const patterns = maskPatterns(secrets);
        const whole = maskText(text, patterns);
        assert.equal(stream(secrets, chunks), whole);
        for (const p of patterns)
          assert.equal(whole.includes(p), false, `pattern ${JSON.stringify(p)} leaked`);
      },
    ),
    { numRuns: 2000 },
  );
});

test('without secrets, chunks pass through untouched', () => {
  const m = new Masker([]);
  assert.equal(m.empty, true);
  assert.equal(m.write('abc'), 'abc');
  assert.equal(m.end(), '');
});
