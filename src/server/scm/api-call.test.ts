import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiUrl, nextPageUrl, type ScmAnswer, scmMessage } from './api-call.js';

const answer = (url: string, headers: Record<string, string>): ScmAnswer => ({
  status: 200,
  headers: new Headers(headers),
  json: [],
  url,
});

test('apiUrl: GitHub at its root, Gitea under /api/v1, GitLab under /api/v4', () => {
  assert.equal(
    apiUrl({ provider: 'github', base: 'https://api.github.com/' }, '/user/repos'),
    'https://api.github.com/user/repos',
  );
  assert.equal(
    apiUrl({ provider: 'gitea', base: 'https://try.gitea.io' }, '/user/repos'),
    'https://try.gitea.io/api/v1/user/repos',
  );
  assert.equal(
    apiUrl({ provider: 'gitlab', base: 'https://gitlab.com' }, '/projects'),
    'https://gitlab.com/api/v4/projects',
  );
});

test('nextPageUrl follows rel="next" on the same origin only', () => {
  const first = 'https://api.github.com/user/repos?per_page=100&page=1';
  // The Link header as api.github.com sends it (recorded by @octokit/fixtures, paginate-issues).
  const link =
    '<https://api.github.com/repositories/1000/issues?per_page=3&page=2>; rel="next", <https://api.github.com/repositories/1000/issues?per_page=3&page=5>; rel="last"';
  assert.equal(
    nextPageUrl(answer(first, { link }), 3, 3),
    'https://api.github.com/repositories/1000/issues?per_page=3&page=2',
  );
  const last =
    '<https://api.github.com/user/repos?page=1>; rel="first", <https://api.github.com/user/repos?page=4>; rel="prev"';
  assert.equal(nextPageUrl(answer(first, { link: last }), 100, 100), undefined, 'a Link without next ends');
  // The token must never follow a link to another host.
  const elsewhere = '<https://evil.example.com/user/repos?page=2>; rel="next"';
  assert.equal(nextPageUrl(answer(first, { link: elsewhere }), 100, 100), undefined);
});

test("nextPageUrl takes GitLab's X-Next-Page, and asks for the next page after a full one otherwise", () => {
  const gl = 'https://gitlab.com/api/v4/projects?membership=true&per_page=100&page=1';
  assert.equal(
    nextPageUrl(answer(gl, { 'x-next-page': '2' }), 100, 100),
    'https://gitlab.com/api/v4/projects?membership=true&per_page=100&page=2',
  );
  assert.equal(nextPageUrl(answer(gl, { 'x-next-page': '' }), 100, 100), undefined);
  const gitea = 'https://gitea.example.com/api/v1/user/repos?limit=50&page=3';
  assert.equal(
    nextPageUrl(answer(gitea, {}), 50, 50),
    'https://gitea.example.com/api/v1/user/repos?limit=50&page=4',
  );
  assert.equal(nextPageUrl(answer(gitea, {}), 49, 50), undefined);
});

test('scmMessage reads GitHub, Gitea and GitLab error bodies', () => {
  assert.equal(
    scmMessage({ message: 'Bad credentials', documentation_url: 'https://docs.github.com' }),
    'Bad credentials',
  );
  // GitHub's 422 as @octokit/fixtures recorded it.
  assert.equal(
    scmMessage({
      message: 'Validation Failed',
      errors: [{ resource: 'Label', code: 'invalid', field: 'color' }],
      documentation_url: 'https://docs.github.com/rest/reference/issues#create-a-label',
    }),
    'Validation Failed: Label color invalid',
  );
  assert.equal(
    scmMessage({
      message: 'Validation Failed',
      errors: [{ message: 'Hook already exists on this repository' }],
    }),
    'Validation Failed: Hook already exists on this repository',
  );
  assert.equal(
    scmMessage({ message: { url: ['is blocked: Requests to localhost are not allowed'] } }),
    '{"url":["is blocked: Requests to localhost are not allowed"]}',
  );
  assert.equal(
    scmMessage({ error: 'invalid_token', error_description: 'Token was revoked' }),
    'Token was revoked',
  );
  assert.equal(scmMessage('<html>'), '');
  assert.equal(scmMessage({ message: 'x'.repeat(500) }).length, 201);
});
