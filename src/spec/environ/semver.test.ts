import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calverEnviron, parseCalver } from './calver.js';
import { goQuote } from '../envsubst/quote.js';
import { semverEnviron } from './semver.js';

test('semver: full version with pre-release and build metadata (runner-go TestSemver)', () => {
  assert.deepEqual(semverEnviron('v1.2.3-alpha+001'), {
    DRONE_SEMVER: '1.2.3-alpha+001',
    DRONE_SEMVER_MAJOR: '1',
    DRONE_SEMVER_MINOR: '2',
    DRONE_SEMVER_PATCH: '3',
    DRONE_SEMVER_SHORT: '1.2.3',
    DRONE_SEMVER_PRERELEASE: 'alpha',
    DRONE_SEMVER_BUILD: '001',
  });
});

test('semver: invalid version reports go-semver error text (runner-go TestInvalidSemver)', () => {
  assert.deepEqual(semverEnviron('this is an invalid version'), {
    DRONE_SEMVER_ERROR: 'this is an invalid version is not in dotted-tri format',
  });
});

test('semver: edge cases follow go-semver v0.3.0', () => {
  const cases: [string, Record<string, string>][] = [
    [
      '1.2.3',
      {
        DRONE_SEMVER: '1.2.3',
        DRONE_SEMVER_MAJOR: '1',
        DRONE_SEMVER_MINOR: '2',
        DRONE_SEMVER_PATCH: '3',
        DRONE_SEMVER_SHORT: '1.2.3',
      },
    ],
    // leading zeros are accepted by ParseInt and dropped when printed
    [
      'v01.02.003',
      {
        DRONE_SEMVER: '1.2.3',
        DRONE_SEMVER_MAJOR: '1',
        DRONE_SEMVER_MINOR: '2',
        DRONE_SEMVER_PATCH: '3',
        DRONE_SEMVER_SHORT: '1.2.3',
      },
    ],
    // `+` is split off first, then the first `-`: a dash inside metadata stays there
    [
      '1.2.3-rc.1+build-5.x',
      {
        DRONE_SEMVER: '1.2.3-rc.1+build-5.x',
        DRONE_SEMVER_MAJOR: '1',
        DRONE_SEMVER_MINOR: '2',
        DRONE_SEMVER_PATCH: '3',
        DRONE_SEMVER_PRERELEASE: 'rc.1',
        DRONE_SEMVER_BUILD: 'build-5.x',
        DRONE_SEMVER_SHORT: '1.2.3',
      },
    ],
    [
      '1.2.3-beta-2',
      {
        DRONE_SEMVER: '1.2.3-beta-2',
        DRONE_SEMVER_MAJOR: '1',
        DRONE_SEMVER_MINOR: '2',
        DRONE_SEMVER_PATCH: '3',
        DRONE_SEMVER_PRERELEASE: 'beta-2',
        DRONE_SEMVER_SHORT: '1.2.3',
      },
    ],
    ['1.2', { DRONE_SEMVER_ERROR: '1.2 is not in dotted-tri format' }],
    ['', { DRONE_SEMVER_ERROR: ' is not in dotted-tri format' }],
    ['1.2-3.4', { DRONE_SEMVER_ERROR: '1.2 is not in dotted-tri format' }],
    ['1.2.3.4', { DRONE_SEMVER_ERROR: 'strconv.ParseInt: parsing "3.4": invalid syntax' }],
    ['vv1.2.3', { DRONE_SEMVER_ERROR: 'strconv.ParseInt: parsing "v1": invalid syntax' }],
    ['1..3', { DRONE_SEMVER_ERROR: 'strconv.ParseInt: parsing "": invalid syntax' }],
    [
      '99999999999999999999.0.0',
      { DRONE_SEMVER_ERROR: 'strconv.ParseInt: parsing "99999999999999999999": value out of range' },
    ],
    [
      '1.2.3-beta..1',
      { DRONE_SEMVER_ERROR: 'failed to validate pre-release: beta..1 is not a valid semver identifier' },
    ],
    [
      '1.2.3+meta_data',
      { DRONE_SEMVER_ERROR: 'failed to validate metadata: meta_data is not a valid semver identifier' },
    ],
    // identifiers are validated before the numbers are parsed
    [
      'x.2.3-a_b',
      { DRONE_SEMVER_ERROR: 'failed to validate pre-release: a_b is not a valid semver identifier' },
    ],
  ];
  for (const [tag, want] of cases) assert.deepEqual(semverEnviron(tag), want, tag);
});

test('semver: the maximum int64 still parses', () => {
  assert.equal(semverEnviron('9223372036854775807.0.0').DRONE_SEMVER_MAJOR, '9223372036854775807');
  assert.match(semverEnviron('9223372036854775808.0.0').DRONE_SEMVER_ERROR ?? '', /value out of range/);
});

test('calver: runner-go TestCalver and TestCalverAlternate', () => {
  assert.deepEqual(calverEnviron('v19.1.0-beta.20190318'), {
    DRONE_CALVER: '19.1.0-beta.20190318',
    DRONE_CALVER_MAJOR: '19',
    DRONE_CALVER_MAJOR_MINOR: '19.1',
    DRONE_CALVER_MINOR: '1',
    DRONE_CALVER_MICRO: '0',
    DRONE_CALVER_SHORT: '19.1.0',
    DRONE_CALVER_MODIFIER: 'beta.20190318',
  });
  assert.deepEqual(calverEnviron('2019.01.0002'), {
    DRONE_CALVER: '2019.01.0002',
    DRONE_CALVER_MAJOR_MINOR: '2019.01',
    DRONE_CALVER_MAJOR: '2019',
    DRONE_CALVER_MINOR: '01',
    DRONE_CALVER_MICRO: '0002',
    DRONE_CALVER_SHORT: '2019.01.0002',
  });
});

test('calver: not a year or not numeric gives no variables (runner-go TestCalver_Invalid)', () => {
  for (const s of ['1.2.3', '1.2', '1', '0.12', '0.12.1', '18.1', '100.1', '2018.1', '9999.1', 'foo.1']) {
    assert.deepEqual(calverEnviron(s), {}, s);
  }
});

test('calver: year boundaries 19..99 and 2019..9998', () => {
  for (const s of ['19.1', '99.1', '2019.1', '9998.12.1']) assert.notDeepEqual(calverEnviron(s), {}, s);
  assert.deepEqual(calverEnviron('2024.5'), {
    DRONE_CALVER: '2024.5',
    DRONE_CALVER_MAJOR_MINOR: '2024.5',
    DRONE_CALVER_MAJOR: '2024',
    DRONE_CALVER_MINOR: '5',
    DRONE_CALVER_MICRO: '',
    DRONE_CALVER_SHORT: '2024.5',
  });
});

test('calver parser: runner-go TestCalverParser table', () => {
  const cases: [string, ReturnType<typeof parseCalver>][] = [
    ['09.01.02', { major: '09', minor: '01', micro: '02', modifier: '' }],
    ['2009.01.02', { major: '2009', minor: '01', micro: '02', modifier: '' }],
    ['2009.1.2', { major: '2009', minor: '1', micro: '2', modifier: '' }],
    ['09.1.2', { major: '09', minor: '1', micro: '2', modifier: '' }],
    ['9.1.2', { major: '9', minor: '1', micro: '2', modifier: '' }],
    ['v19.1.0-beta.20190318', { major: '19', minor: '1', micro: '0', modifier: 'beta.20190318' }],
    ['foo.bar.baz', undefined],
    ['foo.bar', undefined],
    ['foo.1', undefined],
    ['foo', undefined],
    ['1', undefined],
    ['1.foo', undefined],
  ];
  for (const [s, want] of cases) assert.deepEqual(parseCalver(s), want, s);
});

test('goQuote matches strconv.Quote', () => {
  assert.equal(goQuote('go build'), '"go build"');
  assert.equal(goQuote('echo "$HOME"'), '"echo \\"$HOME\\""');
  assert.equal(goQuote('a\\b'), '"a\\\\b"');
  assert.equal(goQuote('line1\nline2\t\r'), '"line1\\nline2\\t\\r"');
  assert.equal(goQuote('\x07\b\f\v\x00\x1b\x7f'), '"\\a\\b\\f\\v\\x00\\x1b\\x7f"');
  assert.equal(goQuote('héllo 世界 🚀'), '"héllo 世界 🚀"');
  assert.equal(goQuote('\u00a0\u00ad\u2028'), '"\\u00a0\\u00ad\\u2028"');
  assert.equal(goQuote('\u{e0001}'), '"\\U000e0001"');
  assert.equal(goQuote("it's"), '"it\'s"');
});
