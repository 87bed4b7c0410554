// Pull policies and registry credentials, against the loopback registry of scripts/setup-registry.sh.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { EngineError } from '../../src/engine/engine.js';
import type { Pipeline } from '../../src/spec/manifest/types.js';
import { repoRoot } from '../support/compat.js';
import { docker, dockerSkip, engine, ensureTestImages, IMAGE, plan, run, step } from './support.js';

const skip = dockerSkip();
const registry = process.env.HANGAR_TEST_REGISTRY ?? '127.0.0.1:5000';
const username = process.env.HANGAR_TEST_REGISTRY_USER ?? 'hangar';
const password = process.env.HANGAR_TEST_REGISTRY_PASSWORD ?? 'hangar-registry-pw';
const privateImage = `${registry}/hangar-test/private:${process.pid}-${randomBytes(3).toString('hex')}`;

async function registryUp(): Promise<boolean> {
  try {
    const auth = Buffer.from(`${username}:${password}`).toString('base64');
    const r = await fetch(`http://${registry}/v2/`, { headers: { authorization: `Basic ${auth}` } });
    return r.status === 200;
  } catch {
    return false;
  }
}

before(async () => {
  if (skip) return;
  await ensureTestImages();
  if (!(await registryUp()))
    execFileSync('bash', [`${repoRoot}/scripts/setup-registry.sh`], { stdio: 'inherit' });
  // A tag of our own, pushed and then removed locally, so only a real pull can bring it back.
  const image = docker.getImage(IMAGE);
  const [repo, tag] = [
    privateImage.slice(0, privateImage.lastIndexOf(':')),
    privateImage.slice(privateImage.lastIndexOf(':') + 1),
  ];
  await image.tag({ repo, tag });
  const push = await docker
    .getImage(privateImage)
    .push({ authconfig: { username, password, serveraddress: registry } });
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(push, (err: Error | null) => (err ? reject(err) : resolve())),
  );
  await docker.getImage(privateImage).remove();
});

after(async () => {
  if (!skip)
    await docker
      .getImage(privateImage)
      .remove()
      .catch(() => undefined);
});

test('pull: never with a missing image is a clear engine error', { skip }, async () => {
  const e = engine();
  const p = plan([]);
  await e.setup(p, { signal: new AbortController().signal });
  try {
    const missing = `hangar-test/absent:${randomBytes(4).toString('hex')}`;
    await assert.rejects(run(e, p, step('s', 'true', { image: missing, pull: 'never' })), (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.message, `image "${missing}" not found locally and pull is disabled`);
      assert.equal(err.code, 'image_not_found');
      return true;
    });
    // never with a present image just runs it.
    assert.equal((await run(e, p, step('t', 'true', { pull: 'never' }))).exitCode, 0);
  } finally {
    await e.destroy(p);
  }
});

test('a private image is pulled with the credential of its registry; a wrong password is refused clearly', {
  skip,
}, async () => {
  const e = engine();
  const p = plan([]);
  await e.setup(p, { signal: new AbortController().signal });
  try {
    const s = step('private', 'echo private-ok', { image: privateImage, pull: 'if-not-exists' });
    const wrong = [{ address: registry, username, password: 'wrong-password' }];
    await assert.rejects(run(e, p, s, { registries: wrong }), (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.code, 'registry_auth');
      assert.match(
        err.message,
        new RegExp(`^registry ${registry} refused the login for image "${privateImage}": `),
      );
      assert.ok(!err.message.includes('wrong-password'));
      return true;
    });
    await assert.rejects(run(e, p, s), (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.code, 'registry_auth');
      assert.match(err.message, /requires a login and no credentials match/);
      return true;
    });
    // Credentials of other registries come first in the list: only the matching host's is used.
    const registries = [
      { address: 'https://index.docker.io/v1/', username: 'hub', password: 'nope' },
      { address: `http://${registry}`, username, password },
    ];
    const ok = await run(e, p, s, { registries });
    assert.equal(ok.exitCode, 0);
    assert.match(ok.output, /private-ok\n$/);
    assert.match(ok.output, /Status: Downloaded newer image/);
  } finally {
    await e.destroy(p);
  }
});

test('a failed pull of an image present locally warns and uses it; of an absent image it fails', {
  skip,
}, async () => {
  const e = engine();
  const p = plan([]);
  await e.setup(p, { signal: new AbortController().signal });
  try {
    // Nothing answers on this port: the pull fails whatever the network.
    const local = `127.0.0.1:9/hangar-test/local:${randomBytes(3).toString('hex')}`;
    await docker
      .getImage(IMAGE)
      .tag({ repo: local.slice(0, local.lastIndexOf(':')), tag: local.slice(local.lastIndexOf(':') + 1) });
    try {
      const r = await run(e, p, step('local', 'echo ran', { image: local, pull: 'always' }));
      assert.equal(r.exitCode, 0);
      assert.match(
        r.output,
        new RegExp(
          `^warning: could not pull image "${local.replace(/[.]/g, '\\.')}" \\(.+\\); using the local image\\nran\\n$`,
        ),
      );
    } finally {
      await docker
        .getImage(local)
        .remove()
        .catch(() => undefined);
    }
    const absent = `127.0.0.1:9/hangar-test/absent:${randomBytes(3).toString('hex')}`;
    await assert.rejects(
      run(e, p, step('absent', 'true', { image: absent, pull: 'if-not-exists' })),
      (err: unknown) => {
        assert.ok(err instanceof EngineError);
        assert.equal(err.code, 'image_pull_failed');
        assert.match(err.message, new RegExp(`^pull of image "${absent.replace(/[.]/g, '\\.')}" failed: .+`));
        return true;
      },
    );
  } finally {
    await e.destroy(p);
  }
});

test('image_pull_secrets: a docker config.json secret from the YAML authenticates the pull', { skip }, async () => {
  const { parseManifest } = await import('../../src/spec/manifest/parse.js');
  const { compileStage } = await import('../../src/spec/compile/compile.js');
  const { emptyContext } = await import('../../src/spec/context.js');
  const { executeStage } = await import('../../src/runner/execute/index.js');
  const yml = `kind: pipeline
type: docker
clone:
  disable: true
image_pull_secrets: [dockerconfig]
steps:
- name: private
  image: ${privateImage}
  pull: always
  commands: [echo pulled-and-ran]
`;
  const pipeline = parseManifest(yml).manifest.resources.find((r): r is Pipeline => r.kind === 'pipeline');
  assert.ok(pipeline);
  const config = (pw: string) =>
    JSON.stringify({ auths: { [registry]: { auth: Buffer.from(`${username}:${pw}`).toString('base64') } } });
  const runWith = async (pw: string) => {
    const p = compileStage(pipeline, emptyContext(), { id: `ips-${process.pid}-${randomBytes(3).toString('hex')}` });
    const lines: string[] = [];
    const res = await executeStage(p, engine(), {
      secrets: { dockerconfig: config(pw) },
      onLine: (_s, l) => lines.push(l.out),
    });
    return { res, log: lines.join('') };
  };
  await docker
    .getImage(privateImage)
    .remove()
    .catch(() => undefined);
  const wrong = await runWith('not-the-password');
  assert.equal(wrong.res.steps[0]!.status, 'error');
  assert.match(wrong.res.steps[0]!.error, new RegExp(`registry ${registry.replace(/\./g, '\\.')} refused the login`));
  const right = await runWith(password);
  assert.equal(right.res.status, 'success', right.res.steps[0]!.error);
  assert.match(right.log, /pulled-and-ran/);
});
