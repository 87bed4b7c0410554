import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { emptyTar } from './helper.js';

test('the helper archive is a valid tar holding one folder', () => {
  const r = spawnSync('tar', ['-tv'], { input: emptyTar() });
  assert.equal(r.status, 0, r.stderr.toString());
  assert.match(r.stdout.toString(), /^drwxr-xr-x .* hangar\/\n$/);
});
