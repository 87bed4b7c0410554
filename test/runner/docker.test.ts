// Hangar's runner against the real server on the Docker engine: a docker pipeline is cloned into the
// stage's workspace volume and run in containers, statuses, exit codes and logs reach the database; a
// pipeline that the repository's trust forbids fails in the runner, as in Drone; a cancel stops a
// running container.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DockerEngine } from '../../src/engine/docker/index.js';
import { dockerSkip, dockerSocket, ensureTestImages, IMAGE } from '../docker/support.js';
import { RpcServer, startRunner, type TestRunner, until } from './harness.js';

const skip = dockerSkip();
let server: RpcServer;
let r: TestRunner;

const done = (status: string) => !['pending', 'running'].includes(status);

describe('docker runner against the real server', { skip }, () => {
  before(async () => {
    await ensureTestImages();
    server = await RpcServer.start({ queue: { holdMs: 2000 } });
    const engine = new DockerEngine({ socketPath: dockerSocket, killGraceMs: 500, cloneRetryDelayMs: 10 });
    r = await startRunner(server, engine, { HANGAR_RUNNER_ENGINE: 'docker', HANGAR_RUNNER_CAPACITY: '2' });
  });
  after(async () => {
    r?.runner.abort();
    await r?.done;
    await server?.close();
  });

  test('a docker pipeline runs in containers: clone, workspace, exit codes, logs', async () => {
    const repo = await server.repo({
      'README.md': 'readme in the workspace\n',
      '.drone.yml': `kind: pipeline
type: docker
name: build
steps:
- name: read
  image: ${IMAGE}
  pull: if-not-exists
  commands:
  - pwd
  - cat README.md
  - echo "step $DRONE_STEP_NAME of $DRONE_REPO"
- name: flaky
  image: ${IMAGE}
  pull: if-not-exists
  failure: ignore
  commands: [exit 2]
- name: last
  image: ${IMAGE}
  pull: if-not-exists
  commands: [echo last]
`,
    });
    const build = await server.build(repo);
    const final = await until('the build to finish', async () => {
      const b = await server.buildOf(build.id);
      return done(b.status) && b;
    });
    const [stage] = await server.stages(build.id);
    assert.ok(stage);
    assert.equal(final.status, 'success', stage.error);
    assert.deepEqual(
      stage.steps.map((s) => [s.name, s.status, s.exit_code, s.image]),
      [
        ['clone', 'success', 0, 'drone/git:latest'],
        ['read', 'success', 0, `docker.io/${IMAGE}`],
        ['flaky', 'failure', 2, `docker.io/${IMAGE}`],
        ['last', 'success', 0, `docker.io/${IMAGE}`],
      ],
    );
    const read = await server.logOf(stage.steps[1]!.id);
    assert.match(read, /^\/drone\/src$/m);
    assert.match(read, /^readme in the workspace$/m);
    assert.match(read, new RegExp(`^step read of ${repo.slug}$`, 'm'));
    assert.match(await server.logOf(stage.steps[3]!.id), /^last$/m);
  });

  test('the runner lints with the repository’s trust: privileged in an untrusted repo is an error stage', async () => {
    const repo = await server.repo(
      {
        '.drone.yml': `kind: pipeline
type: docker
steps:
- name: root
  image: ${IMAGE}
  privileged: true
  commands: [id]
`,
      },
      { trusted: false },
    );
    const build = await server.build(repo);
    const final = await until('the build to end', async () => {
      const b = await server.buildOf(build.id);
      return done(b.status) && b;
    });
    assert.equal(final.status, 'error');
    const [stage] = await server.stages(build.id);
    assert.equal(stage?.status, 'error');
    assert.match(stage?.error ?? '', /privileged/i);
    assert.equal(stage?.steps.length, 0);
  });

  test('a cancel stops the running container', async () => {
    const repo = await server.repo({
      '.drone.yml': `kind: pipeline
type: docker
clone:
  disable: true
steps:
- name: long
  image: ${IMAGE}
  pull: if-not-exists
  commands:
  - echo started
  - sleep 600
`,
    });
    const build = await server.build(repo);
    const step = await until('the step to print', async () => {
      const [stage] = await server.stages(build.id);
      const s = stage?.steps.find((x) => x.name === 'long' && x.status === 'running');
      return s && (await server.logOf(s.id)).includes('started') && s;
    });
    const cancel = await server.api('DELETE', `/api/repos/${repo.slug}/builds/${build.number}`);
    assert.equal(cancel.status, 200);
    await until('the runner to let the stage go', async () => !r.runner.active.includes(step.stage_id));
    const [stage] = await server.stages(build.id);
    assert.deepEqual([stage?.status, stage?.steps[0]?.status], ['killed', 'killed']);
  });
});
