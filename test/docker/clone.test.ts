// The clone step: cloned on the host with git, copied into the stage's workspace volume.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EngineError } from '../../src/engine/engine.js';
import { dockerSkip, engine, ensureTestImages, plan, run, step } from './support.js';

const skip = dockerSkip();
let origin = '';
let sha = '';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@x',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@x',
    },
  })
    .toString()
    .trim();
}

before(async () => {
  if (skip) return;
  await ensureTestImages();
  origin = await mkdtemp(join(tmpdir(), 'hangar-docker-origin-'));
  git(origin, 'init', '-q', '-b', 'main');
  await writeFile(join(origin, 'README'), 'hello from git\n');
  git(origin, 'add', 'README');
  git(origin, 'commit', '-q', '-m', 'first');
  sha = git(origin, 'rev-parse', 'HEAD');
});

after(async () => {
  if (origin) await rm(origin, { recursive: true, force: true });
});

const cloneStep = () =>
  step('clone', null, {
    image: '',
    clone: { depth: 0, retries: 0, skipVerify: false, trace: false },
    runPolicy: 'always',
  });

test('the clone lands in the workspace (custom path) and later steps see it', { skip }, async () => {
  const e = engine();
  const p = plan([], { workspace: { base: '/go', path: 'src/app', full: '/go/src/app' } });
  await e.setup(p, { signal: new AbortController().signal });
  try {
    const c = await run(e, p, cloneStep(), {
      clone: { remote: origin, ref: 'refs/heads/main', branch: 'main', commit: sha },
    });
    assert.equal(c.exitCode, 0, c.output);
    const r = await run(
      e,
      p,
      step('read', 'cat README; git_head=$(cat .git/HEAD); echo "$git_head"', { workingDir: '/go/src/app' }),
    );
    assert.deepEqual([r.exitCode, r.output], [0, 'hello from git\nref: refs/heads/main\n']);
  } finally {
    await e.destroy(p);
  }
});

test('a failing clone reports git’s exit code; a clone without a source is an engine error', {
  skip,
}, async () => {
  const e = engine();
  const p = plan([]);
  await e.setup(p, { signal: new AbortController().signal });
  try {
    const c = await run(e, p, cloneStep(), {
      clone: { remote: join(origin, 'missing'), ref: 'refs/heads/main', branch: 'main', commit: '' },
    });
    assert.notEqual(c.exitCode, 0);
    await assert.rejects(
      run(e, p, cloneStep()),
      (err: unknown) => err instanceof EngineError && err.code === 'no_clone_source',
    );
  } finally {
    await e.destroy(p);
  }
});
