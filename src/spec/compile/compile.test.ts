import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compatJson, compatSkip } from '../../../test/support/compat.js';
import { type BuildContext, emptyContext } from '../context.js';
import type { Conditions, Pipeline, Step } from '../manifest/types.js';
import type { Plan, PlanStep } from '../plan.js';
import { type CompileOptions, compileStage } from './compile.js';
import { posixScript } from './script.js';

function step(over: Partial<Step> = {}): Step {
  return {
    name: 'build',
    image: 'golang',
    pull: '',
    commands: [],
    entrypoint: [],
    command: [],
    environment: {},
    settings: {},
    when: {},
    depends_on: [],
    detach: false,
    privileged: false,
    failure: '',
    volumes: [],
    devices: [],
    network_mode: '',
    dns: [],
    dns_search: [],
    extra_hosts: [],
    shm_size: 0,
    mem_limit: 0,
    memswap_limit: 0,
    user: '',
    working_dir: '',
    shell: '',
    timeout: 0,
    service: false,
    ...over,
  };
}

function pipeline(over: Partial<Pipeline> = {}): Pipeline {
  return {
    kind: 'pipeline',
    type: 'docker',
    name: 'default',
    version: '',
    platform: { os: 'linux', arch: 'amd64', variant: '', version: '' },
    workspace: { base: '', path: '' },
    clone: { disable: false, depth: 0, retries: 0, skip_verify: false, trace: false },
    steps: [],
    services: [],
    volumes: [],
    node: {},
    trigger: {},
    depends_on: [],
    concurrency: { limit: 0 },
    image_pull_secrets: [],
    environment: {},
    docIndex: 0,
    ...over,
  };
}

function context(): BuildContext {
  const ctx = emptyContext();
  ctx.build.target = 'master';
  ctx.build.ref = 'refs/heads/master';
  ctx.build.number = 42;
  ctx.repo = { ...ctx.repo, slug: 'octocat/hello', namespace: 'octocat', name: 'hello', timeout: 0 };
  ctx.system = { proto: 'https', host: 'ci.example.com', hostname: 'ci', version: '1.0.0' };
  ctx.netrc = { machine: 'github.com', login: 'octocat', password: 'correct-horse-battery-staple' };
  return ctx;
}

const OPTS: CompileOptions = { id: 'random' };
const when = (branch: string[]): Conditions => ({ branch: { include: branch, exclude: [] } });
const byName = (steps: PlanStep[]) => Object.fromEntries(steps.map((s) => [s.name, s]));
const cmds = (...c: string[]) => ({ commands: c });


/** A step's full plain environment: the stage's variables, then its own. */
function envOf(plan: Plan, s: PlanStep): Record<string, string> {
  return { ...plan.environment, ...s.environment };
}

test('serial pipeline: clone → build → test, Drone images, script entrypoint, workspace', () => {
  const p = pipeline({
    steps: [step({ name: 'build', ...cmds('go build') }), step({ name: 'test', ...cmds('go test') })],
  });
  const plan = compileStage(p, context(), OPTS);
  assert.deepEqual(
    plan.steps.map((s) => [s.name, s.dependsOn]),
    [
      ['clone', []],
      ['build', ['clone']],
      ['test', ['build']],
    ],
  );
  const { clone, build } = byName(plan.steps);
  assert.equal(clone!.image, 'drone/git:latest');
  assert.equal(clone!.pull, 'if-not-exists');
  assert.equal(clone!.runPolicy, 'always');
  assert.deepEqual(clone!.clone, { depth: 0, retries: 0, skipVerify: false, trace: false });
  assert.equal(build!.image, 'docker.io/library/golang:latest');
  assert.equal(build!.pull, 'default');
  assert.deepEqual(build!.entrypoint, ['/bin/sh', '-c']);
  assert.deepEqual(build!.command, ['echo "$DRONE_SCRIPT" | /bin/sh']);
  assert.deepEqual(build!.commands, ['go build']);
  assert.equal(envOf(plan, build!).DRONE_SCRIPT, posixScript(['go build']));
  assert.equal(build!.clone, undefined);
  assert.deepEqual(
    plan.steps.map((s) => [s.environment.DRONE_STEP_NAME, s.environment.DRONE_STEP_NUMBER]),
    [
      ['clone', '1'],
      ['build', '2'],
      ['test', '3'],
    ],
  );
  for (const s of plan.steps) {
    assert.equal(s.workingDir, '/drone/src');
    assert.deepEqual(s.volumes, []);
    assert.match(s.id, /^random-\d+-[a-z0-9-]+$/);
  }
  assert.equal(new Set(plan.steps.map((s) => s.id)).size, plan.steps.length);
  assert.deepEqual(plan.workspace, { base: '/drone/src', path: '', full: '/drone/src' });
  assert.equal(plan.type, 'docker');
  assert.equal(plan.name, 'default');
  assert.equal(plan.timeout, 3600);
});

test('workspace-clone-cases: default clone step, clone disabled, clone depth', { skip: compatSkip() }, () => {
  interface Case {
    kind: string;
    pipeline?: { clone?: { disable?: boolean; depth?: number } };
    want_steps?: { Image: string; Name: string; Pull: string; RunPolicy: string; WorkingDir: string }[];
    want_step?: { Name: string; Image: string; RunPolicy: string; Envs: Record<string, string> };
    platform?: { os?: string };
    image?: string;
  }
  const cases = compatJson<Case[]>('upstream', 'workspace-clone-cases.json');
  const pipelineOf = (c: Case) => pipeline({ clone: { ...pipeline().clone, ...(c.pipeline?.clone ?? {}) } });
  let n = 0;
  for (const c of cases) {
    if (c.kind === 'defaultCloneStep') {
      const plan = compileStage(pipelineOf(c), context(), OPTS);
      assert.deepEqual(
        plan.steps.map((s) => ({
          Image: s.image,
          Name: s.name,
          Pull: s.pull,
          RunPolicy: s.runPolicy,
          WorkingDir: s.workingDir,
        })),
        (c.want_steps ?? []).map((w) => ({
          Image: w.Image,
          Name: w.Name,
          Pull: w.Pull,
          RunPolicy: w.RunPolicy,
          WorkingDir: w.WorkingDir,
        })),
      );
      n++;
    } else if (c.kind === 'createClone') {
      const [clone] = compileStage(pipelineOf(c), context(), OPTS).steps;
      assert.equal(clone!.name, c.want_step!.Name);
      assert.equal(clone!.image, c.want_step!.Image);
      assert.equal(clone!.runPolicy, c.want_step!.RunPolicy);
      for (const [k, v] of Object.entries(c.want_step!.Envs)) assert.equal(clone!.environment[k], v);
      n++;
    } else if (c.kind === 'cloneImage') {
      const os = c.platform?.os ?? '';
      const p = pipeline({ platform: { ...pipeline().platform, os } });
      assert.equal(compileStage(p, context(), OPTS).steps[0]!.image, c.image);
      n++;
    }
  }
  assert.ok(n >= 6, `ran ${n} clone cases`);
});

test('clone parameters, custom clone image, netrc entitlement', () => {
  const p = pipeline({ clone: { disable: false, depth: 50, retries: 4, skip_verify: true, trace: true } });
  const cplan = compileStage(p, context(), { id: 'x', cloneImage: 'registry.local/git:2' });
  const clone = cplan.steps[0]!;
  assert.equal(clone.image, 'registry.local/git:2');
  assert.equal(envOf(cplan, clone).PLUGIN_DEPTH, '50');
  assert.equal(envOf(cplan, clone).PLUGIN_RETRIES, '4');
  assert.equal(envOf(cplan, clone).PLUGIN_SKIP_VERIFY, 'true');
  assert.equal(envOf(cplan, clone).GIT_SSL_NO_VERIFY, 'true');
  assert.equal(envOf(cplan, clone).GIT_TRACE, 'true');
  assert.deepEqual(clone!.clone, { depth: 50, retries: 4, skipVerify: true, trace: true });
  assert.equal(clone!.netrc, true);

  const q = pipeline({ steps: [step(cmds('make'))] });
  const all = compileStage(q, context(), OPTS).steps;
  assert.deepEqual(
    all.map((s) => s.netrc),
    [true, true],
  );
  const only = compileStage(q, context(), { id: 'x', netrcCloneOnly: true }).steps;
  assert.deepEqual(
    only.map((s) => s.netrc),
    [true, false],
  );
  // credentials never enter the plan
  const plan = compileStage(q, context(), OPTS);
  assert.equal(JSON.stringify(plan).includes('correct-horse-battery-staple'), false);
  for (const s of plan.steps) {
    assert.deepEqual(
      Object.keys(s.environment).filter((k) => k.startsWith('DRONE_NETRC')),
      [],
    );
  }
});

test('DAG with services: services detached, deps default to clone, services keep the image workdir', () => {
  const p = pipeline({
    services: [
      step({ name: 'redis', image: 'redis:7', service: true }),
      step({ name: 'db', image: 'postgres', service: true, ...cmds('postgres') }),
    ],
    steps: [
      step({ name: 'build', ...cmds('go build') }),
      step({ name: 'test', ...cmds('go test'), depends_on: ['build', 'redis'] }),
      step({ name: 'bg', ...cmds('sleep 100'), detach: true }),
      step({ name: 'plugin', image: 'plugins/slack', detach: true }),
    ],
  });
  const plan = compileStage(p, context(), OPTS);
  assert.deepEqual(
    plan.steps.map((s) => [s.name, s.dependsOn]),
    [
      ['clone', []],
      ['redis', ['clone']],
      ['db', ['clone']],
      ['build', ['clone']],
      ['test', ['build', 'redis']],
      ['bg', ['clone']],
      ['plugin', ['clone']],
    ],
  );
  const s = byName(plan.steps);
  assert.equal(s.redis!.service, true);
  assert.equal(s.redis!.detach, true);
  assert.equal(s.redis!.image, 'docker.io/library/redis:7');
  assert.equal(s.redis!.workingDir, '');
  assert.equal(s.db!.workingDir, '/drone/src');
  assert.equal(s.bg!.detach, true);
  assert.equal(s.bg!.service, false);
  assert.equal(s.bg!.workingDir, '/drone/src');
  assert.equal(s.plugin!.workingDir, '');
  assert.deepEqual(s.plugin!.entrypoint, []);
  assert.equal(s.plugin!.environment.DRONE_SCRIPT, undefined);
});

test('no clone: serial without clone, a sole clone dependency removed in a DAG', () => {
  const clone = { ...pipeline().clone, disable: true };
  const serial = compileStage(
    pipeline({ clone, steps: [step(cmds('a')), step({ name: 'b', ...cmds('b') })] }),
    context(),
    OPTS,
  );
  assert.deepEqual(
    serial.steps.map((s) => [s.name, s.dependsOn]),
    [
      ['build', []],
      ['b', ['build']],
    ],
  );
  const dag = compileStage(
    pipeline({
      clone,
      steps: [step({ name: 'a', depends_on: ['clone'] }), step({ name: 'b', depends_on: ['a'] })],
    }),
    context(),
    OPTS,
  );
  assert.deepEqual(
    dag.steps.map((s) => [s.name, s.dependsOn]),
    [
      ['a', []],
      ['b', ['a']],
    ],
  );
});

test('when: non-matching steps and services are left out, their dependents rewired', () => {
  const p = pipeline({
    services: [step({ name: 'cache', image: 'redis', service: true, when: when(['develop']) })],
    steps: [
      step({ name: 'build', ...cmds('go build'), when: when(['master']) }),
      step({ name: 'docs', ...cmds('make docs'), when: when(['develop']) }),
      step({ name: 'test', ...cmds('go test') }),
    ],
  });
  const plan = compileStage(p, context(), OPTS);
  assert.deepEqual(
    plan.steps.map((s) => [s.name, s.dependsOn]),
    [
      ['clone', []],
      ['build', ['clone']],
      ['test', ['build']],
    ],
  );
  const dag = compileStage(
    pipeline({
      steps: [
        step({ name: 'a', ...cmds('a') }),
        step({
          name: 'b',
          ...cmds('b'),
          depends_on: ['a'],
          when: { event: { include: ['tag'], exclude: [] } },
        }),
        step({ name: 'c', ...cmds('c'), depends_on: ['b'] }),
      ],
    }),
    context(),
    OPTS,
  );
  assert.deepEqual(
    dag.steps.map((s) => [s.name, s.dependsOn]),
    [
      ['clone', []],
      ['a', ['clone']],
      ['c', ['a']],
    ],
  );
  assert.equal(dag.steps[2]!.environment.DRONE_STEP_NUMBER, '3', 'numbers count the steps that are reported');
  // instance, repo and ref are matched too
  const ctx = context();
  const other = compileStage(
    pipeline({
      steps: [
        step({ name: 'i', when: { instance: { include: ['other.example.com'], exclude: [] } } }),
        step({ name: 'r', when: { repo: { include: ['octocat/*'], exclude: [] } } }),
      ],
    }),
    ctx,
    OPTS,
  );
  assert.deepEqual(
    other.steps.map((s) => s.name),
    ['clone', 'r'],
  );
});

test('run and error policies', () => {
  const status = (inc: string[], exc: string[] = []): Conditions => ({
    status: { include: inc, exclude: exc },
  });
  const p = pipeline({
    steps: [
      step({ name: 'default' }),
      step({ name: 'always', when: status(['success', 'failure']) }),
      step({ name: 'onfail', when: status(['failure']) }),
      step({ name: 'notsuccess', when: status([], ['success']) }),
      step({ name: 'ignore', failure: 'ignore' }),
      step({ name: 'fast', failure: 'fast' }),
    ],
  });
  const s = byName(compileStage(p, context(), OPTS).steps);
  assert.equal(s.default!.runPolicy, 'on-success');
  assert.equal(s.always!.runPolicy, 'always');
  assert.equal(s.onfail!.runPolicy, 'on-failure');
  assert.equal(s.notsuccess!.runPolicy, 'on-failure');
  assert.equal(s.default!.errPolicy, 'fail');
  assert.equal(s.ignore!.errPolicy, 'ignore');
  assert.equal(s.fast!.errPolicy, 'fail-fast');
});

test('environment precedence: globals < params < pipeline env < proxy < build vars < workspace; step env, settings, script on top', () => {
  const ctx = context();
  ctx.build.params = { FROM_PARAM: 'param', SHARED: 'param', DRONE_BRANCH: 'param' };
  const p = pipeline({
    environment: { SHARED: { value: 'pipeline' }, PIPE: { value: 'p' }, DRONE_REPO: { value: 'pipeline' } },
    steps: [
      step({
        name: 'build',
        ...cmds('make'),
        environment: { PIPE: { value: 'step' }, DRONE_SCRIPT: { value: 'nope' }, PLUGIN_X: { value: 'env' } },
        settings: { x: { value: 'setting' } },
      }),
    ],
  });
  const opts: CompileOptions = {
    id: 'stage1',
    environ: { GLOBAL: 'g', FROM_PARAM: 'global' },
    proxy: { HTTP_PROXY: 'http://proxy:3128', SHARED: 'proxy' },
  };
  const eplan = compileStage(p, ctx, opts);
  const { build, clone } = byName(eplan.steps);
  const env = envOf(eplan, build!);
  assert.equal(env.GLOBAL, 'g');
  assert.equal(env.FROM_PARAM, 'param');
  assert.equal(env.SHARED, 'proxy');
  assert.equal(env.HTTP_PROXY, 'http://proxy:3128');
  assert.equal(env.DRONE_BRANCH, 'master', 'build variables win over params');
  assert.equal(env.DRONE_REPO, 'octocat/hello', 'build variables win over pipeline env');
  assert.equal(env.PIPE, 'step');
  assert.equal(env.PLUGIN_X, 'setting');
  assert.equal(env.DRONE_SCRIPT, posixScript(['make']));
  assert.equal(env.DRONE_WORKSPACE, '/drone/src');
  assert.equal(env.DRONE_WORKSPACE_BASE, '/drone/src');
  assert.equal(env.DRONE_WORKSPACE_PATH, '');
  assert.equal(env.DRONE_DOCKER_NETWORK_ID, undefined, 'the engine names the network');
  assert.equal(env.DRONE_BUILD_LINK, 'https://ci.example.com/octocat/hello/42');
  assert.equal(env.GIT_TERMINAL_PROMPT, '0');
  assert.equal(env.CI, 'true');
  assert.equal(envOf(eplan, clone!).PIPE, 'p');
  assert.equal(clone!.environment.DRONE_SCRIPT, undefined);
});

test('step environment may override build variables at compile time (the runner re-applies live ones)', () => {
  const p = pipeline({ steps: [step({ environment: { DRONE_BRANCH: { value: 'mine' } } })] });
  assert.equal(compileStage(p, context(), OPTS).steps[1]!.environment.DRONE_BRANCH, 'mine');
});

test('secrets: environment and settings from_secret become references; secretNames lists them once', () => {
  const p = pipeline({
    environment: { TOKEN: { fromSecret: 'token' }, SHADOWED: { fromSecret: 'shadowed' } },
    steps: [
      step({
        name: 'build',
        environment: {
          PASSWORD: { fromSecret: 'my_password' },
          USERNAME: { fromSecret: 'my_username' },
          SHADOWED: { value: 'plain' },
        },
        ...cmds('go build', 'go test'),
      }),
      step({
        name: 'publish',
        image: 'plugins/docker',
        settings: { password: { fromSecret: 'my_password' }, repo: { value: 'octocat/app' } },
      }),
    ],
  });
  const plan = compileStage(p, context(), OPTS);
  const s = byName(plan.steps);
  assert.deepEqual(s.build!.secrets, [
    { name: 'token', env: 'TOKEN' },
    { name: 'my_password', env: 'PASSWORD' },
    { name: 'my_username', env: 'USERNAME' },
  ]);
  assert.equal(s.build!.environment.SHADOWED, 'plain');
  assert.equal(s.build!.environment.PASSWORD, undefined);
  assert.deepEqual(s.publish!.secrets, [
    { name: 'token', env: 'TOKEN' },
    { name: 'shadowed', env: 'SHADOWED' },
    { name: 'my_password', env: 'PLUGIN_PASSWORD' },
  ]);
  assert.equal(s.publish!.environment.PLUGIN_REPO, 'octocat/app');
  assert.deepEqual(s.clone!.secrets, [
    { name: 'token', env: 'TOKEN' },
    { name: 'shadowed', env: 'SHADOWED' },
  ]);
  assert.deepEqual(plan.secretNames, ['token', 'shadowed', 'my_password', 'my_username']);
});

test('privileged: allow-listed plugins, runner images, explicit privileged; never Windows plugins', () => {
  const p = pipeline({
    services: [step({ name: 'dind', image: 'plugins/docker', service: true })],
    steps: [
      step({ name: 'docker', image: 'plugins/docker:20' }),
      step({ name: 'scripted', image: 'plugins/docker', ...cmds('docker build .') }),
      step({ name: 'custom', image: 'my/dind:1' }),
      step({ name: 'explicit', image: 'alpine', privileged: true }),
    ],
  });
  const s = byName(compileStage(p, context(), { id: 'x', privilegedImages: ['my/dind'] }).steps);
  assert.equal(s.dind!.privileged, true);
  assert.equal(s.docker!.privileged, true);
  assert.equal(s.scripted!.privileged, false);
  assert.equal(s.custom!.privileged, true);
  assert.equal(s.explicit!.privileged, true);
  assert.equal(s.clone!.privileged, false);
  const win = pipeline({
    platform: { os: 'windows', arch: 'amd64', variant: '', version: '1809' },
    steps: [step({ image: 'plugins/docker' })],
  });
  assert.equal(compileStage(win, context(), OPTS).steps[1]!.privileged, false);
});

test('volumes, devices and container options are carried over; resource defaults fill zero values', () => {
  const p = pipeline({
    volumes: [
      { name: 'cache', temp: { medium: '', size_limit: 0 } },
      { name: 'ram', temp: { medium: 'memory', size_limit: 1024 } },
      { name: 'sock', host: { path: '/var/run/docker.sock' } },
      { name: 'claim', other: 'claim' },
    ],
    steps: [
      step({
        name: 'build',
        volumes: [
          { name: 'cache', path: '/go/pkg' },
          { name: 'sock', path: '/var/run/docker.sock' },
        ],
        devices: [{ name: 'dev', path: '/dev/fuse' }],
        network_mode: 'host',
        dns: ['1.1.1.1'],
        dns_search: ['example.com'],
        extra_hosts: ['a:1.2.3.4'],
        shm_size: 64,
        mem_limit: 0,
        user: '1000',
        working_dir: '/src',
        timeout: 5,
        pull: 'always',
      }),
    ],
  });
  const plan = compileStage(p, context(), {
    id: 'x',
    resources: { memLimit: 512, shmSize: 8, memswapLimit: 9 },
  });
  assert.deepEqual(plan.volumes, [
    { name: 'cache', kind: 'temp', medium: '', sizeLimit: 0 },
    { name: 'ram', kind: 'temp', medium: 'memory', sizeLimit: 1024 },
    { name: 'sock', kind: 'host', path: '/var/run/docker.sock' },
  ]);
  const b = plan.steps[1]!;
  assert.deepEqual(b.volumes, [
    { name: 'cache', path: '/go/pkg' },
    { name: 'sock', path: '/var/run/docker.sock' },
  ]);
  assert.deepEqual(b.devices, [{ name: 'dev', path: '/dev/fuse' }]);
  assert.equal(b.networkMode, 'host');
  assert.deepEqual([b.dns, b.dnsSearch, b.extraHosts], [['1.1.1.1'], ['example.com'], ['a:1.2.3.4']]);
  assert.deepEqual([b.shmSize, b.memLimit, b.memswapLimit], [64, 512, 9]);
  assert.equal(b.user, '1000');
  assert.equal(b.workingDir, '/src');
  assert.equal(b.timeout, 300);
  assert.equal(b.pull, 'always');
  assert.equal(plan.steps[0]!.memLimit, 512);
});

test('labels, stage timeout, platform and pull secrets', () => {
  const ctx = context();
  ctx.repo.timeout = 90;
  const p = pipeline({
    platform: { os: 'linux', arch: 'arm64', variant: 'v8', version: '' },
    image_pull_secrets: ['dockerconfig', 'dockerconfig', 'other'],
    steps: [step({ image_pull_secrets: ['extra', 'other'] })],
  });
  const plan = compileStage(p, ctx, { id: 'abc', labels: { foo: 'bar', 'io.hangar': 'spoofed' } });
  assert.equal(plan.timeout, 5400);
  assert.deepEqual(plan.platform, { os: 'linux', arch: 'arm64', variant: 'v8', version: '' });
  assert.deepEqual(plan.labels, {
    foo: 'bar',
    'io.hangar': 'true',
    'io.hangar.stage.id': 'abc',
    'io.hangar.protected': 'false',
    'io.hangar.repo.namespace': 'octocat',
    'io.hangar.repo.name': 'hello',
    'io.hangar.repo.slug': 'octocat/hello',
    'io.hangar.build.number': '42',
    'io.hangar.stage.name': 'default',
    'io.hangar.stage.number': '1',
    'io.hangar.system.host': 'ci.example.com',
    'io.hangar.system.proto': 'https',
    'io.hangar.system.version': '1.0.0',
  });
  assert.deepEqual(plan.steps[0]!.pullSecrets, ['dockerconfig', 'other']);
  assert.deepEqual(plan.steps[1]!.pullSecrets, ['dockerconfig', 'other', 'extra']);
  assert.equal(compileStage(p, context(), { id: 'x', defaultTimeout: 15 }).timeout, 900);
});

test('custom and Windows workspaces', () => {
  const p = pipeline({
    workspace: { base: '/go', path: 'src/github.com/octocat/hello' },
    steps: [step(cmds('go test'))],
  });
  const plan = compileStage(p, context(), OPTS);
  assert.deepEqual(plan.workspace, {
    base: '/go',
    path: 'src/github.com/octocat/hello',
    full: '/go/src/github.com/octocat/hello',
  });
  assert.equal(plan.steps[1]!.workingDir, '/go/src/github.com/octocat/hello');
  assert.equal(envOf(plan, plan.steps[1]!).DRONE_WORKSPACE_BASE, '/go');

  const win = compileStage(
    pipeline({
      platform: { os: 'windows', arch: 'amd64', variant: '', version: '1809' },
      steps: [step(cmds('dir'))],
    }),
    context(),
    OPTS,
  );
  assert.deepEqual(win.workspace, { base: 'c:\\drone\\src', path: '', full: 'c:\\drone\\src' });
  const b = win.steps[1]!;
  assert.deepEqual(b.entrypoint, ['powershell', '-noprofile', '-noninteractive', '-command']);
  assert.equal(b.environment.SHELL, 'powershell.exe');
  assert.equal(b.workingDir, 'c:\\drone\\src');
  assert.equal(win.steps[0]!.image, 'drone/git:latest');

  const bad = compileStage(pipeline({ workspace: { base: '/var/run', path: '' } }), context(), OPTS);
  assert.deepEqual(bad.workspace, { base: '/drone/src', path: '', full: '/drone/src' });
});

test('exec pipelines: host layout under the temp dir, shells, no images, no settings or services', () => {
  const p = pipeline({
    type: 'exec',
    services: [step({ name: 'svc', service: true })],
    steps: [
      step({ name: 'build', image: 'ignored', ...cmds('go build'), settings: { x: { value: 1 } } }),
      step({ name: 'zsh', ...cmds('echo hi'), shell: '/bin/zsh', depends_on: ['build'], failure: 'ignore' }),
    ],
  });
  const plan = compileStage(p, context(), { id: 'random', tempDir: '/tmp/' });
  assert.equal(plan.type, 'exec');
  assert.deepEqual(plan.workspace, {
    base: '/tmp/drone-random',
    path: 'drone/src',
    full: '/tmp/drone-random/drone/src',
  });
  assert.deepEqual(
    plan.steps.map((s) => [s.name, s.dependsOn, s.image, s.shell, s.workingDir]),
    [
      ['clone', [], '', '/bin/sh', '/tmp/drone-random/drone/src'],
      ['build', ['clone'], '', '/bin/sh', '/tmp/drone-random/drone/src'],
      ['zsh', ['build'], '', '/bin/zsh', '/tmp/drone-random/drone/src'],
    ],
  );
  const [clone, build, zsh] = plan.steps;
  assert.ok(clone!.clone);
  assert.equal(envOf(plan, clone!).PLUGIN_DEPTH, undefined);
  assert.equal(envOf(plan, build!).HOME, '/tmp/drone-random/home/drone');
  assert.equal(envOf(plan, build!).USERPROFILE, '/tmp/drone-random/home/drone');
  assert.equal(envOf(plan, build!).DRONE_WORKSPACE, '/tmp/drone-random/drone/src');
  assert.equal(envOf(plan, build!).DRONE_HOME, '/tmp/drone-random/drone/src');
  assert.equal(envOf(plan, build!).DRONE_DOCKER_NETWORK_ID, undefined);
  assert.equal(envOf(plan, build!).PLUGIN_X, undefined);
  assert.equal(envOf(plan, build!).DRONE_SCRIPT, undefined);
  assert.deepEqual(build!.entrypoint, []);
  assert.deepEqual(build!.pullSecrets, []);
  assert.equal(zsh!.errPolicy, 'ignore');
  assert.deepEqual(plan.volumes, []);

  const win = compileStage(
    pipeline({
      type: 'exec',
      platform: { os: 'windows', arch: 'amd64', variant: '', version: '' },
      steps: [step(cmds('dir'))],
    }),
    context(),
    { id: 'r', tempDir: 'C:\\Temp' },
  );
  assert.deepEqual(win.workspace, {
    base: 'C:\\Temp\\drone-r',
    path: 'drone\\src',
    full: 'C:\\Temp\\drone-r\\drone\\src',
  });
  assert.equal(win.steps[1]!.shell, 'powershell');
  assert.equal(compileStage(pipeline({ type: 'exec' }), context(), OPTS).workspace.base, '/tmp/drone-random');
});

test('pure: the pipeline is not modified and the same input gives the same plan', () => {
  const p = pipeline({
    steps: [
      step({ name: 'a', depends_on: [] }),
      step({ name: 'b', depends_on: ['a'], when: when(['develop']) }),
      step({ name: 'c', depends_on: ['b'] }),
    ],
  });
  const before = structuredClone(p);
  const one = compileStage(p, context(), OPTS);
  const two = compileStage(p, context(), OPTS);
  assert.deepEqual(p, before);
  assert.deepEqual(one, two);
  assert.deepEqual(JSON.parse(JSON.stringify(one)), one, 'plain JSON');
});

test('now fills zero build and stage times; without it they stay as given', () => {
  const p = pipeline({ steps: [step()] });
  const nplan = compileStage(p, context(), { id: 'x', now: 1700000000 });
  const withNow = envOf(nplan, nplan.steps[1]!);
  assert.equal(withNow.DRONE_BUILD_STARTED, '1700000000');
  assert.equal(withNow.DRONE_STAGE_FINISHED, '1700000000');
  const zplan = compileStage(p, context(), OPTS);
  assert.equal(envOf(zplan, zplan.steps[1]!).DRONE_BUILD_STARTED, '0');
});
