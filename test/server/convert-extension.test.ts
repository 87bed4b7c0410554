// The convert extension against a real converter: a small HTTP service in this test that verifies
// each request the way drone-go's plugin/converter handler does (httpsignatures-go: the Signature
// header's hmac-sha256 over the listed headers, with the shared secret) — and checks the Digest
// too — then converts a toy format (`.drone.toy`: `pipeline NAME` / `step NAME IMAGE COMMAND…`
// lines) into YAML. Answers of 204, 5xx, a wrong secret and no answer in time are covered.
import assert from 'node:assert/strict';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { sealOAuthToken } from '../../src/server/auth/oauth-token.js';
import { startTestServer, type TestServer } from './harness.js';
import { localServices, pipeline, pipelines, type WorkRepo, workRepo } from './trigger-support.js';

const SECRET = 'correct-horse-battery-staple';
const RPC_SECRET = 'rpc-secret-for-convert-tests-012';

/** A request as the converter saw it. */
interface Seen {
  body: {
    build: { after: string; event: string };
    repo: { slug: string; config_path: string };
    config: { data: string; kind: string };
    token: { access: string; refresh: string };
  };
}

/** drone-go's handler: FromRequest + IsValid (httpsignatures-go 2017), plus the body's digest. */
function verify(req: IncomingMessage, body: Buffer, secret: string): string | undefined {
  const header = req.headers.signature;
  if (typeof header !== 'string') return 'Invalid or Missing Signature';
  const fields = Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  if (!fields.signature || !fields.keyId || fields.algorithm !== 'hmac-sha256')
    return 'Invalid or Missing Signature';
  const names = (fields.headers ?? '').toLowerCase().split(' ');
  if (!names.includes('date')) return 'Invalid Signature';
  const lines: string[] = [];
  for (const name of names) {
    const value = req.headers[name];
    if (typeof value !== 'string' || value === '') return 'Invalid Signature';
    lines.push(`${name}: ${value}`);
  }
  const expected = createHmac('sha256', secret).update(lines.join('\n')).digest('base64');
  const a = Buffer.from(expected);
  const b = Buffer.from(fields.signature);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return 'Invalid Signature';
  if (req.headers.digest !== `SHA-256=${createHash('sha256').update(body).digest('base64')}`)
    return 'Invalid Digest';
  return undefined;
}

/** `.drone.toy` → YAML. */
function toy(text: string): string {
  const docs: string[] = [];
  for (const line of text.split('\n')) {
    const [word, name, image, ...command] = line.trim().split(/\s+/);
    if (word === 'pipeline') docs.push(`---\nkind: pipeline\ntype: docker\nname: ${name}\nsteps:\n`);
    else if (word === 'step')
      docs.push(`- name: ${name}\n  image: ${image}\n  commands: [${JSON.stringify(command.join(' '))}]\n`);
  }
  return docs.join('');
}

let converter: Server;
let endpoint = '';
const seen: Seen[] = [];
let mode: 'convert' | 'fail' | 'slow' = 'convert';
let work: WorkRepo;
let sha = '';

before(async () => {
  converter = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const bad = verify(req, body, SECRET);
      if (bad) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(`${bad}\n`);
        return;
      }
      const parsed = JSON.parse(body.toString('utf8')) as Seen['body'];
      seen.push({ body: parsed });
      if (mode === 'fail') {
        res.writeHead(500).end('converter exploded\n');
        return;
      }
      if (mode === 'slow') {
        setTimeout(() => res.writeHead(204).end(), 3000).unref();
        return;
      }
      if (!parsed.repo.config_path.endsWith('.toy')) {
        res.writeHead(204).end();
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ data: toy(parsed.config.data) }));
    });
  });
  await new Promise<void>((resolve) => converter.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(converter.address() as AddressInfo).port}/convert`;

  work = await workRepo();
  sha = await work.commit('configs', {
    '.drone.toy':
      'pipeline build\nstep test alpine echo hello toy\npipeline lint\nstep vet golang go vet ./...\n',
    '.drone.yml': pipelines(pipeline('yaml-build')),
  });
});
after(async () => {
  converter.closeAllConnections();
  await new Promise((resolve) => converter.close(resolve));
  await work.remove();
});

async function withServer(
  env: Record<string, string>,
  body: (s: TestServer) => Promise<void>,
): Promise<void> {
  const s = await startTestServer(
    'sqlite',
    {},
    { scm: localServices() },
    { HANGAR_RPC_SECRET: RPC_SECRET, ...env },
  );
  try {
    await body(s);
  } finally {
    await s.close();
  }
}

async function customBuild(s: TestServer, configPath: string) {
  const box = s.box;
  const owner = await s.user(undefined, {
    oauth_token: sealOAuthToken(box, 'owner-scm-token'),
    oauth_refresh: sealOAuthToken(box, 'owner-refresh'),
  });
  const repo = await s.repo(
    { scm: 'local', git_http_url: work.dir, default_branch: 'main', config_path: configPath },
    owner,
  );
  const res = await s.call('POST', `/api/repos/${repo.slug}/builds?branch=main&commit=${sha}`, {
    token: owner.token,
  });
  assert.equal(res.status, 200, res.body);
  return { build: res.json, repo };
}

const stageNames = (build: { stages?: { name: string }[] }) => (build.stages ?? []).map((st) => st.name);

test('the extension converts .drone.toy; the signed request carries build, repo, config and the owner token', async () => {
  mode = 'convert';
  seen.length = 0;
  await withServer(
    {
      HANGAR_CONVERT_PLUGIN_ENDPOINT: endpoint,
      HANGAR_CONVERT_PLUGIN_SECRET: SECRET,
      HANGAR_CONVERT_PLUGIN_EXTENSION: '.toy',
    },
    async (s) => {
      const { build, repo } = await customBuild(s, '.drone.toy');
      assert.equal(build.status, 'pending', build.error);
      assert.deepEqual(stageNames(build), ['build', 'lint']);
      const req = seen[0]?.body;
      assert.ok(req);
      assert.equal(req.repo.slug, repo.slug);
      assert.equal(req.repo.config_path, '.drone.toy');
      assert.equal(req.build.after, sha);
      assert.equal(req.build.event, 'custom');
      assert.match(req.config.data, /^pipeline build\n/);
      assert.deepEqual(req.token, { access: 'owner-scm-token', refresh: 'owner-refresh' });

      // The stage details of the runner carry the converted YAML (from the cache: no new request).
      const count = seen.length;
      const details = await s.app.inject({
        method: 'GET',
        url: `/rpc/v2/stage/${build.stages[0].id}`,
        headers: { 'x-drone-token': RPC_SECRET },
      });
      assert.equal(details.statusCode, 200, details.body);
      assert.match(Buffer.from(details.json().config.Data, 'base64').toString('utf8'), /image: golang/);
      assert.equal(seen.length, count);

      // HANGAR_CONVERT_PLUGIN_EXTENSION: a .drone.yml repository is not sent to the extension.
      const yaml = await customBuild(s, '.drone.yml');
      assert.deepEqual(stageNames(yaml.build), ['yaml-build']);
      assert.equal(seen.length, count);
    },
  );
});

test('DRONE_ names work; 204 No Content leaves the configuration as it is', async () => {
  mode = 'convert';
  seen.length = 0;
  await withServer(
    { DRONE_CONVERT_PLUGIN_ENDPOINT: endpoint, DRONE_CONVERT_PLUGIN_SECRET: SECRET },
    async (s) => {
      const { build } = await customBuild(s, '.drone.yml');
      assert.equal(build.status, 'pending', build.error);
      assert.deepEqual(stageNames(build), ['yaml-build']);
      assert.equal(seen.length, 1, 'without an extension filter every configuration is sent');
    },
  );
});

test("a 5xx answer is an error build with the extension's message", async () => {
  mode = 'fail';
  await withServer(
    { HANGAR_CONVERT_PLUGIN_ENDPOINT: endpoint, HANGAR_CONVERT_PLUGIN_SECRET: SECRET },
    async (s) => {
      const { build } = await customBuild(s, '.drone.toy');
      assert.equal(build.status, 'error');
      assert.equal(
        build.error,
        'cannot convert .drone.toy: the convert extension answered 500: converter exploded',
      );
    },
  );
});

test('a wrong secret: the extension rejects the signature, the error build says which setting to check', async () => {
  mode = 'convert';
  seen.length = 0;
  await withServer(
    { HANGAR_CONVERT_PLUGIN_ENDPOINT: endpoint, HANGAR_CONVERT_PLUGIN_SECRET: 'not-the-secret' },
    async (s) => {
      const { build } = await customBuild(s, '.drone.toy');
      assert.equal(build.status, 'error');
      assert.equal(
        build.error,
        "cannot convert .drone.toy: the convert extension answered 400: Invalid Signature (does HANGAR_CONVERT_PLUGIN_SECRET match the extension's secret?)",
      );
      assert.doesNotMatch(build.error, /not-the-secret/);
      assert.equal(seen.length, 0);
    },
  );
});

test('no answer within HANGAR_CONVERT_TIMEOUT is an error build', async () => {
  mode = 'slow';
  await withServer(
    {
      HANGAR_CONVERT_PLUGIN_ENDPOINT: endpoint,
      HANGAR_CONVERT_PLUGIN_SECRET: SECRET,
      HANGAR_CONVERT_TIMEOUT: '1s',
    },
    async (s) => {
      const { build } = await customBuild(s, '.drone.toy');
      assert.equal(build.status, 'error');
      assert.equal(
        build.error,
        `cannot convert .drone.toy: the convert extension at ${new URL(endpoint).origin} did not answer within 1 s`,
      );
    },
  );
});

test('an unreachable extension is an error build', async () => {
  await withServer(
    { HANGAR_CONVERT_PLUGIN_ENDPOINT: 'http://127.0.0.1:9/convert', HANGAR_CONVERT_PLUGIN_SECRET: SECRET },
    async (s) => {
      const { build } = await customBuild(s, '.drone.toy');
      assert.equal(build.status, 'error');
      assert.match(
        build.error,
        /^cannot convert \.drone\.toy: the convert extension at http:\/\/127\.0\.0\.1:9 cannot be reached: /,
      );
    },
  );
});
