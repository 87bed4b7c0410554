// The folder rules of ARCHITECTURE.md, checked on every import: dependencies point one way
// (cli → server | runner → engine → spec; protocol at the side; convert under server and cli), the
// server never imports an engine, and the web UI talks to the server only over HTTP.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './support/compat.js';

const ALLOWED: Record<string, string[]> = {
  spec: ['spec'],
  protocol: ['protocol'],
  engine: ['engine', 'spec'],
  runner: ['runner', 'engine', 'spec', 'protocol'],
  convert: ['convert', 'spec'],
  server: ['server', 'convert', 'spec', 'protocol'],
  cli: ['cli', 'server', 'runner', 'engine', 'convert', 'spec', 'protocol'],
};

function files(dir: string, acc: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, acc);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.test.ts')) acc.push(p);
  }
  return acc;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? '').filter((s) => s.startsWith('.'));
}

test('src: every relative import respects the layer rules', () => {
  const src = join(repoRoot, 'src');
  const broken: string[] = [];
  for (const file of files(src)) {
    const layer = relative(src, file).split('/')[0]!;
    const allowed = ALLOWED[layer];
    if (!allowed) continue;
    for (const spec of importsOf(file)) {
      const target = relative(src, resolve(dirname(file), spec)).split('/')[0]!;
      if (target.startsWith('..') || !allowed.includes(target)) broken.push(`${relative(repoRoot, file)} → ${spec}`);
    }
  }
  assert.deepEqual(broken, []);
});

test('web: the UI imports nothing from src (it talks to the REST API only)', () => {
  const web = join(repoRoot, 'web', 'src');
  const broken: string[] = [];
  for (const file of files(web)) {
    for (const spec of importsOf(file)) {
      if (!resolve(dirname(file), spec).startsWith(web)) broken.push(`${relative(repoRoot, file)} → ${spec}`);
    }
  }
  assert.deepEqual(broken, []);
});
