// drone-runner-docker's own sample pipelines (engine/testdata, read in place) run unchanged:
// YAML → parseManifest → compileStage → executeStage on the Docker engine, with the offline images
// of scripts/test-images.sh standing in for alpine and redis.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { before, test } from 'node:test';
import { executeStage } from '../../src/runner/execute/execute.js';
import { compileStage } from '../../src/spec/compile/compile.js';
import { emptyContext } from '../../src/spec/context.js';
import { parseManifest } from '../../src/spec/manifest/parse.js';
import type { Pipeline, Resource } from '../../src/spec/manifest/types.js';
import { compatPath, compatSkip, compatText } from '../support/compat.js';
import { dockerSkip, engine, ensureTestImages, leftovers } from './support.js';

const skip = dockerSkip() || compatSkip();
const DIR = ['upstream', 'drone-runner-docker', 'engine', 'testdata'];

/** What each sample's step logs must show; the stage status is `success` unless named here. */
const expected: Record<string, { status?: string; logs: Record<string, string | RegExp> }> = {
  'network_default.yml': {
    logs: {
      test: '+ sleep 5\n+ redis-cli -h redis ping\nPONG\n+ redis-cli -h redis set FOO bar\nOK\n+ redis-cli -h redis get FOO\nbar\n',
    },
  },
  'status_failure.yml': {
    status: 'failure',
    logs: { test: '+ echo hello\nhello\n+ echo world\nworld\n+ exit 1\n' },
  },
  'status_success.yml': { logs: { test: '+ echo hello\nhello\n+ echo world\nworld\n+ exit 0\n' } },
  'volume_host.yml': { logs: { read: '+ pwd\n/drone/src\n+ cat /tmp/greetings.txt\nhello\n' } },
  'volume_mem.yml': { logs: { write: /^\+ df -T \/tmp\/memory\n.*\n\S+\s+tmpfs\s.*\/tmp\/memory\n$/m } },
  'volume_temp.yml': { logs: { read: '+ pwd\n/drone/src\n+ cat /tmp/greetings.txt\nhello\n' } },
  'workspace_custom.yml': { logs: { read: '+ pwd\n/drone/custom/path\n+ cat greetings.txt\nhello\n' } },
  'workspace_default.yml': {
    logs: { write: /\s\/drone\/src\n$/, read: '+ pwd\n/drone/src\n+ cat greetings.txt\nhello\n' },
  },
  'workspace_legacy.yml': { logs: { read: '+ pwd\n/tmp/drone\n+ cat /tmp/greetings.txt\nhello\n' } },
};

before(async () => {
  if (!skip) await ensureTestImages();
});

test('the upstream docker sample pipelines run unchanged', {
  skip,
  concurrency: true,
  timeout: 120_000,
}, async (t) => {
  const files = readdirSync(compatPath(...DIR)).filter(
    (f) => f.endsWith('.yml') && compatText(...DIR, f).trim(),
  );
  assert.deepEqual(files.sort(), Object.keys(expected).sort());
  await Promise.all(
    files.map((file) =>
      t.test(file, async () => {
        const { manifest, diagnostics } = parseManifest(compatText(...DIR, file));
        assert.deepEqual(diagnostics, []);
        const pipeline = manifest.resources.find((r: Resource): r is Pipeline => r.kind === 'pipeline');
        assert.ok(pipeline);
        const ctx = emptyContext();
        Object.assign(ctx.build, { event: 'push', ref: 'refs/heads/main', target: 'main' });
        const id = `sample-${process.pid}-${file.replace('.yml', '').replace(/_/g, '-')}`;
        const plan = compileStage(pipeline, ctx, { id });
        const res = await executeStage(plan, engine(), {});
        const want = expected[file]!;
        const summary = JSON.stringify(
          res.steps.map((s) => [s.name, s.status, s.error, s.log.map((l) => l.out).join('')]),
        );
        assert.equal(res.status, want.status ?? 'success', summary);
        for (const [name, re] of Object.entries(want.logs)) {
          const log = res.steps
            .find((s) => s.name === name)
            ?.log.map((l) => l.out)
            .join('');
          if (typeof re === 'string') assert.equal(log, re, `${name}: ${summary}`);
          else assert.match(log ?? '', re, `${name}: ${summary}`);
        }
        assert.deepEqual(await leftovers(plan.id), { containers: 0, volumes: 0, networks: 0 });
      }),
    ),
  );
});
