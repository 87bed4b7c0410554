// The Docker engine on a real engine: workspace, services, exit codes, step settings, volumes, destroy.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { docker, dockerSkip, engine, ensureTestImages, leftovers, plan, run, step } from './support.js';

const skip = dockerSkip();

before(async () => {
  if (!skip) await ensureTestImages();
});

test('steps share the workspace, exit codes are reported, destroy leaves nothing', { skip }, async () => {
  const e = engine();
  const p = plan([]);
  await e.setup(p, { signal: new AbortController().signal });
  try {
    const w = await run(e, p, step('write', 'echo hello > greetings.txt && pwd'));
    assert.deepEqual([w.exitCode, w.output], [0, '/drone/src\n']);
    const r = await run(e, p, step('read', 'cat /drone/src/greetings.txt; echo oops >&2; exit 3'));
    assert.equal(r.exitCode, 3);
    assert.equal(r.oomKilled, false);
    // stdout and stderr are separate pipes in the container: their relative order is not defined.
    assert.deepEqual(r.output.split('\n').sort(), ['', 'hello', 'oops']);
    assert.equal((await run(e, p, step('skip-rest', 'exit 78'))).exitCode, 78);
    assert.equal((await run(e, p, step('image-default', null))).exitCode, 0);
    assert.notDeepEqual(await leftovers(p.id), { containers: 0, volumes: 0, networks: 0 });
    // The engine names its network and workspace volume to the steps, as Drone does.
    const ids = await run(e, p, step('ids', 'echo "$DRONE_DOCKER_NETWORK_ID $DRONE_DOCKER_VOLUME_ID"'));
    const [network = '', volume = ''] = ids.output.trim().split(' ');
    assert.equal((await docker.getNetwork(network).inspect()).Labels?.['io.hangar.stage'], p.id);
    assert.equal((await docker.getVolume(volume).inspect()).Labels?.['io.hangar.stage'], p.id);
  } finally {
    await e.destroy(p);
  }
  assert.deepEqual(await leftovers(p.id), { containers: 0, volumes: 0, networks: 0 });
  await e.destroy(p); // idempotent
});

test('env, user and working_dir reach the container; output streams while the step runs', {
  skip,
}, async () => {
  const e = engine();
  const p = plan([], { workspace: { base: '/drone', path: 'src/app', full: '/drone/src/app' } });
  await e.setup(p, { signal: new AbortController().signal });
  try {
    const s = step('who', 'echo "$GREETING $(id -u):$(id -g) $(pwd)"', {
      environment: { GREETING: 'hi there' },
      user: '1000:1000',
      workingDir: '/tmp',
    });
    assert.equal((await run(e, p, s)).output, 'hi there 1000:1000 /tmp\n');
    const ws = await run(e, p, step('ws', 'pwd', { workingDir: '/drone/src/app' }));
    assert.equal(ws.output, '/drone/src/app\n');

    // The waiter only finishes once a second step, started on seeing its first line, writes a file.
    const waiter = step('waiter', 'echo first; until [ -f /drone/go ]; do sleep 0.1; done; echo second');
    let poked: Promise<unknown> | undefined;
    const w = await run(e, p, waiter, {
      onOutput: (all) => {
        if (all.includes('first') && !poked) poked = run(e, p, step('poke', 'touch /drone/go'));
      },
    });
    await poked;
    assert.deepEqual([w.exitCode, w.output], [0, 'first\nsecond\n']);
  } finally {
    await e.destroy(p);
  }
});

test('a service is reached by its name from a step; destroy ends the detached service', {
  skip,
}, async () => {
  const e = engine();
  const p = plan([]);
  await e.setup(p, { signal: new AbortController().signal });
  let svc: Promise<unknown> | undefined;
  try {
    const web = step(
      'web',
      'mkdir -p /www && echo hello-from-web > /www/index.html && exec httpd -f -p 8080 -h /www',
      {
        detach: true,
        service: true,
      },
    );
    svc = run(e, p, web);
    const client = step(
      'client',
      'for i in $(seq 1 100); do wget -q -O - http://web:8080/ 2>/dev/null && exit 0; sleep 0.1; done; exit 1',
    );
    const r = await run(e, p, client);
    assert.deepEqual([r.exitCode, r.output], [0, 'hello-from-web\n']);
  } finally {
    await e.destroy(p);
  }
  // The service's runStep settles once its container is gone.
  await svc;
  assert.deepEqual(await leftovers(p.id), { containers: 0, volumes: 0, networks: 0 });
});

test('temp volumes are shared between steps; memory volumes are tmpfs; host volumes are binds', {
  skip,
}, async () => {
  const host = await mkdtemp(join(tmpdir(), 'hangar-docker-host-'));
  const e = engine();
  const p = plan([], {
    volumes: [
      { name: 'cache', kind: 'temp', medium: '', sizeLimit: 0 },
      { name: 'mem', kind: 'temp', medium: 'memory', sizeLimit: 0 },
      { name: 'shared', kind: 'host', path: host },
    ],
  });
  await e.setup(p, { signal: new AbortController().signal });
  try {
    const vols = [
      { name: 'cache', path: '/cache' },
      { name: 'mem', path: '/tmp/memory' },
      { name: 'shared', path: '/shared' },
    ];
    const w = await run(
      e,
      p,
      step(
        'write',
        'echo cached > /cache/a && echo host > /shared/b && grep " /tmp/memory " /proc/mounts | cut -d" " -f3',
        {
          volumes: vols,
        },
      ),
    );
    assert.deepEqual([w.exitCode, w.output], [0, 'tmpfs\n']);
    const r = await run(e, p, step('read', 'cat /cache/a; ls /tmp/memory | wc -l', { volumes: vols }));
    assert.deepEqual([r.exitCode, r.output.replace(/ +/g, '')], [0, 'cached\n0\n']);
    assert.equal(await readFile(join(host, 'b'), 'utf8'), 'host\n');
  } finally {
    await e.destroy(p);
    await rm(host, { recursive: true, force: true });
  }
  assert.deepEqual(await leftovers(p.id), { containers: 0, volumes: 0, networks: 0 });
});

test('a step over its memory limit is reported as OOM-killed', { skip }, async () => {
  const e = engine();
  const p = plan([]);
  await e.setup(p, { signal: new AbortController().signal });
  try {
    // tail keeps a newline-free stream in memory until the cgroup's limit kills it.
    const s = step('hog', 'head -c 200000000 /dev/zero | tail', {
      memLimit: 16 << 20,
      memswapLimit: 16 << 20,
    });
    const r = await run(e, p, s);
    assert.deepEqual([r.exitCode, r.oomKilled], [137, true]);
  } finally {
    await e.destroy(p);
  }
});
