// Quick throughput measurement of parse + lint over the real-world corpus (not a test: timings are
// never asserted). Run: node --import tsx test/spec/measure.ts
import { readdirSync, readFileSync } from 'node:fs';
import { checkConfig } from '../../src/spec/check.js';
import { parseManifest } from '../../src/spec/manifest/parse.js';
import { compatPath } from '../support/compat.js';

const dir = compatPath('drone-yml');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yml'))
  .map((f) => readFileSync(`${dir}/${f}`, 'utf8'));
const bytes = files.reduce((n, f) => n + f.length, 0);

function rate(name: string, fn: (text: string) => unknown): void {
  for (let i = 0; i < 20; i++) for (const f of files) fn(f);
  const rounds = 60;
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) for (const f of files) fn(f);
  const s = (performance.now() - t0) / 1000;
  console.log(`${name}: ${Math.round((rounds * files.length) / s)} files/s`);
}

console.log(`${files.length} files, ${Math.round(bytes / files.length)} chars on average`);
rate('parseManifest', (t) => parseManifest(t));
rate('checkConfig (parse + lint)', (t) => checkConfig(t, { trusted: false }));
