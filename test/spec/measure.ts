// Quick throughput measurement of parse + lint over the real-world corpus, next to js-yaml's and the
// `yaml` package's own loaders measured in the same run (a busy machine slows all of them alike).
// Not a test: timings are never asserted. Run: node --import tsx test/spec/measure.ts
import { readdirSync, readFileSync } from 'node:fs';
import { loadAll, mergeTag, YAML11_SCHEMA } from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import { checkConfig } from '../../src/spec/check.js';
import { parseManifest } from '../../src/spec/manifest/parse.js';
import { compatPath } from '../support/compat.js';

const dir = compatPath('drone-yml');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yml'))
  .map((f) => readFileSync(`${dir}/${f}`, 'utf8'));
const chars = files.reduce((n, f) => n + f.length, 0);
const schema = YAML11_SCHEMA.withTags(mergeTag);

function rate(fn: (text: string) => unknown, rounds = 60): number {
  for (let i = 0; i < 10; i++) for (const f of files) fn(f);
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) for (const f of files) fn(f);
  return (rounds * files.length) / ((performance.now() - t0) / 1000);
}

console.log(`${files.length} files, ${Math.round(chars / files.length)} characters on average`);
const base = rate((t) => loadAll(t, { schema, json: true }));
const results: Array<[string, number]> = [
  ['js-yaml loadAll (YAML 1.1 + merge), baseline', base],
  ['yaml parseAllDocuments', rate((t) => parseAllDocuments(t), 10)],
  ['parseManifest', rate((t) => parseManifest(t))],
  ['checkConfig (parse + lint, untrusted)', rate((t) => checkConfig(t, { trusted: false }))],
];
for (const [name, r] of results)
  console.log(`${name}: ${Math.round(r)} files/s (${(r / base).toFixed(2)}× baseline)`);
