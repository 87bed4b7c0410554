// bench/spec: parse + lint + plan the whole compat corpus, beside a bare YAML load of the same files
// in the same run. Prints files/s for each and the ratio. Target: ≥ 1,000 files/s on one core.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import { planBuild } from '../src/spec/build-plan.js';
import { emptyContext } from '../src/spec/context.js';
import { compatDir } from '../test/support/compat.js';

const dir = join(compatDir, 'drone-yml');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yml'))
  .map((f) => readFileSync(join(dir, f), 'utf8'));
const bytes = files.reduce((n, f) => n + f.length, 0);
const ctx = emptyContext();
ctx.repo = { ...ctx.repo, slug: 'octocat/hello', namespace: 'octocat', name: 'hello', trusted: true };
ctx.build = { ...ctx.build, event: 'push', ref: 'refs/heads/main', target: 'main', source: 'main', number: 1 };

function rate(label: string, seconds: number, fn: () => void): number {
  for (let i = 0; i < 3; i++) fn(); // warm-up
  let n = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < seconds) {
    fn();
    n += files.length;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  const r = n / elapsed;
  console.log(`${label.padEnd(44)} ${r.toFixed(0).padStart(7)} files/s`);
  return r;
}

const secs = Number(process.env.BENCH_SECONDS ?? 3);
console.log(`corpus: ${files.length} files, ${(bytes / files.length / 1024).toFixed(1)} KB average\n`);
let stages = 0;
let steps = 0;
const hangar = rate('hangar parse + lint + plan (all stages)', secs, () => {
  stages = 0;
  steps = 0;
  for (const text of files) {
    const { plans } = planBuild(text, ctx, { trusted: true, compile: {} });
    for (const p of plans.values()) {
      stages++;
      if ('plan' in p) steps += p.plan.steps.length;
    }
  }
});
const jsyaml = rate('baseline: js-yaml loadAll', secs, () => {
  for (const text of files) loadAll(text, { json: true } as never);
});
const yamlPkg = rate('baseline: yaml parseAllDocuments', secs, () => {
  for (const text of files) parseAllDocuments(text);
});
console.log(`\nplanned per pass: ${stages} stages, ${steps} steps`);
console.log(`ratio hangar / js-yaml loadAll:          ${(hangar / jsyaml).toFixed(2)}`);
console.log(`ratio hangar / yaml parseAllDocuments:   ${(hangar / yamlPkg).toFixed(2)}`);
console.log(`target ≥ 1000 files/s: ${hangar >= 1000 ? 'met' : 'NOT met'}`);
