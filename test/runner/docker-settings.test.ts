// `hangar runner` with Drone's docker runner settings against the real server: the runner reads
// them from its variables (as drone-runner-docker does) and every step container of a stage it
// takes gets them — a bind mount, the env file's variables, the memory limit — and the clone step
// reports the runner's clone image.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DockerEngine } from '../../src/engine/docker/index.js';
import { dockerSkip, dockerSocket, ensureTestImages, IMAGE } from '../docker/support.js';
import { RpcServer, startRunner, type TestRunner, until } from './harness.js';

const skip = dockerSkip();
let server: RpcServer;
let r: TestRunner;
let dir: string;

describe('docker runner settings reach the containers of a served stage', { skip }, () => {
  before(async () => {
    await ensureTestImages();
    dir = await mkdtemp(join(tmpdir(), 'hangar-runner-docker-settings-'));
    await writeFile(join(dir, 'ca.pem'), 'runner certificate\n');
    await writeFile(join(dir, 'runner.env'), 'GOPROXY=https://proxy.local\nDRONE_ENV_FILE_ONLY=yes\n');
    server = await RpcServer.start({ queue: { holdMs: 2000 } });
    const engine = new DockerEngine({ socketPath: dockerSocket, killGraceMs: 500, cloneRetryDelayMs: 10 });
    r = await startRunner(server, engine, {
      HANGAR_RUNNER_ENGINE: 'docker',
      DRONE_RUNNER_VOLUMES: `${dir}/ca.pem:/etc/runner/ca.pem:ro`,
      DRONE_RUNNER_ENV_FILE: join(dir, 'runner.env'),
      DRONE_RUNNER_ENVIRON: 'GOPROXY:overridden-by-the-file,FROM_ENVIRON:yes',
      DRONE_MEMORY_LIMIT: '80MiB',
      DRONE_RUNNER_CLONE_IMAGE: 'registry.local/git:2',
    });
  });
  after(async () => {
    r?.runner.abort();
    await r?.done;
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('mount, env file, memory limit and clone image', async () => {
    const repo = await server.repo({
      '.drone.yml': `kind: pipeline
type: docker
name: build
steps:
- name: look
  image: ${IMAGE}
  pull: if-not-exists
  commands:
  - cat /etc/runner/ca.pem
  - echo "$GOPROXY $FROM_ENVIRON $DRONE_ENV_FILE_ONLY"
  - cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes
`,
    });
    const build = await server.build(repo);
    const final = await until('the build to finish', async () => {
      const b = await server.buildOf(build.id);
      return !['pending', 'running'].includes(b.status) && b;
    });
    const [stage] = await server.stages(build.id);
    assert.ok(stage);
    assert.equal(final.status, 'success', stage.error);
    assert.deepEqual(
      stage.steps.map((s) => [s.name, s.status, s.image]),
      [
        ['clone', 'success', 'registry.local/git:2'],
        ['look', 'success', `docker.io/${IMAGE}`],
      ],
    );
    const log = await server.logOf(stage.steps[1]!.id);
    assert.match(log, /^runner certificate$/m);
    assert.match(log, /^https:\/\/proxy\.local yes yes$/m);
    assert.match(log, new RegExp(`^${80 * 1024 ** 2}$`, 'm'));
  });
});
