// Drone's golden compiler tests (drone-runner-docker and drone-runner-exec `engine/compiler/testdata`),
// replayed against Hangar: parse the YAML, compile it with the harness inputs of
// compiler-harness.json, turn the Plan into Drone's spec JSON with the adapter below and compare.
//
// What the adapter supplies (Hangar keeps it elsewhere or leaves it to the engine):
// - ids are "random" (upstream's deterministic random()); environment, secrets and labels are
//   ignored as in upstream's cmp options;
// - the `_workspace` volume and its mount at the workspace base, which a Plan implies;
// - Drone keeps `when`-filtered steps as run_policy "never"; a Plan drops them. The goldens are
//   reduced the same way (never steps removed, their dependents pointed at what they waited on),
//   so every other field of every remaining step is still compared;
// - our parser applies the server's platform defaults (linux/amd64), Drone's runner parser does not;
// - exec: the script file of each step is Drone's runner-go script of the step's `commands`; the
//   clone step's generated git script is not compared (Hangar clones with its built-in clone).
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { type CompileOptions, compileStage } from '../../src/spec/compile/compile.js';
import { execPosixScript } from '../../src/spec/compile/script.js';
import { type BuildContext, emptyContext } from '../../src/spec/context.js';
import { parseManifest } from '../../src/spec/manifest/parse.js';
import type { Pipeline } from '../../src/spec/manifest/types.js';
import type { Plan, PlanStep } from '../../src/spec/plan.js';
import { compatJson, compatPath, compatSkip, compatText } from '../support/compat.js';

type Json = Record<string, unknown>;

interface Harness {
  'drone-runner-docker': {
    args: { Build: { Target: string }; Netrc: { Machine: string; Login: string; Password: string } };
    golden_dir: string;
    secret_test: { file: string; expect_step0_secrets: { Name: string; Env: string }[] };
    labels_test: {
      file: string;
      compiler_labels: Record<string, string>;
      args: {
        Repo: { Name: string; Namespace: string; Slug: string };
        Build: { Number: number };
        Stage: { Name: string; Number: number };
        System: { Host: string; Proto: string; Version: string };
      };
      expected_step_labels_excluding_created_expires: Record<string, string>[];
    };
  };
  'drone-runner-exec': {
    args: { Build: { Target: string }; Netrc: { Machine: string; Login: string; Password: string } };
    tempdir: string;
    golden_dir: string;
  };
}

const skip = compatSkip();
const harness = (): Harness => compatJson<Harness>('upstream', 'compiler-harness.json');

function harnessContext(args: Harness['drone-runner-docker']['args']): BuildContext {
  const ctx = emptyContext();
  ctx.build.target = args.Build.Target;
  ctx.netrc = { machine: args.Netrc.Machine, login: args.Netrc.Login, password: args.Netrc.Password };
  return ctx;
}

function parsePipeline(dir: string, file: string): Pipeline {
  const { manifest, diagnostics } = parseManifest(compatText('upstream', dir, file), { file });
  assert.deepEqual(
    diagnostics.filter((d) => d.severity === 'error'),
    [],
    `${file} parses`,
  );
  const p = manifest.resources[0];
  assert.ok(p && p.kind === 'pipeline', `${file}: first resource is a pipeline`);
  return p as Pipeline;
}

/** Drops Go's omitempty zero values: undefined, "", false, 0, empty arrays. */
function omitEmpty(o: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === '' || v === false || v === 0) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out;
}

function platformOf(plan: Plan): Json {
  const p = { ...plan.platform };
  if (p.os === 'linux') p.os = '';
  if (p.arch === 'amd64') p.arch = '';
  return omitEmpty(p);
}

/** Removes golden steps with run policy never and points their dependents at what they waited on. */
function dropNever(steps: Json[], isNever: (s: Json) => boolean): Json[] {
  const byName = new Map(steps.map((s) => [s.name as string, s]));
  const resolve = (name: string): string[] => {
    const s = byName.get(name);
    if (!s || !isNever(s)) return [name];
    return ((s.depends_on as string[] | undefined) ?? []).flatMap(resolve);
  };
  return steps
    .filter((s) => !isNever(s))
    .map((s) => {
      const deps = [...new Set(((s.depends_on as string[] | undefined) ?? []).flatMap(resolve))];
      const { depends_on: _, ...rest } = s;
      return deps.length > 0 ? { ...rest, depends_on: deps } : rest;
    });
}

function dockerStep(plan: Plan, s: PlanStep): Json {
  return omitEmpty({
    id: 'random',
    args: s.command,
    depends_on: s.dependsOn,
    detach: s.detach,
    devices: s.devices,
    dns: s.dns,
    dns_search: s.dnsSearch,
    entrypoint: s.entrypoint,
    extra_hosts: s.extraHosts,
    image: s.image,
    memswap_limit: s.memswapLimit,
    mem_limit: s.memLimit,
    name: s.name,
    network: s.networkMode,
    privileged: s.privileged,
    pull: s.pull === 'default' ? undefined : s.pull,
    run_policy: s.runPolicy === 'on-success' ? undefined : s.runPolicy,
    err_policy: s.errPolicy === 'fail' ? undefined : s.errPolicy,
    shm_size: s.shmSize,
    user: s.user,
    volumes: [...s.volumes, { name: '_workspace', path: plan.workspace.base }],
    working_dir: s.workingDir,
  });
}

/** A Plan in the shape of drone-runner-docker's engine.Spec JSON. */
function toDockerSpec(plan: Plan): Json {
  const volumes: Json[] = [{ temp: { id: 'random', name: '_workspace' } }];
  for (const v of plan.volumes) {
    if (v.kind === 'temp')
      volumes.push({
        temp: omitEmpty({ id: 'random', name: v.name, medium: v.medium, size_limit: v.sizeLimit }),
      });
    else volumes.push({ host: { id: 'random', name: v.name, path: v.path } });
  }
  return {
    platform: platformOf(plan),
    steps: plan.steps.map((s) => dockerStep(plan, s)),
    volumes,
    network: { id: 'random' },
  };
}

/** The parts of a Drone docker golden that upstream compares. */
function dockerGolden(g: Json): Json {
  const strip = (s: Json) => {
    const { environment: _e, labels: _l, secrets: _s, ...rest } = s;
    return rest;
  };
  const steps = dropNever((g.steps as Json[]).map(strip), (s) => s.run_policy === 'never');
  const volumes = (g.volumes as Json[]).map((v) => {
    const kind = Object.keys(v)[0]!;
    const { labels: _l, ...rest } = v[kind] as Json;
    return { [kind]: rest };
  });
  return { platform: g.platform, steps, volumes, network: { id: (g.network as Json).id } };
}

const RUN_POLICY: Record<string, number | undefined> = {
  'on-success': undefined,
  'on-failure': 1,
  always: 2,
  never: 3,
};
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** A Plan in the shape of drone-runner-exec's engine.Spec JSON. */
function toExecSpec(plan: Plan, ctx: BuildContext): Json {
  const root = plan.workspace.base;
  const home = plan.steps[0]?.environment.HOME ?? `${root}/home/drone`;
  const files: Json[] = [
    { path: home, mode: 0o700, is_dir: true },
    { path: plan.workspace.full, mode: 0o700, is_dir: true },
    { path: `${root}/opt`, mode: 0o700, is_dir: true },
  ];
  if (ctx.netrc) {
    const n = ctx.netrc;
    files.push({
      path: `${home}/.netrc`,
      mode: 0o600,
      data: b64(`machine ${n.machine} login ${n.login} password ${n.password}`),
    });
  }
  const steps = plan.steps.map((s) => {
    const script = `${root}/opt/${s.name}`;
    return omitEmpty({
      args: ['-e', script],
      command: s.shell,
      depends_on: s.dependsOn,
      detach: s.detach,
      files: s.clone ? undefined : [{ path: script, mode: 0o700, data: b64(execPosixScript(s.commands)) }],
      name: s.name,
      run_policy: RUN_POLICY[s.runPolicy],
      working_dir: s.workingDir,
    });
  });
  return { platform: platformOf(plan), root, files, steps };
}

/** The parts of a Drone exec golden that upstream compares, minus the clone step's git script. */
function execGolden(g: Json): Json {
  const steps = dropNever(
    (g.steps as Json[]).map((s) => {
      const { secrets: _s, environment: _e, ...rest } = s;
      if (rest.name === 'clone') delete rest.files;
      return rest;
    }),
    (s) => s.run_policy === 3,
  );
  return { platform: g.platform, root: g.root, files: g.files, steps };
}

function goldenPairs(dir: string): string[] {
  return readdirSync(compatPath('upstream', dir))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

test('drone-runner-docker golden specs', { skip }, async (t) => {
  const h = harness()['drone-runner-docker'];
  const pairs = goldenPairs(h.golden_dir);
  assert.deepEqual(pairs, [
    'graph',
    'match',
    'noclone_graph',
    'noclone_serial',
    'run_always',
    'run_failure',
    'serial',
  ]);
  for (const name of pairs) {
    await t.test(name, () => {
      const pipeline = parsePipeline(h.golden_dir, `${name}.yml`);
      const plan = compileStage(pipeline, harnessContext(h.args), { id: 'random' });
      const want = dockerGolden(compatJson<Json>('upstream', h.golden_dir, `${name}.json`));
      assert.deepEqual(toDockerSpec(plan), want);
    });
  }
});

test('drone-runner-exec golden specs', { skip }, async (t) => {
  const h = harness()['drone-runner-exec'];
  const pairs = goldenPairs(h.golden_dir);
  assert.deepEqual(pairs, [
    'graph',
    'match',
    'noclone_graph',
    'noclone_serial',
    'run_always',
    'run_failure',
    'serial',
  ]);
  for (const name of pairs) {
    await t.test(name, () => {
      const pipeline = parsePipeline(h.golden_dir, `${name}.yml`);
      const ctx = harnessContext(h.args);
      const opts: CompileOptions = { id: 'random', tempDir: h.tempdir.split(' ')[0]! };
      const plan = compileStage(pipeline, ctx, opts);
      const want = execGolden(compatJson<Json>('upstream', h.golden_dir, `${name}.json`));
      assert.deepEqual(toExecSpec(plan, ctx), want);
    });
  }
});

test('match.yml: the step whose `when` fails is absent, the other runs on success', { skip }, () => {
  for (const dir of ['drone-runner-docker', 'drone-runner-exec']) {
    const h = harness()[dir as 'drone-runner-docker'];
    const plan = compileStage(parsePipeline(h.golden_dir, 'match.yml'), harnessContext(h.args), {
      id: 'random',
    });
    assert.deepEqual(
      plan.steps.map((s) => [s.name, s.runPolicy]),
      [['build', 'on-success']],
      dir,
    );
  }
});

test('secret.yml: environment from_secret becomes secret references (docker and exec)', { skip }, () => {
  const h = harness()['drone-runner-docker'];
  const want = h.secret_test.expect_step0_secrets.map((s) => ({ name: s.Name, env: s.Env }));
  for (const dir of [h.golden_dir, harness()['drone-runner-exec'].golden_dir]) {
    const plan = compileStage(parsePipeline(dir, h.secret_test.file), harnessContext(h.args), {
      id: 'random',
    });
    const [build] = plan.steps;
    assert.deepEqual(build!.secrets, want, dir);
    assert.equal(build!.environment.PASSWORD, undefined);
    assert.equal(build!.environment.USERNAME, undefined);
    assert.deepEqual(plan.secretNames, ['my_password', 'my_username']);
  }
});

/** Go's time.Duration String for whole minutes. */
function goMinutes(m: number): string {
  if (m === 0) return '0s';
  const h = Math.floor(m / 60);
  return h > 0 ? `${h}h${m % 60}m0s` : `${m}m0s`;
}

test('steps.yml: Drone container labels are expressible from the plan (TestCompile_StepLabels)', {
  skip,
}, () => {
  const h = harness()['drone-runner-docker'].labels_test;
  const ctx = emptyContext();
  ctx.repo = {
    ...ctx.repo,
    name: h.args.Repo.Name,
    namespace: h.args.Repo.Namespace,
    slug: h.args.Repo.Slug,
    timeout: 0,
  };
  ctx.build.number = h.args.Build.Number;
  ctx.stage = { ...ctx.stage, name: h.args.Stage.Name, number: h.args.Stage.Number };
  ctx.system = {
    ...ctx.system,
    host: h.args.System.Host,
    proto: h.args.System.Proto,
    version: h.args.System.Version,
  };
  const dir = harness()['drone-runner-docker'].golden_dir;
  const plan = compileStage(parsePipeline(dir, h.file), ctx, { id: 'random', labels: h.compiler_labels });
  const droneLabels = plan.steps.map((s, i) => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(plan.labels)) {
      if (k === 'io.hangar.stage.id') continue;
      out[k === 'io.hangar' ? 'io.drone' : k.replace(/^io\.hangar\./, 'io.drone.')] = v;
    }
    out['io.drone.step.name'] = s.name;
    out['io.drone.step.number'] = String(i + 1);
    out['io.drone.ttl'] = goMinutes(ctx.repo.timeout);
    return out;
  });
  assert.deepEqual(droneLabels, h.expected_step_labels_excluding_created_expires);
});
