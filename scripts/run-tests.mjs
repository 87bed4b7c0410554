#!/usr/bin/env node
// Runs every suite (type-check, lint, unit + integration tests) and prints one closing line with the
// totals of all of them, the line CI reads: `N passed, N failed, N skipped`.
// Usage: node scripts/run-tests.mjs [--only PATTERN] [test files...]
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
// Commands the tests start (bin/hangar.js) run the sources, never a possibly stale dist/.
process.env.HANGAR_FROM_SOURCE = '1';
const args = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;

function run(cmd, argv, { capture = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { cwd: root, stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit' });
    let out = '';
    if (capture) {
      child.stdout.on('data', (d) => {
        out += d;
        process.stdout.write(d);
      });
    }
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

function findTests(dir, acc = []) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return acc;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findTests(p, acc);
    else if (name.endsWith('.test.ts')) acc.push(relative(root, p));
  }
  return acc;
}

const explicit = args.filter((a) => !a.startsWith('--'));
const bin = join(root, 'node_modules', '.bin');

if (explicit.length === 0) {
  console.log('\n== type-check (tsc --noEmit) ==');
  const tsc = await run(join(bin, 'tsc'), ['-p', 'tsconfig.check.json']);
  if (tsc.code === 0) passed++;
  else failed++;

  console.log('\n== type-check of the web UI (tsc -p web) ==');
  const tscWeb = await run(join(bin, 'tsc'), ['-p', 'web/tsconfig.json']);
  if (tscWeb.code === 0) passed++;
  else failed++;

  console.log('\n== lint (biome) ==');
  const lint = await run(join(bin, 'biome'), ['lint', '.']);
  if (lint.code === 0) passed++;
  else failed++;
}

const files = explicit.length > 0 ? explicit : [...findTests(join(root, 'src')), ...findTests(join(root, 'web', 'src')), ...findTests(join(root, 'test'))].sort();
console.log(`\n== tests (${files.length} files) ==`);
const concurrency = process.env.HANGAR_TEST_CONCURRENCY ?? '4';
const res = await run(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=tap', ...files],
  { capture: true },
);
const num = (re) => {
  const m = res.out.match(re);
  return m ? Number(m[1]) : 0;
};
const tPass = num(/^# pass (\d+)$/m);
const tFail = num(/^# fail (\d+)$/m);
const tSkip = num(/^# skipped (\d+)$/m) + num(/^# todo (\d+)$/m);
passed += tPass;
failed += tFail + (res.code !== 0 && tFail === 0 ? 1 : 0);
skipped += tSkip;

console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
