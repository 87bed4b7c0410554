// /sign and /encrypt: what `drone sign` and `drone encrypt` expect back.
import assert from 'node:assert/strict';
import { decryptForRepo } from '../../src/server/secrets/repo-cipher.js';
import type { Repo } from '../../src/server/store/models.js';
import { findRepoBySlug, updateRepo } from '../../src/server/store/queries/repos.js';
import { signConfig, signUpdateConfig, verifyConfig } from '../../src/spec/signature.js';
import { serverTest } from './harness.js';

const yaml = 'kind: pipeline\nname: default\nsteps:\n- name: test\n  image: alpine\n  commands: [echo hi]\n';

serverTest('sign answers the HMAC of the file under the repo key', async (s) => {
  const me = await s.user();
  const repo = await s.repo({}, me);
  const res = await s.call('POST', `/api/repos/${repo.slug}/sign`, { token: me.token, body: { data: yaml } });
  assert.equal(res.status, 200);
  assert.deepEqual(Object.keys(res.json), ['data']);
  assert.equal(res.json.data, signConfig(yaml, repo.secret));
  assert.match(res.json.data, /^[0-9a-f]{64}$/);
  // `drone sign --save` writes it into a signature document, which then verifies.
  const signed = `${yaml}---\nkind: signature\nhmac: ${res.json.data}\n`;
  assert.equal(verifyConfig(signed, repo.secret), true);
  assert.equal(verifyConfig(signUpdateConfig(yaml, repo.secret), repo.secret), true);
});

serverTest(
  'encrypt answers data for a kind: secret document, decryptable with the repo key only',
  async (s) => {
    const me = await s.user();
    const repo = await s.repo({}, me);
    for (const path of ['encrypt', 'encrypt/secret']) {
      const res = await s.call('POST', `/api/repos/${repo.slug}/${path}`, {
        token: me.token,
        body: { data: 'hunter2' },
      });
      assert.equal(res.status, 200);
      assert.equal(decryptForRepo(repo.secret, res.json.data), 'hunter2');
      assert.ok(!s.logs().includes('hunter2'));
    }
    const a = await s.call('POST', `/api/repos/${repo.slug}/encrypt`, {
      token: me.token,
      body: { data: 'same' },
    });
    const b = await s.call('POST', `/api/repos/${repo.slug}/encrypt`, {
      token: me.token,
      body: { data: 'same' },
    });
    assert.notEqual(a.json.data, b.json.data);
  },
);

serverTest('a repo without a key (never enabled) is a 400, not a 500', async (s) => {
  const me = await s.user();
  const repo = await s.repo({}, me);
  await updateRepo(s.db, { ...((await findRepoBySlug(s.db, repo.slug)) as Repo), secret: '' });
  for (const path of ['sign', 'encrypt']) {
    const res = await s.call('POST', `/api/repos/${repo.slug}/${path}`, {
      token: me.token,
      body: { data: 'x' },
    });
    assert.equal(res.status, 400);
    assert.match(res.json.message, /enable it first/);
  }
  assert.equal(
    (await s.call('POST', `/api/repos/${repo.slug}/sign`, { token: me.token, body: {} })).status,
    400,
  );
});
