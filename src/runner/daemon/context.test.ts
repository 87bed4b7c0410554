import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Details, Stage } from '../../protocol/types.js';
import { planStage } from '../../spec/build-plan.js';
import { cloneSourceOf, configText, contextOf, secretsOf } from './context.js';

const YAML = `kind: pipeline
type: exec
name: build
steps:
- name: test
  commands: [echo \${DRONE_BUILD_NUMBER} \${DRONE_REPO}]
  environment:
    TOKEN: { from_secret: token }
`;

function details(): Details {
  const stage: Stage = {
    id: 42,
    repo_id: 7,
    build_id: 100,
    number: 2,
    name: 'build',
    kind: 'pipeline',
    type: 'exec',
    status: 'pending',
    errignore: false,
    exit_code: 0,
    machine: 'r1',
    os: 'linux',
    arch: 'amd64',
    started: 0,
    stopped: 0,
    created: 1700000000,
    updated: 1700000000,
    version: 2,
    on_success: true,
    on_failure: false,
    depends_on: ['lint'],
  };
  return {
    repository: {
      id: 7,
      uid: '77',
      user_id: 1,
      namespace: 'octocat',
      name: 'hello',
      slug: 'octocat/hello',
      scm: 'git',
      git_http_url: 'https://git.example.com/octocat/hello.git',
      git_ssh_url: 'git@git.example.com:octocat/hello.git',
      link: 'https://git.example.com/octocat/hello',
      default_branch: 'main',
      private: true,
      visibility: 'private',
      active: true,
      config_path: '.drone.yml',
      trusted: false,
      protected: false,
      ignore_forks: false,
      ignore_pull_requests: false,
      auto_cancel_pull_requests: false,
      auto_cancel_pushes: false,
      auto_cancel_running: false,
      timeout: 15,
      counter: 5,
      synced: 0,
      created: 0,
      updated: 0,
      version: 1,
      secret: 'k',
    },
    build: {
      id: 100,
      repo_id: 7,
      trigger: '@hook',
      number: 5,
      status: 'running',
      event: 'push',
      link: 'https://x/c',
      timestamp: 0,
      message: 'fix',
      before: 'a'.repeat(40),
      after: 'b'.repeat(40),
      ref: 'refs/heads/dev',
      source_repo: '',
      source: 'dev',
      target: 'dev',
      author_login: 'octocat',
      author_name: 'The Octocat',
      author_email: 'o@example.com',
      author_avatar: '',
      sender: 'octocat',
      started: 1700000001,
      finished: 0,
      created: 1700000000,
      updated: 0,
      version: 3,
      stages: [{ ...stage, id: 41, number: 1, name: 'lint', status: 'failure' }, stage],
    },
    stage,
    config: { Data: Buffer.from(YAML).toString('base64'), Hash: null },
    secrets: [
      { name: 'token', data: 'tok-value', pull_request: false },
      { name: 'dockerconfig', data: '{"auths":{}}', pull_request: false },
    ],
    system: {
      proto: 'https',
      host: 'ci.example.com:8443',
      link: 'https://ci.example.com:8443',
      version: '0.1.0',
    },
    netrc: { machine: 'git.example.com', login: 'octocat', password: 'pw' },
  };
}

test('the Details become the context a runner compiles in: DRONE_* variables, substitution, timeout', () => {
  const d = details();
  const ctx = contextOf(d, d.stage, 1700000009);
  assert.equal(ctx.stage.status, 'running');
  assert.equal(ctx.stage.started, 1700000009);
  assert.deepEqual(ctx.build.failedStages, ['lint']);
  assert.equal(ctx.system.hostname, 'ci.example.com');
  const r = planStage(configText(d), ctx, 'build', { trusted: false, compile: { id: 't' } });
  assert.ok('plan' in r, 'error' in r ? r.error : '');
  const env = r.plan.environment;
  assert.equal(env.DRONE_REPO, 'octocat/hello');
  assert.equal(env.DRONE_BUILD_NUMBER, '5');
  assert.equal(env.DRONE_COMMIT_SHA, 'b'.repeat(40));
  assert.equal(env.DRONE_BRANCH, 'dev');
  assert.equal(env.DRONE_STAGE_NAME, 'build');
  assert.equal(env.DRONE_STAGE_NUMBER, '2');
  assert.equal(env.DRONE_STAGE_MACHINE, 'r1');
  assert.equal(env.DRONE_STAGE_DEPENDS_ON, 'lint');
  assert.equal(env.DRONE_SYSTEM_HOST, 'ci.example.com:8443');
  assert.equal(env.DRONE_REPO_PRIVATE, 'true');
  assert.equal(r.plan.timeout, 15 * 60);
  assert.deepEqual(r.plan.steps.find((s) => s.name === 'test')?.commands, ['echo 5 octocat/hello']);
});

test('clone source, netrc and secrets by name', () => {
  const d = details();
  assert.deepEqual(cloneSourceOf(d), {
    remote: 'https://git.example.com/octocat/hello.git',
    ref: 'refs/heads/dev',
    commit: 'b'.repeat(40),
    branch: 'dev',
    netrc: { machine: 'git.example.com', login: 'octocat', password: 'pw' },
  });
  assert.deepEqual(secretsOf(d), { token: 'tok-value', dockerconfig: '{"auths":{}}' });
  assert.equal(contextOf(d, d.stage, 1).netrc?.login, 'octocat');
  const none = { ...d, netrc: null };
  assert.equal(cloneSourceOf(none).netrc, undefined);
  assert.equal(contextOf(none, d.stage, 1).netrc, undefined);
});

test('changed files from a Hangar server reach `paths` conditions; without them paths match', () => {
  const d = details();
  const withPaths = { ...d, build: { ...d.build, changed_files: ['docs/a.md'] } } as Details;
  assert.deepEqual(contextOf(withPaths, d.stage, 1).build.changedFiles, ['docs/a.md']);
  assert.equal(contextOf(d, d.stage, 1).build.changedFiles, undefined);
});
