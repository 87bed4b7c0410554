// Several server replicas on one database, each with its own data directory: a remote repository
// added through one replica is built through another, which clones its own mirror on first use
// (nothing authoritative lives in a mirror), and a runner asking either replica for a stage's
// details gets the configuration read from that replica's mirror and the remote's netrc.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { localConfig } from '../../src/server/scm/content.js';
import { createSecretBox } from '../../src/server/secrets/box.js';
import { startRemote } from '../support/git-remote.js';
import { aUser, dbTest, rpc, startServer } from './rpc-support.js';

const YAML =
  'kind: pipeline\ntype: docker\nname: default\nsteps:\n- name: build\n  image: alpine\n  commands: [echo hi]\n';

async function call(server: { url: string }, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(new URL(path, server.url), {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
}

dbTest('replicas keep their own mirrors of a remote; details carry its config and netrc', async (shared) => {
  const box = createSecretBox(randomBytes(32));
  const password = 'Repl1ca-pass-42';
  const remote = await startRemote({ auth: { login: 'jane', password } });
  const a = await startServer(shared, { box, config: localConfig });
  const b = await startServer(shared, { box, config: localConfig });
  try {
    await remote.commit('first', { '.drone.yml': YAML });
    const { token } = await aUser(a.db, undefined, { admin: true });
    const added = await call(a, token, 'POST', '/api/repos/acme/remote', {
      scm: 'git',
      git_http_url: remote.url,
      username: 'jane',
      password,
    });
    assert.equal(added.status, 200, added.text);
    const id = added.json.id as number;
    const mirrorOf = (s: typeof a) => join(s.ctx.config.dataDir, 'mirrors', `${id}.git`);
    assert.ok(existsSync(mirrorOf(a)));
    assert.equal(existsSync(mirrorOf(b)), false);

    const second = await remote.commit('second', { 'b.txt': 'b\n' });
    const built = await call(b, token, 'POST', '/api/repos/acme/remote/builds', {});
    assert.equal(built.status, 200, built.text);
    assert.deepEqual([built.json.after, built.json.message], [second, 'second\n']);
    assert.ok(existsSync(mirrorOf(b)), 'the second replica cloned its own mirror');

    const stageId = built.json.stages[0].id as number;
    for (const server of [a, b]) {
      const d = (await rpc(server, 'GET', `/rpc/v2/stage/${stageId}`)).json;
      assert.equal(Buffer.from(d.config.Data, 'base64').toString('utf8'), YAML);
      assert.deepEqual(d.netrc, { machine: '127.0.0.1', login: 'jane', password });
      assert.equal(d.repository.git_http_url, remote.url);
      assert.ok(!server.logs().includes(password), 'the password is in no log line');
    }
  } finally {
    await a.close();
    await b.close();
    await remote.close();
  }
});
