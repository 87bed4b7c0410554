import assert from 'node:assert/strict';
import { test } from 'node:test';
import { remoteRepoOf, userReposUrl } from './repos-http.js';

test('userReposUrl asks each SCM for every repository the user reaches, largest pages', () => {
  assert.equal(
    userReposUrl({ provider: 'github', base: 'https://api.github.com' }),
    'https://api.github.com/user/repos?visibility=all&affiliation=owner,collaborator,organization_member&per_page=100&page=1',
  );
  assert.equal(
    userReposUrl({ provider: 'gitea', base: 'https://g.example' }),
    'https://g.example/api/v1/user/repos?limit=50&page=1',
  );
  assert.equal(
    userReposUrl({ provider: 'gitlab', base: 'https://gitlab.com' }),
    'https://gitlab.com/api/v4/projects?membership=true&per_page=100&page=1',
  );
});

test('remoteRepoOf: entries without an id or a name are skipped; odd field types read as empty', () => {
  assert.equal(remoteRepoOf('github', { name: 'x', owner: { login: 'o' } }), undefined);
  assert.equal(remoteRepoOf('github', { id: 1, owner: { login: 'o' } }), undefined);
  assert.equal(remoteRepoOf('gitlab', { id: 1, path_with_namespace: 'no-namespace' }), undefined);
  const r = remoteRepoOf('github', {
    id: 5,
    name: 'x',
    owner: { login: 'o' },
    private: 'yes',
    permissions: 'all',
  });
  assert.equal(r?.slug, 'o/x');
  assert.equal(r?.private, false);
  assert.equal(r?.default_branch, 'main');
  assert.deepEqual(r?.perm, { read: false, write: false, admin: false });
});

test('remoteRepoOf: permissions imply each other (admin ⊃ push ⊃ pull), GitLab levels take the higher of project and group', () => {
  const gh = remoteRepoOf('github', {
    id: 1,
    name: 'x',
    owner: { login: 'o' },
    permissions: { admin: true },
  });
  assert.deepEqual(gh?.perm, { read: true, write: true, admin: true });
  const gl = remoteRepoOf('gitlab', {
    id: 2,
    path_with_namespace: 'g/p',
    visibility: 'internal',
    permissions: { project_access: { access_level: 30 }, group_access: { access_level: 50 } },
  });
  assert.deepEqual(gl?.perm, { read: true, write: true, admin: true });
  assert.equal(gl?.visibility, 'internal');
  assert.equal(gl?.private, true);
});
