// `hangar exec` as a user runs it: real processes, a real Docker engine, exit codes, cleanup.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Docker from 'dockerode';
import { dockerSkip, dockerSocket } from '../support/docker.js';
import { hangarBin, runCli } from './run-cli.js';

function project(yml: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'hangar-exec-cli-'));
  writeFileSync(join(dir, '.drone.yml'), yml);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

test('exec pipelines: host processes, exit 0 with a summary table; failure exits 1', async () => {
  const ok = project(
    'kind: pipeline\ntype: exec\nname: host\nclone:\n  disable: true\nsteps:\n- name: hi\n  commands:\n  - echo "hello $DRONE_STEP_NAME"\n',
  );
  const r = await runCli(['exec'], { cwd: ok });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^\[hi\] hello hi$/m);
  assert.match(r.stdout, /^STEP\s+STATUS\s+DURATION$/m);
  assert.match(r.stdout, /^hi\s+success\s+\S+$/m);
  const bad = project('kind: pipeline\ntype: exec\nclone:\n  disable: true\nsteps:\n- name: boom\n  commands: [exit 3]\n');
  const f = await runCli(['exec'], { cwd: bad });
  assert.equal(f.code, 1);
  assert.match(f.stdout, /^\[boom\] failure \(exit code 3\)/m);
});

test('exec: configuration and usage errors exit 2', async () => {
  const broken = project('kind: pipeline\nsteps: [\n');
  const r = await runCli(['exec'], { cwd: broken });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /\.drone\.yml:\d+:\d+: /);
  assert.equal((await runCli(['exec', '--no-such-flag'], { cwd: broken })).code, 2);
  const named = project('kind: pipeline\ntype: exec\nname: a\nsteps:\n- name: x\n  commands: [true]\n');
  const p = await runCli(['exec', '--pipeline', 'zzz'], { cwd: named });
  assert.equal(p.code, 2);
  assert.match(p.stderr, /pipeline "zzz": no pipeline has that name/);
  const k8s = project('kind: pipeline\ntype: kubernetes\nname: k\nsteps:\n- name: x\n  image: alpine\n');
  const t = await runCli(['exec'], { cwd: k8s });
  assert.equal(t.code, 2);
  assert.match(t.stdout, /cannot run locally/);
});

test('exec: --secret values are masked; --env reaches steps; --include/--exclude pick steps', async () => {
  const dir = project(
    'kind: pipeline\ntype: exec\nclone:\n  disable: true\nsteps:\n- name: a\n  environment:\n    TOKEN:\n      from_secret: token\n  commands:\n  - echo "token=$TOKEN flavour=$FLAVOUR"\n- name: b\n  commands: [echo b-ran]\n',
  );
  const r = await runCli(['exec', '--secret', 'token=s3cr3t-value', '--env', 'FLAVOUR=mint'], { cwd: dir });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /token=\*\*\*\*\*\* flavour=mint/);
  assert.doesNotMatch(r.stdout + r.stderr, /s3cr3t-value/);
  const only = await runCli(['exec', '--exclude', 'a'], { cwd: dir });
  assert.doesNotMatch(only.stdout, /^\[a\]/m);
  assert.match(only.stdout, /b-ran/);
});

const docker = new Docker({ socketPath: dockerSocket });

/** Resolves once a line of the child's stdout matches; `all()` then gives everything printed so far. */
function outputLine(child: ChildProcess, re: RegExp): Promise<{ all: () => string }> {
  let out = '';
  const all = () => out;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no line matching ${re}: ${out}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.split('\n').some((l) => re.test(l))) {
        clearTimeout(timer);
        resolve({ all });
      }
    });
  });
}

/** Hangar resources (containers, networks, volumes) owned by a process id. */
async function leftovers(pid: number): Promise<number> {
  const filters = { label: [`io.hangar.owner.pid=${pid}`] };
  const [c, n, v] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
  ]);
  return c.length + n.length + (v.Volumes ?? []).length;
}

const DOCKER_YML = `kind: pipeline
type: docker
name: dock
services:
- name: web
  image: busybox:1
  commands:
  - mkdir -p /srv && echo served > /srv/index.html
  - httpd -f -p 8080 -h /srv
steps:
- name: work
  image: busybox:1
  commands:
  - cat input.txt
  - rm input.txt && echo changed > new.txt
  - sleep 1
  - wget -q -O - http://web:8080/
`;

test('exec on Docker: the working directory is copied (never modified), services by name', { skip: dockerSkip() }, async () => {
  const dir = project(DOCKER_YML, { 'input.txt': 'from the working dir\n' });
  const r = await runCli(['exec'], { cwd: dir });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^\[work\s*\] from the working dir$/m);
  assert.match(r.stdout, /^\[work\s*\] served$/m);
  assert.ok(existsSync(join(dir, 'input.txt')), 'the pipeline removed its copy, not the original');
  assert.ok(!existsSync(join(dir, 'new.txt')));
  assert.equal(readFileSync(join(dir, 'input.txt'), 'utf8'), 'from the working dir\n');
});

test('exec on Docker: SIGKILL mid-step leaves resources that the next run removes', { skip: dockerSkip() }, async () => {
  const dir = project('kind: pipeline\ntype: docker\nclone:\n  disable: true\nsteps:\n- name: long\n  image: busybox:1\n  commands:\n  - echo started\n  - sleep 60\n');
  const child = spawn(process.execPath, [hangarBin, 'exec'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
  await outputLine(child, /^\[long\s*\] started$/);
  const pid = child.pid!;
  assert.ok((await leftovers(pid)) > 0, 'the running stage owns a container, network and volume');
  const closed = new Promise((r) => child.on('close', r));
  child.kill('SIGKILL');
  await closed;
  assert.ok((await leftovers(pid)) > 0, 'a killed process cannot clean up after itself');
  const again = project('kind: pipeline\ntype: docker\nclone:\n  disable: true\nsteps:\n- name: quick\n  image: busybox:1\n  commands: [echo ok]\n');
  const r = await runCli(['exec'], { cwd: again });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(await leftovers(pid), 0, 'the next run removed what the killed one left');
});

test('exec on Docker: Ctrl-C cancels, cleans up and exits 130', { skip: dockerSkip() }, async () => {
  const dir = project('kind: pipeline\ntype: docker\nclone:\n  disable: true\nsteps:\n- name: long\n  image: busybox:1\n  commands:\n  - echo started\n  - sleep 60\n- name: after\n  image: busybox:1\n  commands: [echo never]\n');
  const child = spawn(process.execPath, [hangarBin, 'exec'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
  const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  const out = outputLine(child, /^\[long\s*\] started$/);
  await out;
  child.kill('SIGINT');
  const code = await closed;
  const text = await out.then((o) => o.all());
  assert.equal(code, 130, text);
  assert.match(text, /^long\s+killed/m);
  assert.match(text, /^after\s+skipped/m);
  assert.equal(await leftovers(child.pid!), 0);
});
