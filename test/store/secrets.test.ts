// Repo and org secrets: scoping, uniqueness, lookups for a build.
import assert from 'node:assert/strict';
import { DuplicateError } from '../../src/server/store/errors.js';
import { deleteRepo } from '../../src/server/store/queries/repos.js';
import {
  createSecret,
  deleteSecret,
  findOrgSecret,
  findRepoSecret,
  listOrgSecrets,
  listRepoSecrets,
  listSecretsForRepo,
  updateSecret,
} from '../../src/server/store/queries/secrets.js';
import { aRepo } from './fixtures.js';
import { storeTest } from './harness.js';

const sealed = (s: string) => Buffer.from(`sealed:${s}`);

storeTest('repo secrets and org secrets are scoped and unique in their scope', async ({ db }) => {
  const repo = await aRepo(db, { namespace: 'acme' });
  const other = await aRepo(db, { namespace: 'acme' });
  const repoToken = await createSecret(db, {
    repo_id: repo.id,
    namespace: 'acme',
    name: 'token',
    data: sealed('r'),
  });
  const orgToken = await createSecret(db, {
    repo_id: 0,
    namespace: 'acme',
    name: 'token',
    data: sealed('o'),
  });
  await createSecret(db, { repo_id: 0, namespace: 'acme', name: 'docker_password', data: sealed('d') });
  await createSecret(db, { repo_id: 0, namespace: 'other-org', name: 'token', data: sealed('x') });
  await createSecret(db, { repo_id: other.id, namespace: 'acme', name: 'token', data: sealed('t') });
  assert.equal(orgToken.repo_id, 0, 'org secrets read back with repo_id 0, as in Drone');
  await assert.rejects(
    createSecret(db, { repo_id: repo.id, namespace: 'acme', name: 'token', data: sealed('?') }),
    DuplicateError,
  );
  await assert.rejects(
    createSecret(db, { repo_id: 0, namespace: 'acme', name: 'token', data: sealed('?') }),
    DuplicateError,
  );

  assert.deepEqual((await findRepoSecret(db, repo.id, 'token'))?.data, sealed('r'));
  assert.deepEqual((await findOrgSecret(db, 'acme', 'token'))?.data, sealed('o'));
  assert.equal(await findOrgSecret(db, 'acme', 'nope'), undefined);
  assert.deepEqual(
    (await listRepoSecrets(db, repo.id)).map((s) => s.name),
    ['token'],
  );
  assert.deepEqual(
    (await listOrgSecrets(db, 'acme')).map((s) => s.name),
    ['docker_password', 'token'],
  );
  assert.deepEqual(
    (await listOrgSecrets(db)).map((s) => `${s.namespace}/${s.name}`),
    ['acme/docker_password', 'acme/token', 'other-org/token'],
  );
  assert.deepEqual(
    (await listSecretsForRepo(db, repo.id, 'acme')).map((s) => [s.repo_id, s.name]),
    [
      [repo.id, 'token'],
      [0, 'docker_password'],
      [0, 'token'],
    ],
  );

  const updated = await updateSecret(db, { ...repoToken, data: sealed('r2'), pull_request: true });
  assert.deepEqual([updated.data, updated.pull_request, updated.repo_id], [sealed('r2'), true, repo.id]);
  await deleteSecret(db, repoToken.id);
  assert.equal(await findRepoSecret(db, repo.id, 'token'), undefined);
  // Deleting a repo takes its secrets along, not the org's.
  await deleteRepo(db, other.id);
  assert.deepEqual(await listRepoSecrets(db, other.id), []);
  assert.equal((await listOrgSecrets(db, 'acme')).length, 2);
});
