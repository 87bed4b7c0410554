// The whole local path of `hangar exec`: YAML → parseManifest → compileStage → executeStage on the
// exec engine, with a real clone of a fixture repository.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { ExecEngine } from '../../src/engine/exec/exec.js';
import { executeStage } from '../../src/runner/execute/execute.js';
import { compileStage } from '../../src/spec/compile/compile.js';
import { emptyContext } from '../../src/spec/context.js';
import { parseManifest } from '../../src/spec/manifest/parse.js';
import type { Pipeline, Resource } from '../../src/spec/manifest/types.js';
import { makeFixture } from './support/git-repo.js';

const YAML = `
kind: pipeline
type: exec
name: default

steps:
- name: build
  commands:
  - cat a.txt
  - echo "token=$TOKEN"
  environment:
    TOKEN:
      from_secret: token
- name: lint
  failure: ignore
  commands:
  - exit 2
- name: test
  commands:
  - echo "on $DRONE_BRANCH at $(git rev-parse HEAD) as step $DRONE_STEP_NUMBER"
  - echo "status=$DRONE_STAGE_STATUS"
- name: notify
  when:
    status: [failure]
  commands:
  - echo never
`;

test('YAML → parseManifest → compileStage → executeStage on the exec engine', async () => {
  const fx = await makeFixture();
  try {
    const { manifest, diagnostics } = parseManifest(YAML);
    assert.deepEqual(diagnostics, []);
    const pipeline = manifest.resources.find((r: Resource): r is Pipeline => r.kind === 'pipeline');
    assert.ok(pipeline);
    const ctx = emptyContext();
    Object.assign(ctx.build, { event: 'push', ref: 'refs/heads/main', target: 'main', after: fx.c2 });
    ctx.repo.httpUrl = fx.origin;
    const plan = compileStage(pipeline, ctx, { id: `yaml-${process.pid}-${Date.now()}`, tempDir: tmpdir() });
    assert.deepEqual(
      plan.steps.map((s) => s.name),
      ['clone', 'build', 'lint', 'test', 'notify'],
    );

    const res = await executeStage(plan, new ExecEngine(), {
      secrets: { token: 'tok-3xample-value' },
      clone: { remote: fx.origin, ref: 'refs/heads/main', branch: 'main', commit: fx.c2 },
    });
    const log = (name: string) =>
      res.steps
        .find((s) => s.name === name)!
        .log.map((l) => l.out)
        .join('');
    assert.equal(res.status, 'success', JSON.stringify(res.steps, null, 1));
    assert.deepEqual(
      res.steps.map((s) => `${s.name}:${s.status}:${s.exitCode}`),
      ['clone:success:0', 'build:success:0', 'lint:failure:2', 'test:success:0', 'notify:skipped:0'],
    );
    assert.equal(log('build'), '+ cat a.txt\ntwo\n+ echo "token=$TOKEN"\ntoken=******\n');
    assert.match(log('test'), new RegExp(`^on main at ${fx.c2} as step 4$`, 'm'));
    assert.match(log('test'), /^status=success$/m);
    assert.equal(existsSync(plan.workspace.base), false, 'the stage folder is removed');
  } finally {
    await fx.cleanup();
  }
});
