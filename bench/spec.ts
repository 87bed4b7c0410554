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
ctx.build = {
  ...ctx.build,
  event: 'push',
  ref: 'refs/heads/main',
  target: 'main',
  source: 'main',
  number: 1,
  after: '3d21ec53a331a6f037a91c368710b99387d012c1',
};

function rate(fn: () => void, seconds: number): number {
  for (let i = 0; i < 3; i++) fn(); // warm-up
  let n = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < seconds) {
    fn();
    n += files.length;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return n / elapsed;
}

const secs = Number(process.env.BENCH_SECONDS ?? 1);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
console.log(`corpus: ${files.length} files, ${(bytes / files.length / 1024).toFixed(1)} KB average`);
console.log(`${rounds} alternating rounds of ${secs}s each; medians (the machine is shared: medians of interleaved runs)\n`);
let stages = 0;
let steps = 0;
let failed = 0;
const planAll = () => {
  stages = 0;
  steps = 0;
  failed = 0;
  for (const text of files) {
    const { outline, plans } = planBuild(text, ctx, { trusted: true, compile: {} });
    if (outline.error) failed++;
    for (const p of plans.values()) {
      stages++;
      if ('plan' in p) steps += p.plan.steps.length;
      else failed++;
    }
  }
};
const loadJs = () => {
  for (const text of files) loadAll(text, { json: true } as never);
};
const loadYaml = () => {
  for (const text of files) parseAllDocuments(text);
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const runs = { hangar: [] as number[], jsyaml: [] as number[], yaml: [] as number[] };
for (let r = 0; r < rounds; r++) {
  runs.hangar.push(rate(planAll, secs));
  runs.jsyaml.push(rate(loadJs, secs));
  runs.yaml.push(rate(loadYaml, secs));
}
const hangar = median(runs.hangar);
const jsyaml = median(runs.jsyaml);
const yamlPkg = median(runs.yaml);
const show = (label: string, r: number) => console.log(`${label.padEnd(44)} ${r.toFixed(0).padStart(7)} files/s`);
show('hangar parse + lint + plan (all stages)', hangar);
show('baseline: js-yaml loadAll', jsyaml);
show('baseline: yaml parseAllDocuments', yamlPkg);
console.log(`\nplanned per pass: ${stages} stages, ${steps} steps (${failed} files or stages in error)`);
console.log(`ratio hangar / js-yaml loadAll:          ${(hangar / jsyaml).toFixed(2)}`);
console.log(`ratio hangar / yaml parseAllDocuments:   ${(hangar / yamlPkg).toFixed(2)}`);
console.log(`target ≥ 1000 files/s: ${hangar >= 1000 ? 'met' : 'NOT met'}`);
