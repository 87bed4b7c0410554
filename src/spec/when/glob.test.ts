import assert from 'node:assert/strict';
import { test } from 'node:test';
import { globMatch } from './glob.js';

// [pattern, value, doublestar v1.1.1's answer]. The answers follow doublestar's code (Match →
// doMatching → matchComponent), including its corner cases, since that is what Drone runs.
const TABLE: Array<[string, string, boolean]> = [
  // literals
  ['master', 'master', true],
  ['master', 'main', false],
  ['', '', true],
  ['', 'a', false],
  // `*` stays inside one component
  ['feature/*', 'feature/foo', true],
  ['feature/*', 'feature/a/b', false],
  ['*', 'a/b', false],
  ['*', 'abc', true],
  ['*.md', 'README.md', true],
  ['*.md', 'docs/README.md', false],
  ['a*b*c', 'axxbyyc', true],
  ['a*b*c', 'axxbyy', false],
  ['a**b', 'axyb', true],
  ['a**b', 'ax/yb', false],
  ['refs/pull/*/head', 'refs/pull/12/head', true],
  ['refs/pull/*/head', 'refs/pull/12/merge', false],
  // `?` is one character, never `/`
  ['v?', 'v1', true],
  ['v?', 'v10', false],
  ['a?c', 'a/c', false],
  ['?', 'é', true],
  // `**` spans components
  ['foo/**', 'foo/bar/baz/qux', true],
  ['foo/**/qux', 'foo/bar/baz/qux', true],
  ['foo/**/qux', 'foo/qux', true],
  ['**/x', 'x', true],
  ['**/x', 'a/b/x', true],
  ['**', 'a/b/c', true],
  ['**', '.x/y', true],
  ['**/*.ts', 'src/a.ts', true],
  ['**/*.ts', 'a.ts', true],
  ['src/**/*.ts', 'src/a/b/c.ts', true],
  ['src/**/*.ts', 'lib/a.ts', false],
  ['a/**/b/**/c', 'a/x/b/y/z/c', true],
  ['a/**/b/**/c', 'a/x/y/z/c', false],
  // … but a trailing `**` needs at least one more component
  ['foo/**', 'foo', false],
  ['foo/**', 'foo/', false],
  // `{a,b}` alternatives, textual, within one component
  ['{master,develop}', 'develop', true],
  ['{master,develop}', 'main', false],
  ['release-{1,2}.*', 'release-2.x', true],
  ['{a,b/c}', 'b/c', false],
  ['{a,{b,c}}', 'c', false],
  ['x{,y}', 'xy', true],
  ['{a\\,b,c}', 'a,b', true],
  // `[...]` classes; only `^` negates
  ['[abc]', 'b', true],
  ['[abc]', 'd', false],
  ['[a-c]x', 'bx', true],
  ['[^abc]', 'd', true],
  ['[^abc]', 'a', false],
  ['[!abc]', 'd', false],
  ['[!abc]', '!', true],
  ['[\\]]', ']', true],
  ['[a\\-z]', '-', true],
  ['v[0-9].[0-9]', 'v1.2', true],
  ['[/]', '/', false],
  // dot files are ordinary
  ['*', '.hidden', true],
  ['.*', '.drone.yml', true],
  ['docs/*', 'docs/.keep', true],
  // no negation, extglob, POSIX classes or path clean-up
  ['!x', '!x', true],
  ['!x', 'y', false],
  ['+(a|b)', '+(a|b)', true],
  ['+(a|b)', 'a', false],
  ['(a|b)', 'a', false],
  ['(a|b)', '(a|b)', true],
  ['@(a)', 'a', false],
  ['a|b', 'a', false],
  ['a+', 'aa', false],
  ['[[:alpha:]]', 'a', false],
  ['./a', 'a', false],
  ['a/b', 'a//b', false],
  ['$^.()', '$^.()', true],
  // escapes
  ['a\\*', 'a*', true],
  ['a\\*', 'ab', false],
  ['\\?', '?', true],
  // malformed patterns match nothing
  ['[', '[', false],
  ['[a', '[a', false],
  ['[]', '[]', false],
  ['[-a]', '-', false],
  ['[a-]', 'a', false],
  ['a\\', 'a\\', false],
  ['{a,b', '{a,b', false],
  // doublestar corner cases: an empty component matches only `*`; trailing `/` is ignored
  ['*', '', true],
  ['**', '', true],
  ['a*', '', false],
  ['a/*', 'a/', false],
  ['a/*', 'a/b/', true],
  ['a/', 'a', true],
  ['a*', 'a', true],
  ['a**', 'a', false],
  ['*a', 'a', true],
  ['a*b*', 'ab', true],
];

test('doublestar v1.1.1 table', () => {
  const wrong = TABLE.filter(([p, v, want]) => globMatch(p, v) !== want).map(
    ([p, v, want]) => `${JSON.stringify(p)} vs ${JSON.stringify(v)}: want ${want}`,
  );
  assert.deepEqual(wrong, []);
});

test('the same pattern gives the same answer from the cache', () => {
  for (let i = 0; i < 3; i++) assert.equal(globMatch('feature/**', 'feature/a/b'), true);
});

test('no catastrophic backtracking on hostile patterns', () => {
  const value = `${'a'.repeat(2000)}/${'a'.repeat(2000)}`;
  assert.equal(globMatch('*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(5000)), false);
  assert.equal(globMatch('**/**/**/**/**/**/**/b', `${'a/'.repeat(300)}c`), false);
  assert.equal(globMatch('{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}c', 'ab'.repeat(5)), false);
  assert.equal(globMatch('*/*', value), true);
});
