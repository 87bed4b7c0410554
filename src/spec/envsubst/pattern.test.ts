import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compilePattern, findMatch, prefixMatch } from './pattern.js';

const cps = (s: string): number[] => Array.from(s, (c) => c.codePointAt(0)!);

// A brute-force oracle: the pattern as an anchored regular expression, tried on every slice.
function toRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) re += `\\u{${pattern.codePointAt(++i)!.toString(16)}}`;
    else if (c === '*') re += '[^]*';
    else if (c === '?') re += '[^]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      const body = pattern.slice(i + 1, end);
      re += body.startsWith('!') ? `[^${body.slice(1)}]` : `[${body}]`;
      i = end;
    } else re += `\\u{${c.codePointAt(0)!.toString(16)}}`;
  }
  return new RegExp(`^(?:${re})$`, 'u');
}

const patternArb = fc
  .array(fc.constantFrom('a', 'b', '/', '*', '?', '[ab]', '[!a]', '\\*'), { maxLength: 6 })
  .map((parts) => parts.join(''));
const valueArb = fc.array(fc.constantFrom('a', 'b', '/', '*'), { maxLength: 10 }).map((p) => p.join(''));

test('prefixMatch agrees with a brute-force oracle', () => {
  fc.assert(
    fc.property(patternArb, valueArb, (pattern, value) => {
      const re = toRegExp(pattern);
      const lengths = [...Array(value.length + 1).keys()].filter((k) => re.test(value.slice(0, k)));
      const got = prefixMatch(compilePattern(pattern).tokens, cps(value));
      assert.deepEqual(got, { shortest: lengths[0] ?? -1, longest: lengths.at(-1) ?? -1 });
    }),
    { numRuns: 2000 },
  );
});

test('findMatch is leftmost, then longest, and never empty', () => {
  fc.assert(
    fc.property(patternArb, valueArb, fc.nat(10), (pattern, value, from0) => {
      const from = Math.min(from0, value.length);
      const re = toRegExp(pattern);
      let want: [number, number] | undefined;
      for (let s = from; s < value.length && !want; s++) {
        for (let e = value.length; e > s; e--) {
          if (re.test(value.slice(s, e))) {
            want = [s, e];
            break;
          }
        }
      }
      assert.deepEqual(findMatch(compilePattern(pattern).tokens, cps(value), from), want);
    }),
    { numRuns: 2000 },
  );
});

test('brackets: negation, ranges, a leading ] and unclosed [ as a literal', () => {
  const full = (p: string, v: string) =>
    prefixMatch(compilePattern(p).tokens, cps(v)).longest === cps(v).length;
  assert.ok(full('[a-c]', 'b'));
  assert.ok(!full('[a-c]', 'd'));
  assert.ok(full('[!a-c]', 'd'));
  assert.ok(full('[^a-c]', 'd'));
  assert.ok(full('[]]', ']'));
  assert.ok(full('[a-]', '-'));
  assert.ok(full('[', '['));
  assert.ok(full('a[b', 'a[b'));
  assert.ok(full('\\[x]', '[x]'));
  assert.ok(full('*', 'a/b/c'));
  assert.ok(full('?', '😀'));
  assert.equal(compilePattern('a\\*b').literal, 'a*b');
  assert.equal(compilePattern('a*b').literal, undefined);
});
