#!/usr/bin/env node
// Entry point of the `hangar` command: the compiled CLI when `npm run build` has produced dist/,
// otherwise the TypeScript sources through tsx (a development checkout). HANGAR_FROM_SOURCE=1 forces
// the sources (the test runner sets it, so tests never run a stale build).
import { existsSync } from 'node:fs';

const dist = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(dist) && !process.env.HANGAR_FROM_SOURCE) {
  await import(dist.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
