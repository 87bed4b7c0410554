// A stand-in for a `hangar exec` that gets SIGKILLed: sets up the stage given in argv, starts a long
// step and prints "ready" once the step runs. The parent test kills it with SIGKILL.
import { engine, ensureTestImages, plan, step } from './support.js';

const id = process.argv[2] ?? 'orphan';
await ensureTestImages();
const e = engine();
const p = plan([], { id, volumes: [{ name: 'cache', kind: 'temp', medium: '', sizeLimit: 0 }] });
await e.setup(p, { signal: new AbortController().signal });
await e.runStep(p, step('long', 'echo ready; sleep 300'), {
  env: {},
  signal: new AbortController().signal,
  registries: [],
  output: (c) => {
    if (c.includes('ready')) process.stdout.write('ready\n');
  },
});
