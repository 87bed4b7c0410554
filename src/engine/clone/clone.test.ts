import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { startGitServer } from '../../../test/exec/support/git-http.js';
import { type Fixture, makeFixture, sh } from '../../../test/exec/support/git-repo.js';
import type { CloneSpec } from '../../spec/plan.js';
import { type CloneSource, EngineError } from '../engine.js';
import { cloneRepository } from './clone.js';
import { cloneKind } from './kind.js';

let fx: Fixture;
before(async () => {
  fx = await makeFixture();
});
after(async () => {
  await fx.cleanup();
});

const SPEC: CloneSpec = { depth: 0, retries: 0, skipVerify: false, trace: false };

async function clone(
  src: Partial<CloneSource>,
  spec: Partial<CloneSpec> = {},
  extra: { env?: Record<string, string>; signal?: AbortSignal } = {},
) {
  const dir = await mkdtemp(join(tmpdir(), 'hangar-clone-test-'));
  let out = '';
  const code = await cloneRepository(
    { remote: fx.origin, ref: 'refs/heads/main', commit: '', branch: 'main', ...src },
    { ...SPEC, ...spec },
    join(dir, 'src'),
    {
      output: (c) => (out += c),
      signal: extra.signal ?? new AbortController().signal,
      env: extra.env,
      retryDelayMs: 10,
    },
  );
  return { code, out, dir: join(dir, 'src'), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

test('clone kind follows the ref like drone/git', () => {
  assert.equal(cloneKind('refs/tags/v1'), 'tag');
  assert.equal(cloneKind('refs/pull/12/head'), 'pull_request');
  assert.equal(cloneKind('refs/pull-request/12/from'), 'pull_request');
  assert.equal(cloneKind('refs/merge-requests/3/head'), 'pull_request');
  assert.equal(cloneKind('refs/heads/main'), 'commit');
  assert.equal(cloneKind(''), 'commit');
});

test('branch without commit: the branch head is checked out on that branch, with trace lines', async () => {
  const r = await clone({});
  try {
    assert.equal(r.code, 0, r.out);
    assert.equal(await sh(r.dir, 'rev-parse', 'HEAD'), fx.c3);
    assert.equal(await sh(r.dir, 'rev-parse', '--abbrev-ref', 'HEAD'), 'main');
    assert.match(r.out, /^\+ git init$/m);
    assert.match(r.out, new RegExp(`^\\+ git remote add origin ${fx.origin}$`, 'm'));
    assert.match(r.out, /^\+ git fetch origin \+refs\/heads\/main:refs\/remotes\/origin\/main$/m);
  } finally {
    await r.cleanup();
  }
});

test('a commit behind the branch head is checked out as the branch', async () => {
  const r = await clone({ commit: fx.c2 });
  try {
    assert.equal(r.code, 0, r.out);
    assert.equal(await sh(r.dir, 'rev-parse', 'HEAD'), fx.c2);
    assert.equal(await sh(r.dir, 'rev-parse', '--abbrev-ref', 'HEAD'), 'main');
    assert.equal(await readFile(join(r.dir, 'a.txt'), 'utf8'), 'two\n');
  } finally {
    await r.cleanup();
  }
});

test('depth 1 gives a shallow clone, and a commit below that depth is still fetched by id', async () => {
  const tip = await clone({ commit: fx.c3 }, { depth: 1 });
  const old = await clone({ commit: fx.c1 }, { depth: 1 });
  try {
    assert.equal(tip.code, 0, tip.out);
    assert.match(tip.out, /\+ git fetch --depth=1 origin/);
    assert.equal(await sh(tip.dir, 'rev-parse', '--is-shallow-repository'), 'true');
    assert.equal(await sh(tip.dir, 'rev-list', '--count', 'HEAD'), '1');
    assert.equal(old.code, 0, old.out);
    assert.equal(await sh(old.dir, 'rev-parse', 'HEAD'), fx.c1);
    assert.equal(await sh(old.dir, 'rev-list', '--count', 'HEAD'), '1');
  } finally {
    await tip.cleanup();
    await old.cleanup();
  }
});

test('a tag is fetched and its commit checked out', async () => {
  const r = await clone({ ref: 'refs/tags/v1.0', branch: '', commit: fx.c2 }, { depth: 1 });
  try {
    assert.equal(r.code, 0, r.out);
    assert.equal(await sh(r.dir, 'rev-parse', 'HEAD'), fx.c2);
    assert.equal(await sh(r.dir, 'describe', '--tags'), 'v1.0');
    assert.equal(existsSync(join(r.dir, 'feature.txt')), false);
  } finally {
    await r.cleanup();
  }
});

for (const [ref, depth] of [
  ['refs/pull/7/head', 0],
  ['refs/pull/7/head', 1],
  ['refs/merge-requests/3/head', 0],
] as const) {
  test(`a pull request (${ref}, depth ${depth}) is merged into its target branch`, async () => {
    const r = await clone({ ref, branch: 'main', commit: fx.feature }, { depth });
    try {
      assert.equal(r.code, 0, r.out);
      assert.equal(await sh(r.dir, 'rev-parse', '--abbrev-ref', 'HEAD'), 'main');
      const parents = (await sh(r.dir, 'rev-list', '--parents', '-n', '1', 'HEAD')).split(' ').slice(1);
      assert.deepEqual(parents, [fx.c3, fx.feature]);
      assert.equal(await readFile(join(r.dir, 'a.txt'), 'utf8'), 'three\n');
      assert.equal(await readFile(join(r.dir, 'feature.txt'), 'utf8'), 'feature\n');
      assert.match(r.out, new RegExp(`^\\+ git merge --no-edit ${fx.feature}$`, 'm'));
      // The merge commit is authored with Drone's fallback identity.
      assert.equal(await sh(r.dir, 'log', '-1', '--format=%an <%ae>'), 'drone <drone@localhost>');
    } finally {
      await r.cleanup();
    }
  });
}

test('the merge commit of a pull request uses the commit author from the environment', async () => {
  const env = { DRONE_COMMIT_AUTHOR_NAME: 'Octo Cat', DRONE_COMMIT_AUTHOR_EMAIL: 'octo@example.com' };
  const r = await clone({ ref: 'refs/pull/7/head', commit: '' }, {}, { env });
  try {
    assert.equal(r.code, 0, r.out);
    assert.equal(await sh(r.dir, 'log', '-1', '--format=%an <%ae>'), 'Octo Cat <octo@example.com>');
    assert.equal(await sh(r.dir, 'rev-parse', 'HEAD^2'), fx.feature);
  } finally {
    await r.cleanup();
  }
});

test('without a branch the whole remote is fetched and the commit checked out', async () => {
  const r = await clone({ ref: '', branch: '', commit: fx.c2 }, { depth: 1 });
  const none = await clone({ ref: '', branch: '', commit: '' });
  try {
    assert.equal(r.code, 0, r.out);
    assert.equal(await sh(r.dir, 'rev-parse', 'HEAD'), fx.c2);
    assert.match(r.out, /^\+ git fetch origin$/m);
    assert.equal(none.code, 1);
    assert.match(none.out, /nothing to clone/);
  } finally {
    await r.cleanup();
    await none.cleanup();
  }
});

test('cloning again into an existing repository reuses it (the branch is reset)', async () => {
  const r = await clone({ commit: fx.c3 });
  try {
    assert.equal(r.code, 0, r.out);
    let out = '';
    const again = await cloneRepository(
      { remote: fx.origin, ref: 'refs/heads/main', commit: fx.c1, branch: 'main' },
      SPEC,
      r.dir,
      { output: (c) => (out += c), signal: new AbortController().signal },
    );
    assert.equal(again, 0, out);
    assert.doesNotMatch(out, /git init/);
    assert.match(out, /\+ git checkout -f -B main/);
    assert.equal(await sh(r.dir, 'rev-parse', 'HEAD'), fx.c1);
  } finally {
    await r.cleanup();
  }
});

test('a file:// remote works like a path', async () => {
  const r = await clone({ remote: `file://${fx.origin}` }, { depth: 1 });
  try {
    assert.equal(r.code, 0, r.out);
    assert.equal(await sh(r.dir, 'rev-parse', 'HEAD'), fx.c3);
  } finally {
    await r.cleanup();
  }
});

test("a branch that does not exist fails with git's reason and a clear message", async () => {
  const r = await clone({ ref: 'refs/heads/nope', branch: 'nope' }, { retries: 1 });
  try {
    assert.notEqual(r.code, 0);
    assert.match(r.out, /couldn't find remote ref refs\/heads\/nope/);
    assert.match(r.out, /retrying in .* \(attempt 2 of 2\)/);
    assert.match(r.out, /^could not fetch branch nope from the remote$/m);
    assert.match(r.out, /^clone failed with exit code \d+$/m);
  } finally {
    await r.cleanup();
  }
});

test('a commit that does not exist fails with a clear message', async () => {
  const r = await clone({ commit: 'deadbeef'.repeat(5) });
  try {
    assert.notEqual(r.code, 0);
    assert.match(r.out, /could not fetch commit deadbeef/);
  } finally {
    await r.cleanup();
  }
});

test('an aborted clone returns 137 without running git', async () => {
  const ac = new AbortController();
  ac.abort();
  const r = await clone({}, {}, { signal: ac.signal });
  try {
    assert.equal(r.code, 137);
    assert.equal(r.out, '');
  } finally {
    await r.cleanup();
  }
});

test('a host without git gets an EngineError, not an exit code', async () => {
  await assert.rejects(
    clone({}, {}, { env: { PATH: '/nonexistent' } }),
    (e: unknown) => e instanceof EngineError && /git is not installed/.test(e.message),
  );
});

test('http: credentials come from a netrc in a private HOME and never reach output or config', async () => {
  const password = 'S3cret-Pa55word';
  const server = await startGitServer({ root: fx.root, auth: { login: 'octocat', password } });
  try {
    const netrc = { machine: '127.0.0.1', login: 'octocat', password };
    const ok = await clone({ remote: `${server.url}/repo.git`, netrc }, { depth: 1 });
    try {
      assert.equal(ok.code, 0, ok.out);
      assert.equal(await sh(ok.dir, 'rev-parse', 'HEAD'), fx.c3);
      assert.equal(ok.out.includes(password), false);
      assert.equal((await readFile(join(ok.dir, '.git', 'config'), 'utf8')).includes(password), false);
      assert.ok(server.authHeaders.length > 0, 'the client authenticated');
    } finally {
      await ok.cleanup();
    }

    // Credentials in the URL are moved out of it: not in the trace, not in .git/config.
    const inUrl = await clone({
      remote: `http://octocat:${password}@127.0.0.1:${new URL(server.url).port}/repo.git`,
    });
    try {
      assert.equal(inUrl.code, 0, inUrl.out);
      assert.equal(inUrl.out.includes(password), false);
      const config = await readFile(join(inUrl.dir, '.git', 'config'), 'utf8');
      assert.equal(config.includes(password), false);
      assert.match(config, new RegExp(`url = ${server.url}/repo.git`));
    } finally {
      await inUrl.cleanup();
    }

    // A wrong password fails at once (no prompt), and the password is not echoed.
    const bad = await clone({
      remote: `${server.url}/repo.git`,
      netrc: { ...netrc, password: 'Wr0ng-Pa55word' },
    });
    try {
      assert.notEqual(bad.code, 0);
      assert.equal(bad.out.includes('Wr0ng-Pa55word'), false);
      assert.match(bad.out, /could not fetch branch main/);
    } finally {
      await bad.cleanup();
    }
  } finally {
    await server.close();
  }
});

test('http: a fetch that fails transiently is retried', async () => {
  const server = await startGitServer({ root: fx.root, failFirst: 1 });
  try {
    const none = await clone({ remote: `${server.url}/repo.git` }, { retries: 0 });
    await none.cleanup();
    assert.notEqual(none.code, 0);
    const server2 = await startGitServer({ root: fx.root, failFirst: 1 });
    try {
      const r = await clone({ remote: `${server2.url}/repo.git` }, { retries: 2 });
      try {
        assert.equal(r.code, 0, r.out);
        assert.match(r.out, /retrying in/);
        assert.equal(await sh(r.dir, 'rev-parse', 'HEAD'), fx.c3);
      } finally {
        await r.cleanup();
      }
    } finally {
      await server2.close();
    }
  } finally {
    await server.close();
  }
});

test('https with a self-signed certificate: refused, unless skip_verify', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hangar-tls-'));
  try {
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    const tls = {
      key: await readFile(join(dir, 'key.pem'), 'utf8'),
      cert: await readFile(join(dir, 'cert.pem'), 'utf8'),
    };
    const server = await startGitServer({ root: fx.root, tls });
    try {
      const refused = await clone({ remote: `${server.url}/repo.git` });
      await refused.cleanup();
      assert.notEqual(refused.code, 0);
      assert.match(refused.out, /certificate/i);
      const ok = await clone({ remote: `${server.url}/repo.git` }, { skipVerify: true });
      try {
        assert.equal(ok.code, 0, ok.out);
        assert.equal(await sh(ok.dir, 'rev-parse', 'HEAD'), fx.c3);
      } finally {
        await ok.cleanup();
      }
    } finally {
      await server.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
