import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BuildContext, emptyContext } from '../context.js';
import {
  buildEnviron,
  buildVars,
  gitEnviron,
  linkEnviron,
  liveEnviron,
  netrcEnviron,
  repoEnviron,
  stageVars,
  stepEnviron,
  substitutionEnv,
  systemEnviron,
} from './environ.js';

function prBuild(): BuildContext['build'] {
  return {
    ...emptyContext().build,
    trigger: 'root',
    source: 'develop',
    target: 'master',
    after: '762941318ee16e59dabbacb1b4049eec22f0d303',
    before: '7fd1a60b01f91b314f59955a4e4d4e80d8edf11d',
    ref: 'refs/pull/32/head',
    link: 'https://github.com/octocat/Hello-World/commit/762941318ee16e59dabbacb1b4049eec22f0d303',
    title: 'feat: update README',
    message: 'updated README',
    authorLogin: 'octocat',
    authorAvatar: 'https://avatars0.githubusercontent.com/u/583231',
    authorEmail: 'octocat@github.com',
    authorName: 'The Octocat',
    number: 1,
    parent: 2,
    event: 'pull_request',
    action: 'opened',
    deployTo: 'prod',
    deployId: 235634642,
    debug: true,
    status: 'failure',
    created: 1561421740,
    started: 1561421746,
    finished: 1561421753,
    failedStages: ['frontend'],
  };
}

test('repo variables (runner-go TestRepo)', () => {
  const repo = {
    ...emptyContext().repo,
    namespace: 'octocat',
    name: 'hello-world',
    slug: 'octocat/hello-world',
    scm: 'git',
    httpUrl: 'https://github.com/octocat/hello-world.git',
    sshUrl: 'git@github.com:octocat/hello-world',
    link: 'https://github.com/octocat/hello-world',
    branch: 'master',
    private: true,
    visibility: 'internal' as const,
  };
  assert.deepEqual(repoEnviron(repo), {
    DRONE_REPO: 'octocat/hello-world',
    DRONE_REPO_SCM: 'git',
    DRONE_REPO_OWNER: 'octocat',
    DRONE_REPO_NAMESPACE: 'octocat',
    DRONE_REPO_NAME: 'hello-world',
    DRONE_REPO_LINK: 'https://github.com/octocat/hello-world',
    DRONE_REPO_BRANCH: 'master',
    DRONE_REMOTE_URL: 'https://github.com/octocat/hello-world.git',
    DRONE_GIT_HTTP_URL: 'https://github.com/octocat/hello-world.git',
    DRONE_GIT_SSH_URL: 'git@github.com:octocat/hello-world',
    DRONE_REPO_VISIBILITY: 'internal',
    DRONE_REPO_PRIVATE: 'true',
    CI_REMOTE_URL: 'https://github.com/octocat/hello-world.git',
    CI_REPO: 'octocat/hello-world',
    CI_REPO_LINK: 'https://github.com/octocat/hello-world',
    CI_REPO_NAME: 'octocat/hello-world',
    CI_REPO_PRIVATE: 'true',
    CI_REPO_REMOTE: 'https://github.com/octocat/hello-world.git',
  });
});

test('build variables of a failing pull request (runner-go TestBuild)', () => {
  assert.deepEqual(buildVars(prBuild()), {
    DRONE_BRANCH: 'master',
    DRONE_BUILD_NUMBER: '1',
    DRONE_BUILD_PARENT: '2',
    DRONE_BUILD_STATUS: 'failure',
    DRONE_BUILD_EVENT: 'pull_request',
    DRONE_BUILD_DEBUG: 'true',
    DRONE_BUILD_ACTION: 'opened',
    DRONE_BUILD_CREATED: '1561421740',
    DRONE_BUILD_STARTED: '1561421746',
    DRONE_BUILD_FINISHED: '1561421753',
    DRONE_COMMIT: '762941318ee16e59dabbacb1b4049eec22f0d303',
    DRONE_COMMIT_BEFORE: '7fd1a60b01f91b314f59955a4e4d4e80d8edf11d',
    DRONE_COMMIT_AFTER: '762941318ee16e59dabbacb1b4049eec22f0d303',
    DRONE_COMMIT_BRANCH: 'master',
    DRONE_COMMIT_LINK:
      'https://github.com/octocat/Hello-World/commit/762941318ee16e59dabbacb1b4049eec22f0d303',
    DRONE_COMMIT_MESSAGE: 'updated README',
    DRONE_COMMIT_REF: 'refs/pull/32/head',
    DRONE_COMMIT_AUTHOR: 'octocat',
    DRONE_COMMIT_AUTHOR_AVATAR: 'https://avatars0.githubusercontent.com/u/583231',
    DRONE_COMMIT_AUTHOR_EMAIL: 'octocat@github.com',
    DRONE_COMMIT_AUTHOR_NAME: 'The Octocat',
    DRONE_COMMIT_SHA: '762941318ee16e59dabbacb1b4049eec22f0d303',
    DRONE_DEPLOY_TO: 'prod',
    DRONE_DEPLOY_ID: '235634642',
    DRONE_FAILED_STAGES: 'frontend',
    DRONE_PULL_REQUEST: '32',
    DRONE_PULL_REQUEST_TITLE: 'feat: update README',
    DRONE_SOURCE_BRANCH: 'develop',
    DRONE_TARGET_BRANCH: 'master',
    DRONE_BUILD_TRIGGER: 'root',
    CI_BUILD_CREATED: '1561421740',
    CI_BUILD_EVENT: 'pull_request',
    CI_BUILD_FINISHED: '1561421753',
    CI_BUILD_LINK: 'https://github.com/octocat/Hello-World/commit/762941318ee16e59dabbacb1b4049eec22f0d303',
    CI_BUILD_NUMBER: '1',
    CI_BUILD_STARTED: '1561421746',
    CI_BUILD_STATUS: 'failure',
    CI_BUILD_TARGET: 'prod',
    CI_COMMIT_AUTHOR: 'octocat',
    CI_COMMIT_AUTHOR_AVATAR: 'https://avatars0.githubusercontent.com/u/583231',
    CI_COMMIT_AUTHOR_EMAIL: 'octocat@github.com',
    CI_COMMIT_AUTHOR_NAME: 'The Octocat',
    CI_COMMIT_BRANCH: 'master',
    CI_COMMIT_MESSAGE: 'updated README',
    CI_COMMIT_REF: 'refs/pull/32/head',
    CI_COMMIT_SHA: '762941318ee16e59dabbacb1b4049eec22f0d303',
    CI_PARENT_BUILD_NUMBER: '2',
  });
});

test('build variables: zero times become "now" (DRONE_ only), tags add semver and calver', () => {
  const b = { ...prBuild(), started: 0, finished: 0, event: 'tag', ref: 'refs/tags/v1.2.3' };
  const env = buildVars(b, 1700000000);
  assert.equal(env.DRONE_BUILD_STARTED, '1700000000');
  assert.equal(env.DRONE_BUILD_FINISHED, '1700000000');
  assert.equal(env.CI_BUILD_STARTED, '0');
  assert.equal(buildVars(b).DRONE_BUILD_STARTED, '0', 'no clock given: the raw value stays');
  assert.equal(env.DRONE_TAG, 'v1.2.3');
  assert.equal(env.DRONE_SEMVER, '1.2.3');
  assert.equal(env.DRONE_SEMVER_MAJOR, '1');
  assert.equal(env.DRONE_SEMVER_MINOR, '2');
  assert.equal(env.DRONE_SEMVER_PATCH, '3');
  assert.equal(env.DRONE_PULL_REQUEST, undefined);
  assert.equal(env.DRONE_CALVER, undefined);

  const cal = buildVars({ ...b, ref: 'refs/tags/2024.05.1-rc1' });
  assert.equal(cal.DRONE_TAG, '2024.05.1-rc1');
  assert.equal(cal.DRONE_CALVER, '2024.05.1-rc1');
  assert.equal(cal.DRONE_CALVER_SHORT, '2024.05.1');
  assert.equal(cal.DRONE_CALVER_MODIFIER, 'rc1');
  assert.equal(cal.DRONE_SEMVER, '2024.5.1-rc1');

  const bad = buildVars({ ...b, ref: 'refs/tags/release' });
  assert.equal(bad.DRONE_SEMVER_ERROR, 'release is not in dotted-tri format');
  assert.equal(bad.DRONE_SEMVER, undefined);
});

test('build variables: passing build, PR numbers from the first digit run of the ref', () => {
  const ok = buildVars({ ...prBuild(), status: 'running', failedStages: [] });
  assert.equal(ok.DRONE_BUILD_STATUS, 'success');
  assert.equal(ok.CI_BUILD_STATUS, 'running');
  assert.equal(ok.DRONE_FAILED_STAGES, undefined);
  assert.equal(buildVars({ ...prBuild(), ref: 'refs/merge-requests/77/head' }).DRONE_PULL_REQUEST, '77');
  assert.equal(buildVars({ ...prBuild(), ref: 'refs/heads/main' }).DRONE_PULL_REQUEST, '');
  for (const status of ['error', 'killed']) {
    assert.equal(buildVars({ ...prBuild(), status, failedStages: [] }).DRONE_BUILD_STATUS, 'failure');
  }
});

test('system, stage, step and link variables (runner-go TestSystem/TestStage/TestStep/TestLink)', () => {
  assert.deepEqual(
    systemEnviron({ proto: 'http', host: 'drone.company.com', hostname: 'ignored', version: 'v1.0.0' }),
    {
      CI: 'true',
      DRONE: 'true',
      DRONE_SYSTEM_HOST: 'drone.company.com',
      DRONE_SYSTEM_HOSTNAME: 'drone.company.com',
      DRONE_SYSTEM_PROTO: 'http',
      DRONE_SYSTEM_VERSION: 'v1.0.0',
    },
  );
  const stage = {
    ...emptyContext().stage,
    kind: 'pipeline',
    type: 'docker',
    name: 'deploy',
    number: 1,
    machine: 'laptop',
    os: 'linux',
    arch: 'arm64',
    variant: '7',
    kernel: '2004',
    status: 'failure',
    started: 1561421746,
    finished: 1561421753,
    dependsOn: ['backend', 'frontend'],
    failedSteps: ['test'],
  };
  assert.deepEqual(stageVars(stage), {
    DRONE_STAGE_KIND: 'pipeline',
    DRONE_STAGE_TYPE: 'docker',
    DRONE_STAGE_NAME: 'deploy',
    DRONE_STAGE_NUMBER: '1',
    DRONE_STAGE_MACHINE: 'laptop',
    DRONE_STAGE_OS: 'linux',
    DRONE_STAGE_ARCH: 'arm64',
    DRONE_STAGE_VARIANT: '7',
    DRONE_STAGE_VERSION: '2004',
    DRONE_STAGE_STATUS: 'failure',
    DRONE_STAGE_STARTED: '1561421746',
    DRONE_STAGE_FINISHED: '1561421753',
    DRONE_STAGE_DEPENDS_ON: 'backend,frontend',
    DRONE_FAILED_STEPS: 'test',
    DRONE_CARD_PATH: '/dev/stdout',
  });
  const passing = stageVars({ ...stage, status: 'running', failedSteps: [], started: 0 }, 42);
  assert.equal(passing.DRONE_STAGE_STATUS, 'success');
  assert.equal(passing.DRONE_FAILED_STEPS, undefined);
  assert.equal(passing.DRONE_STAGE_STARTED, '42');
  assert.deepEqual(stepEnviron('clone', 1), { DRONE_STEP_NAME: 'clone', DRONE_STEP_NUMBER: '1' });
  const ctx = emptyContext();
  ctx.system = { ...ctx.system, proto: 'http', host: 'drone.company.com' };
  ctx.build.number = 42;
  ctx.repo.slug = 'octocat/hello-world';
  assert.deepEqual(linkEnviron(ctx), { DRONE_BUILD_LINK: 'http://drone.company.com/octocat/hello-world/42' });
});

test('git and netrc variables', () => {
  const b = emptyContext().build;
  assert.deepEqual(gitEnviron(b), {
    GIT_AUTHOR_NAME: 'drone',
    GIT_AUTHOR_EMAIL: 'noreply@drone',
    GIT_COMMITTER_NAME: 'drone',
    GIT_COMMITTER_EMAIL: 'noreply@drone',
    GIT_TERMINAL_PROMPT: '0',
  });
  assert.deepEqual(
    gitEnviron(
      { ...b, authorName: 'Jane', authorEmail: 'jane@example.com' },
      { trace: true, skipVerify: true },
    ),
    {
      GIT_AUTHOR_NAME: 'Jane',
      GIT_AUTHOR_EMAIL: 'jane@example.com',
      GIT_COMMITTER_NAME: 'Jane',
      GIT_COMMITTER_EMAIL: 'jane@example.com',
      GIT_TERMINAL_PROMPT: '0',
      GIT_TRACE: 'true',
      GIT_SSL_NO_VERIFY: 'true',
    },
  );
  assert.deepEqual(netrcEnviron({ machine: 'github.com', login: 'octocat', password: 'pw' }), {
    DRONE_NETRC_MACHINE: 'github.com',
    DRONE_NETRC_USERNAME: 'octocat',
    DRONE_NETRC_PASSWORD: 'pw',
    DRONE_NETRC_FILE: 'machine github.com login octocat password pw',
  });
  assert.deepEqual(netrcEnviron({ machine: '', login: 'x', password: 'y' }), {});
  assert.deepEqual(netrcEnviron(undefined), {});
});

const SYSTEM_KEYS = [
  'CI',
  'DRONE',
  'DRONE_SYSTEM_HOST',
  'DRONE_SYSTEM_HOSTNAME',
  'DRONE_SYSTEM_PROTO',
  'DRONE_SYSTEM_VERSION',
];
const REPO_KEYS = [
  'CI_REMOTE_URL',
  'CI_REPO',
  'CI_REPO_LINK',
  'CI_REPO_NAME',
  'CI_REPO_PRIVATE',
  'CI_REPO_REMOTE',
  'DRONE_GIT_HTTP_URL',
  'DRONE_GIT_SSH_URL',
  'DRONE_REMOTE_URL',
  'DRONE_REPO',
  'DRONE_REPO_BRANCH',
  'DRONE_REPO_LINK',
  'DRONE_REPO_NAME',
  'DRONE_REPO_NAMESPACE',
  'DRONE_REPO_OWNER',
  'DRONE_REPO_PRIVATE',
  'DRONE_REPO_SCM',
  'DRONE_REPO_VISIBILITY',
];
const BUILD_KEYS = [
  'CI_BUILD_CREATED',
  'CI_BUILD_EVENT',
  'CI_BUILD_FINISHED',
  'CI_BUILD_LINK',
  'CI_BUILD_NUMBER',
  'CI_BUILD_STARTED',
  'CI_BUILD_STATUS',
  'CI_BUILD_TARGET',
  'CI_COMMIT_AUTHOR',
  'CI_COMMIT_AUTHOR_AVATAR',
  'CI_COMMIT_AUTHOR_EMAIL',
  'CI_COMMIT_AUTHOR_NAME',
  'CI_COMMIT_BRANCH',
  'CI_COMMIT_MESSAGE',
  'CI_COMMIT_REF',
  'CI_COMMIT_SHA',
  'CI_PARENT_BUILD_NUMBER',
  'DRONE_BRANCH',
  'DRONE_BUILD_ACTION',
  'DRONE_BUILD_CREATED',
  'DRONE_BUILD_DEBUG',
  'DRONE_BUILD_EVENT',
  'DRONE_BUILD_FINISHED',
  'DRONE_BUILD_NUMBER',
  'DRONE_BUILD_PARENT',
  'DRONE_BUILD_STARTED',
  'DRONE_BUILD_STATUS',
  'DRONE_BUILD_TRIGGER',
  'DRONE_COMMIT',
  'DRONE_COMMIT_AFTER',
  'DRONE_COMMIT_AUTHOR',
  'DRONE_COMMIT_AUTHOR_AVATAR',
  'DRONE_COMMIT_AUTHOR_EMAIL',
  'DRONE_COMMIT_AUTHOR_NAME',
  'DRONE_COMMIT_BEFORE',
  'DRONE_COMMIT_BRANCH',
  'DRONE_COMMIT_LINK',
  'DRONE_COMMIT_MESSAGE',
  'DRONE_COMMIT_REF',
  'DRONE_COMMIT_SHA',
  'DRONE_DEPLOY_ID',
  'DRONE_DEPLOY_TO',
  'DRONE_SOURCE_BRANCH',
  'DRONE_TARGET_BRANCH',
];
const STAGE_KEYS = [
  'DRONE_CARD_PATH',
  'DRONE_STAGE_ARCH',
  'DRONE_STAGE_DEPENDS_ON',
  'DRONE_STAGE_FINISHED',
  'DRONE_STAGE_KIND',
  'DRONE_STAGE_MACHINE',
  'DRONE_STAGE_NAME',
  'DRONE_STAGE_NUMBER',
  'DRONE_STAGE_OS',
  'DRONE_STAGE_STARTED',
  'DRONE_STAGE_STATUS',
  'DRONE_STAGE_TYPE',
  'DRONE_STAGE_VARIANT',
  'DRONE_STAGE_VERSION',
];
const GIT_KEYS = [
  'GIT_AUTHOR_EMAIL',
  'GIT_AUTHOR_NAME',
  'GIT_COMMITTER_EMAIL',
  'GIT_COMMITTER_NAME',
  'GIT_TERMINAL_PROMPT',
];

test('buildEnviron: exactly the System, Repo, Build, Stage, Link and git keys for a push', () => {
  const keys = Object.keys(buildEnviron(emptyContext())).sort();
  const want = [
    ...SYSTEM_KEYS,
    ...REPO_KEYS,
    ...BUILD_KEYS,
    ...STAGE_KEYS,
    'DRONE_BUILD_LINK',
    ...GIT_KEYS,
  ].sort();
  assert.deepEqual(keys, want);
});

test('buildEnviron: later groups win, clone options add git variables', () => {
  const ctx = emptyContext();
  ctx.build.params = { DRONE_BRANCH: 'param' };
  ctx.build.target = 'main';
  const env = buildEnviron(ctx, { clone: { trace: true, skipVerify: true } });
  assert.equal(env.DRONE_BRANCH, 'main', 'params are not part of the build groups');
  assert.equal(env.GIT_TRACE, 'true');
  assert.equal(env.GIT_SSL_NO_VERIFY, 'true');
});

test('substitutionEnv: globals < system/repo/build/stage/link < params; no git, workspace or netrc', () => {
  const ctx = emptyContext();
  ctx.build.target = 'main';
  ctx.build.params = { DRONE_BRANCH: 'from-param', CUSTOM: 'x' };
  ctx.netrc = { machine: 'github.com', login: 'a', password: 'b' };
  const env = substitutionEnv(ctx, { globals: { DRONE_REPO: 'global', GLOBAL_ONLY: 'g' } });
  assert.equal(env.DRONE_BRANCH, 'from-param');
  assert.equal(env.CUSTOM, 'x');
  assert.equal(env.DRONE_REPO, '');
  assert.equal(env.GLOBAL_ONLY, 'g');
  const keys = Object.keys(env).sort();
  const want = [
    ...SYSTEM_KEYS,
    ...REPO_KEYS,
    ...BUILD_KEYS,
    ...STAGE_KEYS,
    'DRONE_BUILD_LINK',
    'CUSTOM',
    'GLOBAL_ONLY',
  ].sort();
  assert.deepEqual(keys, want);
});

test('liveEnviron: build < stage < step', () => {
  const ctx = emptyContext();
  const env = liveEnviron(ctx, { name: 'test', number: 3 }, 99);
  assert.equal(env.DRONE_STEP_NAME, 'test');
  assert.equal(env.DRONE_STEP_NUMBER, '3');
  assert.equal(env.DRONE_STAGE_STARTED, '99');
  assert.equal(env.DRONE_BUILD_STATUS, 'success');
  assert.equal(env.DRONE_REPO, undefined);
});
