// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` is the syntax under test, not a template.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compatJson, compatSkip } from '../../../test/support/compat.js';
import { substitutionFunctions } from './funcs.js';
import { EnvsubstError, envsubst } from './index.js';

interface ExpandCase {
  input: string;
  env: Record<string, string>;
  output: string;
  note?: string;
}

interface FuncCase {
  func: string;
  args: string[];
  output: string;
  note?: string;
}

const env =
  (vars: Record<string, string>) =>
  (name: string): string | undefined =>
    vars[name];

describe('envsubst: drone/envsubst TestExpand and parse cases', { skip: compatSkip() }, () => {
  const cases = compatSkip() ? [] : compatJson<ExpandCase[]>('upstream', 'envsubst-cases.json');
  for (const [i, c] of cases.entries()) {
    test(`#${i} ${c.input}${c.note ? ` (${c.note})` : ''}`, () => {
      assert.equal(envsubst(c.input, env(c.env)), c.output);
    });
  }
});

describe('envsubst: drone/envsubst funcs_test cases', { skip: compatSkip() }, () => {
  const cases = compatSkip() ? [] : compatJson<FuncCase[]>('upstream', 'envsubst-func-cases.json');
  for (const [i, c] of cases.entries()) {
    test(`#${i} ${c.func}(${c.args.map((a) => JSON.stringify(a)).join(', ')})`, () => {
      const f = substitutionFunctions[c.func];
      assert.ok(f, `no function ${c.func}`);
      const [s, ...rest] = c.args;
      assert.equal(f(s ?? '', ...rest), c.output);
    });
  }
});

describe('envsubst: the same functions through the syntax', () => {
  const vars = { v: 'Hello World', e: '', n: '123456789123456789', p: 'a/b.c/d.tar.gz' };
  const table: Array<[string, string]> = [
    ['${#v}', '11'],
    ['${#e}', '0'],
    ['${v,,}', 'hello world'],
    ['${v^^}', 'HELLO WORLD'],
    ['${e^}', ''],
    ['${e,}', ''],
    ['${v=x}', 'Hello World'],
    ['${e=x}', 'x'],
    ['${e:=x}', 'x'],
    ['${e:-x}', 'x'],
    ['${unset:-x}', 'x'],
    ['${e:?x}', 'x'],
    ['${e:+x}', 'x'],
    ['${v:+x}', 'Hello World'],
    ['${e:-}', ''],
    ['${e=a${v,,}b${e:-c}}', 'ahello worldbc'],
    ['${n:0:8}', '12345678'],
    ['${n:1:8}', '23456789'],
    ['${n:9}', '123456789'],
    ['${n:9:50}', '123456789'],
    ['${n:99}', ''],
    ['${n: -3}', '123456789123456789'],
    ['${n:x}', '123456789123456789'],
    ['${n:${e:-2}:3}', '345'],
    ['${p#*/}', 'b.c/d.tar.gz'],
    ['${p##*/}', 'd.tar.gz'],
    ['${p%.*}', 'a/b.c/d.tar'],
    ['${p%%.*}', 'a/b'],
    ['${p#[a-c]}', '/b.c/d.tar.gz'],
    ['${p%[!z]}', 'a/b.c/d.tar.gz'],
    ['${p%[!a]}', 'a/b.c/d.tar.g'],
    ['${p%[^a]}', 'a/b.c/d.tar.g'],
    ['${p#x}', 'a/b.c/d.tar.gz'],
    ['${p#*}', 'a/b.c/d.tar.gz'],
    ['${p##*}', ''],
    ['${p/./_}', 'a/b_c/d.tar.gz'],
    ['${p//./_}', 'a/b_c/d_tar_gz'],
    ['${p//[.\\/]/-}', 'a-b-c-d-tar-gz'],
    ['${p/b*c/X}', 'a/X/d.tar.gz'],
    ['${p//\\//}', 'ab.cd.tar.gz'],
    ['${p//.}', 'a/bc/dtargz'],
    ['${p/#a\\//X}', 'Xb.c/d.tar.gz'],
    ['${p/%.gz/.xz}', 'a/b.c/d.tar.xz'],
    ['${p/#/pre-}', 'pre-a/b.c/d.tar.gz'],
    ['${p/%/-post}', 'a/b.c/d.tar.gz-post'],
    ['${p/#b/X}', 'a/b.c/d.tar.gz'],
    ['${p//?/x}', 'xxxxxxxxxxxxxx'],
    ['${p/*/x}', 'x'],
    ['${p/\\*/x}', 'a/b.c/d.tar.gz'],
    ['${v//o/0\\/}', 'Hell0/ W0/rld'],
    ['${v,^}', 'Hello World'],
  ];
  for (const [input, want] of table) {
    test(input, () => assert.equal(envsubst(input, env(vars)), want));
  }
});

describe('envsubst: text that is left alone', () => {
  test('bare $VAR and shell syntax survive', () => {
    const text = 'commands:\n  - echo $HOME $1 $@ $(date) "$x"\n  - test $$ -eq 1\n';
    assert.equal(
      envsubst(text, () => 'X'),
      'commands:\n  - echo $HOME $1 $@ $(date) "$x"\n  - test $ -eq 1\n',
    );
  });
  test('$$ pairs up left to right', () => {
    assert.equal(
      envsubst('$$$${x}', () => 'X'),
      '$${x}',
    );
    assert.equal(
      envsubst('$$${x}', () => 'X'),
      '$X',
    );
    assert.equal(
      envsubst('a$', () => 'X'),
      'a$',
    );
    assert.equal(
      envsubst('}{$}', () => 'X'),
      '}{$}',
    );
  });
  test('unset and empty variables expand to nothing', () => {
    assert.equal(
      envsubst('[${NOPE}]', () => undefined),
      '[]',
    );
    assert.equal(
      envsubst('[${EMPTY}]', () => ''),
      '[]',
    );
  });
  test('backslashes outside ${} are literal', () => {
    assert.equal(
      envsubst('C:\\\\dir\\${X}', () => 'v'),
      'C:\\\\dir\\v',
    );
  });
  test('unicode names and values', () => {
    assert.equal(
      envsubst('${été} ${#été} ${été:1:2}', (n) => (n === 'été' ? 'ça va' : undefined)),
      'ça va 5 a ',
    );
  });
});

describe('envsubst: values with a newline are Go %q-quoted', () => {
  test('multi-line value', () => {
    const v = 'line one\nsay "hi"\ttab\\';
    assert.equal(
      envsubst('x: ${V}', () => v),
      'x: "line one\\nsay \\"hi\\"\\ttab\\\\"',
    );
  });
  test('control and non-printable characters', () => {
    assert.equal(
      envsubst('${V}', () => 'a\n\x00\x1b\x7f\u0085\u00a0é😀\u2028'),
      '"a\\n\\x00\\x1b\\x7f\\u0085\\u00a0é😀\\u2028"',
    );
  });
  test('the quoted form is what functions see', () => {
    assert.equal(
      envsubst('${#V}', () => 'a\nb'),
      '6',
    );
  });
  test('a value without a newline is inserted raw, quotes and all', () => {
    assert.equal(
      envsubst('${V}', () => 'say "hi"\t'),
      'say "hi"\t',
    );
  });
});

describe('envsubst: errors', () => {
  const bad: Array<[string, number, number, RegExp]> = [
    ['${}', 1, 1, /missing variable name/],
    ['x\n  y: ${ FOO}', 2, 6, /missing variable name/],
    ['${FOO', 1, 1, /missing closing "}"/],
    ['a: b\nc: ${FOO:-x', 2, 4, /missing closing "}"/],
    ['${FOO-bar}', 1, 1, /unexpected "-"/],
    ['${FOO+bar}', 1, 1, /unexpected "\+"/],
    ['${FOO!}', 1, 1, /unexpected "!"/],
    ['${!FOO}', 1, 1, /missing variable name/],
    ['${#}', 1, 1, /missing variable name/],
    ['${#FOO:1}', 1, 1, /expected "}"/],
    ['${FOO:}', 1, 1, /missing offset/],
    ['${FOO:1:}', 1, 1, /missing length/],
    ['${FOO#}', 1, 1, /missing pattern/],
    ['${FOO%%}', 1, 1, /missing pattern/],
    ['${FOO^^^}', 1, 1, /expected "}"/],
    ['${a[0]}', 1, 1, /unexpected "\["/],
    ['ok ${A:-${B!}}', 1, 9, /unexpected "!"/],
    ['é ${A', 1, 3, /missing closing/],
  ];
  for (const [input, line, column, reason] of bad) {
    test(JSON.stringify(input), () => {
      assert.throws(
        () => envsubst(input, () => 'v'),
        (e: unknown) => {
          assert.ok(e instanceof EnvsubstError);
          assert.equal(e.line, line);
          assert.equal(e.column, column);
          assert.match(e.message, reason);
          assert.match(e.message, new RegExp(`^bad substitution at ${line}:${column}: `));
          return true;
        },
      );
    });
  }
  test('nesting is bounded instead of overflowing the stack', () => {
    const deep = `${'${A:-'.repeat(100)}x${'}'.repeat(100)}`;
    assert.throws(() => envsubst(deep, () => ''), /nested expressions/);
    const ok = `${'${A:-'.repeat(60)}x${'}'.repeat(60)}`;
    assert.equal(
      envsubst(ok, () => ''),
      'x',
    );
  });
});

describe('envsubst: large inputs stay linear', () => {
  test('a big config with many expressions', () => {
    const line = 'image: reg/${NAME}:${TAG:-latest} # $HOME $$x\n';
    const text = line.repeat(20_000);
    const out = envsubst(text, (n) => (n === 'NAME' ? 'app' : undefined));
    assert.equal(out, 'image: reg/app:latest # $HOME $x\n'.repeat(20_000));
  });
  test('pathological patterns on long values', () => {
    const v = 'a'.repeat(20_000);
    assert.equal(
      envsubst('${V//*a*a*a*b/x}', () => v),
      v,
    );
    assert.equal(
      envsubst('${V##*a*a*a*b}', () => v),
      v,
    );
    assert.equal(
      envsubst('${V%%a*}', () => v),
      '',
    );
  });
});
