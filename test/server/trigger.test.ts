// The trigger over a real store and real git repositories: which builds and stages a hook makes,
// error builds, skips, protected repos, fork approval, auto-cancel, and the SCM statuses it sends.
import assert from 'node:assert/strict';
import { after, beforeEach, describe } from 'node:test';
import { newHook } from '../../src/server/scm/hook.js';
import { signConfig } from '../../src/spec/signature.js';
import type { Repo } from '../../src/server/store/models.js';
import { findBuildByNumber, listBuilds } from '../../src/server/store/queries/builds.js';
import { listLatest } from '../../src/server/store/queries/latest.js';
import { createRepo, findRepo } from '../../src/server/store/queries/repos.js';
import { listStagesOfBuild } from '../../src/server/store/queries/stages.js';
import { createUser } from '../../src/server/store/queries/users.js';
import type { Db } from '../../src/server/store/schema.js';
import { triggerBuild } from '../../src/server/trigger/trigger.js';
import { storeTest } from '../store/harness.js';
import { pipeline, pipelines, triggerDeps, type WorkRepo, workRepo } from './trigger-support.js';

const KEY = 'k'.repeat(32);
const made: WorkRepo[] = [];
let n = 0;
// Each test body runs once per dialect: every run gets its own repository.
let work: WorkRepo;

beforeEach(async () => {
  work = await workRepo();
  made.push(work);
});
after(async () => {
  for (const w of made) await w.remove();
});

async function aRepo(db: Db, fields: Partial<Repo> = {}): Promise<Repo> {
  n += 1;
  return createRepo(db, {
    namespace: 'acme',
    name: `app-${n}`,
    scm: 'local',
    git_http_url: work.dir,
    active: true,
    signer: KEY,
    secret: KEY,
    ...fields,
  });
}

function pushHook(sha: string, before = '0'.repeat(40), branch = 'main') {
  return newHook({
    event: 'push',
    ref: `refs/heads/${branch}`,
    source: branch,
    target: branch,
    before,
    after: sha,
    sender: 'jane',
  });
}

describe('trigger', () => {
  storeTest('a push makes a build with the stages its trigger rules select', async ({ db }) => {
    const base = await work.commit('first', { 'README.md': 'hi\n' });
    const sha = await work.commit('add pipelines', {
      '.drone.yml': pipelines(
        pipeline('build', 'trigger:\n  branch: [main]'),
        pipeline('docs', 'trigger:\n  branch: [gh-pages]'),
        pipeline('deploy', 'depends_on: [build]'),
        pipeline('notify', 'depends_on: [docs]'),
        pipeline('always', 'depends_on: [build]\ntrigger:\n  status: [success, failure]'),
      ),
      'src/app.js': 'x\n',
    });
    const repo = await aRepo(db);
    const deps = triggerDeps(db);
    const res = await triggerBuild(deps, repo, pushHook(sha, base));
    assert.equal(res.kind, 'created');
    if (res.kind !== 'created') return;
    const { build, stages } = res;
    assert.equal(build.number, 1);
    assert.equal(build.status, 'pending');
    assert.equal(build.event, 'push');
    assert.equal(build.trigger, '@hook');
    // Commit details come from the repository itself when the hook lacks them.
    assert.equal(build.message, 'add pipelines\n');
    assert.equal(build.author_name, 'Jane Doe');
    assert.equal(build.author_email, 'jane@example.com');
    assert.deepEqual([...(build.changed_files ?? [])].sort(), ['.drone.yml', 'src/app.js']);
    assert.deepEqual(
      stages.map((s) => [s.number, s.name, s.status, s.depends_on]),
      [
        [1, 'build', 'pending', []],
        [2, 'deploy', 'waiting_on_dependencies', ['build']],
        // `docs` was filtered out, so `notify` no longer waits for anything.
        [3, 'notify', 'pending', []],
        [4, 'always', 'waiting_on_dependencies', ['build']],
      ],
    );
    assert.deepEqual(
      stages.map((s) => [s.on_success, s.on_failure]),
      [
        [true, false],
        [true, false],
        [true, false],
        [true, true],
      ],
    );
    assert.deepEqual(
      [stages[0]?.kind, stages[0]?.type, stages[0]?.os, stages[0]?.arch],
      ['pipeline', 'docker', 'linux', 'amd64'],
    );
    assert.equal((await findRepo(db, repo.id))?.counter, 1);
    assert.deepEqual(
      deps.scm.status.sent.map((s) => [s.context, s.state, s.description, s.target, s.sha]),
      [
        [
          'continuous-integration/drone/push',
          'pending',
          'Build is pending',
          `https://ci.example.com/${repo.slug}/1`,
          sha,
        ],
      ],
    );
    const latest = await listLatest(db, repo.id, 'branch');
    assert.deepEqual(
      latest.map((l) => [l.name, l.build_id]),
      [['main', build.id]],
    );
  });

  storeTest(
    'skip directives, no matching pipeline, ignored pull requests: no build, no number',
    async ({ db }) => {
      const sha = await work.commit('docs only [CI SKIP]', {
        '.drone.yml': pipelines(pipeline('build', 'trigger:\n  event: [push, tag]')),
      });
      const repo = await aRepo(db);
      const deps = triggerDeps(db);
      assert.deepEqual(await triggerBuild(deps, repo, pushHook(sha)), {
        kind: 'skipped',
        reason: 'skip directive in the commit message',
      });
      // A tag is never skipped by a directive.
      const tag = await triggerBuild(
        deps,
        repo,
        newHook({ event: 'tag', ref: 'refs/tags/v1', after: sha, action: 'create' }),
      );
      assert.equal(tag.kind, 'created');
      const pr = newHook({
        event: 'pull_request',
        ref: 'refs/pull/1/head',
        after: sha,
        message: 'x',
        target: 'main',
        source_repo: repo.slug,
      });
      assert.deepEqual(await triggerBuild(deps, repo, pr), {
        kind: 'skipped',
        reason: 'no pipeline matches the build',
      });
      const ignoring = await aRepo(db, { ignore_pull_requests: true });
      assert.equal((await triggerBuild(deps, ignoring, pr)).kind, 'skipped');
      const noForks = await aRepo(db, { ignore_forks: true });
      const fork = { ...pr, source_repo: 'someone/app' };
      assert.deepEqual(await triggerBuild(deps, noForks, fork), {
        kind: 'skipped',
        reason: 'the repository ignores pull requests from forks',
      });
      assert.equal((await findRepo(db, repo.id))?.counter, 1);
      assert.equal((await findRepo(db, noForks.id))?.counter, 0);
      assert.equal(deps.scm.status.sent.length, 1);
    },
  );

  storeTest('bad configurations make error builds that take a number and report an error', async ({ db }) => {
    const repo = await aRepo(db);
    const deps = triggerDeps(db);
    const bad = await work.commit('broken', { '.drone.yml': 'kind: pipeline\nsteps: [\n' });
    const cycle = await work.commit('cycle', {
      '.drone.yml': pipelines(pipeline('a', 'depends_on: [b]'), pipeline('b', 'depends_on: [a]')),
    });
    const missing = await work.commit('no config', { '.drone.yml': null });
    const results = [];
    for (const sha of [bad, cycle, missing]) results.push(await triggerBuild(deps, repo, pushHook(sha)));
    const builds = results.map((r) => (r.kind === 'created' ? r : undefined));
    assert.deepEqual(
      builds.map((b) => [b?.build.number, b?.build.status, b?.stages.length]),
      [
        [1, 'error', 0],
        [2, 'error', 0],
        [3, 'error', 0],
      ],
    );
    for (const b of builds) {
      assert.ok(b && b.build.error.length > 0);
      assert.equal(b?.build.started, 1_700_000_000);
      assert.equal(b?.build.finished, 1_700_000_000);
    }
    assert.match(builds[2]?.build.error ?? '', /\.drone\.yml not found at/);
    assert.deepEqual(
      deps.scm.status.sent.map((s) => [s.state, s.description]),
      Array(3).fill(['error', 'Build encountered an error']),
    );
    assert.equal((await listStagesOfBuild(db, builds[0]?.build.id ?? 0)).length, 0);
  });

  storeTest('a GitHub repository without a local copy gets a clear error build', async ({ db }) => {
    const repo = await aRepo(db, { scm: 'github', git_http_url: 'https://github.com/acme/app.git' });
    const res = await triggerBuild(triggerDeps(db), repo, pushHook('a'.repeat(40)));
    assert.equal(res.kind, 'created');
    if (res.kind === 'created') {
      assert.equal(res.build.status, 'error');
      assert.match(res.build.error, /reading files from github is not configured/);
    }
  });

  storeTest(
    'protected repositories: unsigned configurations wait for approval, signed ones run',
    async ({ db }) => {
      const repo = await aRepo(db, { protected: true });
      const deps = triggerDeps(db);
      const text = pipelines(pipeline('build'), pipeline('deploy', 'depends_on: [build]'));
      const unsigned = await work.commit('unsigned', { '.drone.yml': text });
      const res = await triggerBuild(deps, repo, pushHook(unsigned));
      assert.equal(res.kind, 'created');
      if (res.kind === 'created') {
        assert.equal(res.build.status, 'blocked');
        assert.deepEqual(
          res.stages.map((s) => s.status),
          ['blocked', 'blocked'],
        );
      }
      assert.equal(deps.scm.status.sent.at(-1)?.description, 'Build is pending approval');
      const signed = `${text}---\nkind: signature\nhmac: ${signConfig(text, KEY)}\n`;
      const ok = await work.commit('signed', { '.drone.yml': signed });
      const res2 = await triggerBuild(deps, repo, pushHook(ok));
      assert.equal(res2.kind === 'created' && res2.build.status, 'pending');
      // A build a user starts (a restart, a custom build) is not held.
      const manual = await triggerBuild(deps, repo, { ...pushHook(unsigned), trigger: 'jane' });
      assert.equal(manual.kind === 'created' && manual.build.status, 'pending');
    },
  );

  storeTest('pull requests from forks wait for approval when the server asks for it', async ({ db }) => {
    const sha = await work.commit('pr', { '.drone.yml': pipelines(pipeline('build')) });
    const repo = await aRepo(db);
    const deps = triggerDeps(db, { approveForks: true });
    const pr = newHook({
      event: 'pull_request',
      action: 'opened',
      ref: 'refs/pull/3/head',
      after: sha,
      target: 'main',
      source: 'feature',
      message: 'please',
    });
    const fork = await triggerBuild(deps, repo, { ...pr, source_repo: 'mallory/app' });
    const own = await triggerBuild(deps, repo, { ...pr, source_repo: repo.slug.toUpperCase() });
    assert.equal(fork.kind === 'created' && fork.stages[0]?.status, 'blocked');
    assert.equal(own.kind === 'created' && own.stages[0]?.status, 'pending');
    assert.equal(deps.scm.status.sent.at(-1)?.context, 'continuous-integration/drone/pr');
    const latest = await listLatest(db, repo.id, 'pull_request');
    assert.deepEqual(
      latest.map((l) => l.name),
      ['3'],
    );
  });

  storeTest('an inactive owner gets no builds', async ({ db }) => {
    const owner = await createUser(db, { login: `gone${++n}`, active: false });
    const repo = await aRepo(db, { user_id: owner.id });
    const sha = await work.commit('x', { '.drone.yml': pipelines(pipeline('build')) });
    assert.deepEqual(await triggerBuild(triggerDeps(db), repo, pushHook(sha)), {
      kind: 'skipped',
      reason: 'the repository owner is inactive',
    });
  });

  storeTest('changed files decide `paths` conditions', async ({ db }) => {
    const repo = await aRepo(db);
    const deps = triggerDeps(db);
    const base = await work.commit('paths', {
      '.drone.yml': pipelines(
        pipeline('docs', 'trigger:\n  paths: [docs/**]'),
        pipeline('code', 'trigger:\n  paths:\n    exclude: [docs/**]'),
      ),
    });
    const docs = await work.commit('docs', { 'docs/index.md': '# hi\n' });
    const res = await triggerBuild(deps, repo, pushHook(docs, base));
    assert.equal(res.kind, 'created');
    if (res.kind === 'created') {
      assert.deepEqual(res.build.changed_files, ['docs/index.md']);
      assert.deepEqual(
        res.stages.map((s) => s.name),
        ['docs'],
      );
    }
  });

  storeTest('build numbers stay unique when hooks arrive together', async ({ db }) => {
    const repo = await aRepo(db);
    const sha = await work.commit('many', { '.drone.yml': pipelines(pipeline('build')) });
    const deps = triggerDeps(db);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => triggerBuild(deps, repo, pushHook(sha))),
    );
    const numbers = results.map((r) => (r.kind === 'created' ? r.build.number : 0)).sort((a, b) => a - b);
    assert.deepEqual(numbers, [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal((await listBuilds(db, repo.id, { perPage: 100 })).length, 8);
  });
});

describe('auto-cancel', () => {
  storeTest('a newer push skips the pending builds of the same ref, not other refs', async ({ db }) => {
    const repo = await aRepo(db, { auto_cancel_pushes: true });
    const deps = triggerDeps(db);
    const sha = await work.commit('ac', {
      '.drone.yml': pipelines(pipeline('build'), pipeline('after', 'depends_on: [build]')),
    });
    const first = await triggerBuild(deps, repo, pushHook(sha));
    const other = await triggerBuild(deps, repo, pushHook(sha, '0'.repeat(40), 'dev'));
    const second = await triggerBuild(deps, repo, pushHook(sha));
    assert.ok(first.kind === 'created' && other.kind === 'created' && second.kind === 'created');
    const b1 = await findBuildByNumber(db, repo.id, 1);
    assert.equal(b1?.status, 'skipped');
    assert.deepEqual(
      (await listStagesOfBuild(db, b1?.id ?? 0)).map((s) => s.status),
      ['skipped', 'skipped'],
    );
    assert.equal((await findBuildByNumber(db, repo.id, 2))?.status, 'pending');
    assert.equal((await findBuildByNumber(db, repo.id, 3))?.status, 'pending');
    assert.deepEqual(
      deps.scm.status.sent.map((s) => [s.state, s.description]),
      [
        ['pending', 'Build is pending'],
        ['pending', 'Build is pending'],
        ['pending', 'Build is pending'],
        ['unknown', 'Build was skipped'],
      ],
    );
  });

  storeTest('running builds are cancelled only with auto_cancel_running', async ({ db }) => {
    const sha = await work.commit('run', { '.drone.yml': pipelines(pipeline('build')) });
    for (const running of [false, true]) {
      const repo = await aRepo(db, { auto_cancel_pushes: true, auto_cancel_running: running });
      const deps = triggerDeps(db);
      const first = await triggerBuild(deps, repo, pushHook(sha));
      assert.ok(first.kind === 'created');
      // What a runner would have written: the build and its stage running.
      const { updateBuild } = await import('../../src/server/store/queries/builds.js');
      const { updateStage } = await import('../../src/server/store/queries/stages.js');
      await updateBuild(db, { ...first.build, status: 'running', started: 1 });
      const stage = first.stages[0];
      assert.ok(stage);
      await updateStage(db, { ...stage, status: 'running', started: 1, machine: 'r1' });
      await triggerBuild(deps, repo, pushHook(sha));
      const b1 = await findBuildByNumber(db, repo.id, 1);
      assert.equal(b1?.status, running ? 'skipped' : 'running');
      assert.deepEqual(
        (await listStagesOfBuild(db, b1?.id ?? 0)).map((s) => s.status),
        [running ? 'killed' : 'running'],
      );
    }
  });
});
