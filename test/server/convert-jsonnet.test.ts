// A repository whose config_path is `.drone.jsonnet`, read with git at the build's commit: with
// HANGAR_JSONNET_ENABLED the server evaluates it (ext vars of the build, imports from the same
// commit) into the build's stages, and the runner's stage details carry the YAML; Jsonnet errors
// and a disabled Jsonnet make error builds with a clear message.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { jsonnetAvailable } from '../../src/convert/jsonnet.js';
import { startTestServer, type TestServer } from './harness.js';
import { localServices, type WorkRepo, workRepo } from './trigger-support.js';

// Optional addon: skipped on a machine without it, but never in CI (CI must have built it).
const skip = (await jsonnetAvailable())
  ? false
  : process.env.CI
    ? false
    : 'the jsonnet addon is not installed';

const RPC_SECRET = 'rpc-secret-for-jsonnet-tests-0123';
let work: WorkRepo;
let good = '';
let bad = '';

before(async () => {
  work = await workRepo();
  good = await work.commit('jsonnet pipelines', {
    'ci/lib.libsonnet': `{
  pipeline(name, deps=[]):: {
    kind: 'pipeline', type: 'docker', name: name, depends_on: deps,
    steps: [{ name: 'test', image: 'alpine', commands: ['echo ' + name + ' on ' + std.extVar('build.branch')] }],
  },
}
`,
    '.drone.jsonnet': `local lib = import 'ci/lib.libsonnet';
[
  lib.pipeline('build'),
  lib.pipeline('deploy', ['build']) + { trigger: { branch: [std.extVar('repo.branch')] } },
  lib.pipeline('never') + { trigger: { event: ['tag'] } },
]
`,
  });
  bad = await work.commit('broken', {
    '.drone.jsonnet': "{\n  kind: 'pipeline',\n  name: error 'no name',\n}\n",
  });
  // A later commit changes the imported file: builds of the first commit must not see it.
  await work.commit('library v2', {
    '.drone.jsonnet': "local lib = import 'ci/lib.libsonnet'; [lib.pipeline('build')]\n",
    'ci/lib.libsonnet':
      "{ pipeline(name):: { kind: 'pipeline', name: name + '-v2', steps: [{ name: 's', image: 'alpine' }] } }\n",
  });
});
after(async () => {
  await work.remove();
});

async function server(env: Record<string, string>): Promise<TestServer> {
  return startTestServer('sqlite', {}, { scm: localServices() }, { HANGAR_RPC_SECRET: RPC_SECRET, ...env });
}

async function customBuild(s: TestServer, commit: string) {
  const owner = await s.user();
  const repo = await s.repo(
    { scm: 'local', git_http_url: work.dir, default_branch: 'main', config_path: '.drone.jsonnet' },
    owner,
  );
  const res = await s.call('POST', `/api/repos/${repo.slug}/builds?branch=main&commit=${commit}`, {
    token: owner.token,
  });
  assert.equal(res.status, 200, res.body);
  return res.json;
}

test('HANGAR_JSONNET_ENABLED: .drone.jsonnet becomes the build stages; the runner gets the YAML', {
  skip,
}, async () => {
  const s = await server({ HANGAR_JSONNET_ENABLED: 'true' });
  try {
    const build = await customBuild(s, good);
    assert.equal(build.status, 'pending', build.error);
    assert.deepEqual(
      build.stages.map((st: { name: string; depends_on?: string[] }) => [st.name, st.depends_on ?? []]),
      [
        ['build', []],
        ['deploy', ['build']],
      ],
    );
    const details = await s.app.inject({
      method: 'GET',
      url: `/rpc/v2/stage/${build.stages[1].id}`,
      headers: { 'x-drone-token': RPC_SECRET },
    });
    assert.equal(details.statusCode, 200, details.body);
    const yaml = Buffer.from(details.json().config.Data, 'base64').toString('utf8');
    assert.equal(yaml.match(/^---$/gm)?.length, 3);
    assert.match(yaml, /"echo deploy on main"/);
    assert.doesNotMatch(yaml, /-v2/, "imports are read at the build's commit");
  } finally {
    await s.close();
  }
});

test('a Jsonnet error is an error build with file:line:col', { skip }, async () => {
  const s = await server({ DRONE_JSONNET_ENABLED: 'true' });
  try {
    const build = await customBuild(s, bad);
    assert.equal(build.status, 'error');
    assert.equal(build.error, '.drone.jsonnet:3:9: no name');
    assert.deepEqual(build.stages ?? [], []);
  } finally {
    await s.close();
  }
});

test('the import limit applies on the server (HANGAR_JSONNET_IMPORT_LIMIT=0: no imports)', {
  skip,
}, async () => {
  const s = await server({ HANGAR_JSONNET_ENABLED: 'true', HANGAR_JSONNET_IMPORT_LIMIT: '0' });
  try {
    const build = await customBuild(s, good);
    assert.equal(build.status, 'error');
    assert.equal(
      build.error,
      '.drone.jsonnet:1:13: cannot import "ci/lib.libsonnet": imports are disabled (the import limit is 0)',
    );
  } finally {
    await s.close();
  }
});

test("Jsonnet off (Drone's default): a .jsonnet configuration is an error build that says so", async () => {
  const s = await server({});
  try {
    const build = await customBuild(s, good);
    assert.equal(build.status, 'error');
    assert.equal(
      build.error,
      '.drone.jsonnet is a Jsonnet file, but Jsonnet is not enabled on this server (set HANGAR_JSONNET_ENABLED=true)',
    );
  } finally {
    await s.close();
  }
});
