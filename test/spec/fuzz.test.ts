// Bounded property tests: whatever the text — random characters, YAML-ish token soup, mutated corpus
// files, random trees dumped as YAML — checkConfig returns (never throws), every diagnostic is placed
// (or file-level) and well-formed, and the manifest has the declared shape.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { checkConfig } from '../../src/spec/check.js';
import { LINT_RULES } from '../../src/spec/lint/index.js';
import { PARSE_RULES } from '../../src/spec/manifest/rules.js';
import type { Pipeline, Step } from '../../src/spec/manifest/types.js';
import { compatPath, compatSkip, compatText } from '../support/compat.js';

function sane(text: string, trusted = false): void {
  const { manifest, diagnostics } = checkConfig(text, { file: 'fuzz.yml', trusted });
  for (const d of diagnostics) {
    assert.ok(d.severity === 'error' || d.severity === 'warning');
    assert.ok(d.rule in PARSE_RULES || d.rule in LINT_RULES, `unlisted rule ${d.rule}`);
    assert.ok(d.message.length > 0);
    assert.ok((d.line >= 1 && d.col >= 1) || d.doc === -1, `unplaced: ${JSON.stringify(d)}`);
    if (d.field !== '') assert.ok(d.message.startsWith(`${d.field}: `), d.message);
  }
  for (let i = 1; i < diagnostics.length; i++) {
    const a = diagnostics[i - 1]!;
    const b = diagnostics[i]!;
    if (a.rule !== 'too-many-diagnostics' && b.rule !== 'too-many-diagnostics') {
      assert.ok(a.line < b.line || (a.line === b.line && a.col <= b.col), 'sorted');
    }
  }
  for (const r of manifest.resources) if (r.kind === 'pipeline' && 'steps' in r) shape(r);
}

const strings = (xs: unknown) => Array.isArray(xs) && xs.every((x) => typeof x === 'string');

/** The manifest is what its types say, whatever the YAML was. */
function shape(p: Pipeline): void {
  assert.ok(p.name !== '' && p.type !== '' && p.platform.os !== '' && p.platform.arch !== '');
  assert.ok(strings(p.depends_on) && strings(p.image_pull_secrets));
  assert.ok(Number.isInteger(p.clone.depth) && typeof p.clone.disable === 'boolean');
  const step = (s: Step) => {
    assert.ok(typeof s.name === 'string' && typeof s.image === 'string');
    assert.ok(strings(s.commands) && strings(s.entrypoint) && strings(s.command) && strings(s.depends_on));
    assert.ok(typeof s.privileged === 'boolean' && typeof s.detach === 'boolean');
    assert.ok(Number.isInteger(s.mem_limit) && Number.isInteger(s.shm_size));
    assert.ok(['', 'ignore', 'fast'].includes(s.failure));
    for (const v of Object.values(s.environment)) {
      assert.ok(
        ('value' in v && typeof v.value === 'string') ||
          ('fromSecret' in v && typeof v.fromSecret === 'string'),
      );
    }
    for (const c of Object.values(s.when)) assert.ok(c && strings(c.include) && strings(c.exclude));
    for (const m of s.volumes) assert.ok(typeof m.name === 'string' && typeof m.path === 'string');
  };
  p.steps.forEach(step);
  p.services.forEach(step);
  for (const v of p.volumes) assert.ok(typeof v.name === 'string');
}

const TOKENS = [
  'kind: pipeline\n',
  'kind: secret\n',
  '---\n',
  '...\n',
  'steps:\n',
  'services:\n',
  '- ',
  '  ',
  '\n',
  ': ',
  'name: a\n',
  'image: alpine\n',
  'commands: [ls]\n',
  'depends_on: [a]\n',
  'when: {branch: main}\n',
  'volumes:\n',
  'temp: {}\n',
  'host: {path: /x}\n',
  'environment:\n',
  'from_secret: s',
  'settings:\n',
  'privileged: yes\n',
  'mem_limit: 1GiB\n',
  '<<: *a\n',
  '&a ',
  '*a',
  '[',
  ']',
  '{',
  '}',
  ',',
  '"',
  "'",
  '|\n',
  '>\n',
  '# c\n',
  '!!str ',
  '~',
  '\t',
  '\r\n',
  '%',
  '@',
  '?',
  'pipeline:\n',
];

test('random text never breaks checkConfig', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (t) => sane(t)),
    { numRuns: 150 },
  );
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom(...TOKENS), maxLength: 120 }), fc.boolean(), (t, trusted) =>
      sane(t, trusted),
    ),
    { numRuns: 150 },
  );
});

const corpus = compatSkip() ? [] : readdirSync(compatPath('drone-yml')).filter((f) => f.endsWith('.yml'));

type Edit = {
  at: number;
  op: 'delete' | 'insert' | 'dupline' | 'indent' | 'dedent';
  len: number;
  token: string;
};

function mutate(text: string, edits: Edit[]): string {
  let t = text;
  for (const e of edits) {
    const at = t.length === 0 ? 0 : e.at % t.length;
    if (e.op === 'delete') t = t.slice(0, at) + t.slice(at + e.len);
    else if (e.op === 'insert') t = t.slice(0, at) + e.token + t.slice(at);
    else {
      const start = t.lastIndexOf('\n', at) + 1;
      let end = t.indexOf('\n', at);
      if (end < 0) end = t.length;
      const line = t.slice(start, end);
      const changed =
        e.op === 'dupline'
          ? `${line}\n${line}`
          : e.op === 'indent'
            ? `  ${line}`
            : line.replace(/^ {1,2}/, '');
      t = t.slice(0, start) + changed + t.slice(end);
    }
  }
  return t;
}

test('mutated corpus files never break checkConfig', { skip: compatSkip() }, () => {
  const texts = corpus.map((f) => compatText('drone-yml', f));
  const edit = fc.record({
    at: fc.nat(),
    op: fc.constantFrom<Edit['op']>('delete', 'insert', 'dupline', 'indent', 'dedent'),
    len: fc.integer({ min: 1, max: 40 }),
    token: fc.constantFrom(...TOKENS),
  });
  fc.assert(
    fc.property(
      fc.nat({ max: texts.length - 1 }),
      fc.array(edit, { minLength: 1, maxLength: 8 }),
      fc.boolean(),
      (i, edits, trusted) => sane(mutate(texts[i]!, edits), trusted),
    ),
    { numRuns: 120 },
  );
});

const KEYS = [
  'kind',
  'type',
  'name',
  'image',
  'steps',
  'services',
  'commands',
  'environment',
  'settings',
  'when',
  'trigger',
  'depends_on',
  'volumes',
  'temp',
  'host',
  'path',
  'medium',
  'size_limit',
  'platform',
  'os',
  'arch',
  'clone',
  'depth',
  'disable',
  'privileged',
  'detach',
  'failure',
  'pull',
  'mem_limit',
  'ports',
  'from_secret',
  'include',
  'exclude',
  'branch',
  'event',
  'node',
  'concurrency',
  'limit',
  'workspace',
  'devices',
  'dns',
  'get',
  'data',
  'hmac',
  'x',
];

test('random trees dumped as YAML never break checkConfig', () => {
  const scalar = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom(
      'yes',
      'no',
      'on',
      '1GiB',
      '0x10',
      '~',
      'pipeline',
      'docker',
      'kubernetes',
      'exec',
      'memory',
      '/run/drone',
    ),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
  );
  const { tree } = fc.letrec((tie) => ({
    tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('map')),
    list: fc.array(tie('tree'), { maxLength: 4 }),
    map: fc.dictionary(fc.constantFrom(...KEYS), tie('tree'), { maxKeys: 6 }),
  }));
  const doc = fc.record({
    kind: fc.constantFrom('pipeline', 'pipeline', 'pipeline', 'secret', 'signature', 'cron', 'other'),
    type: fc.constantFrom(undefined, 'docker', 'exec', 'kubernetes', 'ssh', 'vm'),
    rest: fc.dictionary(fc.constantFrom(...KEYS), tree, { maxKeys: 8 }),
  });
  fc.assert(
    fc.property(fc.array(doc, { minLength: 1, maxLength: 3 }), fc.boolean(), (docs, trusted) => {
      const text = docs
        .map(({ kind, type, rest }) =>
          dump({ ...rest, kind, ...(type ? { type } : {}) }, { skipInvalid: true }),
        )
        .join('---\n');
      sane(text, trusted);
    }),
    { numRuns: 150 },
  );
});
