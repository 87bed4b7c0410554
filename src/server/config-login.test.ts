import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, readServerConfig } from './config.js';

test('sign-in settings: none by default, Drone 720h cookies', () => {
  const c = readServerConfig({});
  assert.equal(c.login.oauth, undefined);
  assert.equal(c.login.cookieSecret, undefined);
  assert.equal(c.login.cookieTimeoutSeconds, 720 * 3600);
  assert.equal(c.login.registrationClosed, false);
  assert.deepEqual(c.login.userFilter, []);
});

test('GitHub from Drone names: github.com, api.github.com; statuses and files use the same API', () => {
  const c = readServerConfig({
    DRONE_GITHUB_CLIENT_ID: 'id',
    DRONE_GITHUB_CLIENT_SECRET: 'secret',
    DRONE_COOKIE_SECRET: 'a-cookie-secret-of-32-characters',
    DRONE_COOKIE_TIMEOUT: '24h',
    DRONE_REGISTRATION_CLOSED: 'true',
    DRONE_USER_FILTER: 'Octocat, hangar-ci,,',
  });
  assert.deepEqual(c.login.oauth, {
    scm: 'github',
    clientId: 'id',
    clientSecret: 'secret',
    server: 'https://github.com',
    api: 'https://api.github.com',
  });
  assert.equal(c.status.endpoints.github, 'https://api.github.com');
  assert.equal(c.login.cookieSecret?.toString(), 'a-cookie-secret-of-32-characters');
  assert.equal(c.login.cookieTimeoutSeconds, 86400);
  assert.equal(c.login.registrationClosed, true);
  assert.deepEqual(c.login.userFilter, ['octocat', 'hangar-ci']);
});

test('GitHub Enterprise, Gitea and GitLab servers', () => {
  const ghe = readServerConfig({
    HANGAR_GITHUB_CLIENT_ID: 'i',
    HANGAR_GITHUB_CLIENT_SECRET: 's',
    HANGAR_GITHUB_SERVER: 'https://ghe.example.com/',
  });
  assert.equal(ghe.login.oauth?.server, 'https://ghe.example.com');
  assert.equal(ghe.login.oauth?.api, 'https://ghe.example.com/api/v3');
  const gitea = readServerConfig({
    DRONE_GITEA_CLIENT_ID: 'i',
    DRONE_GITEA_CLIENT_SECRET: 's',
    DRONE_GITEA_SERVER: 'https://gitea.example.com',
  });
  assert.equal(gitea.login.oauth?.server, 'https://gitea.example.com');
  assert.equal(gitea.login.oauth?.api, 'https://gitea.example.com');
  const gitlab = readServerConfig({ HANGAR_GITLAB_CLIENT_ID: 'i', HANGAR_GITLAB_CLIENT_SECRET: 's' });
  assert.equal(gitlab.login.oauth?.server, 'https://gitlab.com');
  assert.equal(gitlab.status.endpoints.gitlab, 'https://gitlab.com');
});

test('sign-in settings a user got wrong', () => {
  const bad: Record<string, string>[] = [
    { HANGAR_GITHUB_CLIENT_ID: 'only-the-id' },
    { HANGAR_GITEA_CLIENT_ID: 'i', HANGAR_GITEA_CLIENT_SECRET: 's' },
    {
      HANGAR_GITHUB_CLIENT_ID: 'i',
      HANGAR_GITHUB_CLIENT_SECRET: 's',
      HANGAR_GITLAB_CLIENT_ID: 'i',
      HANGAR_GITLAB_CLIENT_SECRET: 's',
    },
    { HANGAR_COOKIE_SECRET: 'short' },
    { HANGAR_COOKIE_TIMEOUT: 'forever' },
    { HANGAR_COOKIE_TIMEOUT: '10s' },
    { HANGAR_REGISTRATION_CLOSED: 'maybe' },
    { HANGAR_GITHUB_CLIENT_ID: 'i', HANGAR_GITHUB_CLIENT_SECRET: 's', HANGAR_GITHUB_SERVER: 'ftp://x' },
  ];
  for (const env of bad) assert.throws(() => readServerConfig(env), ConfigError, JSON.stringify(env));
  assert.throws(
    () =>
      readServerConfig({
        HANGAR_GITHUB_CLIENT_ID: 'i',
        HANGAR_GITHUB_CLIENT_SECRET: 's',
        HANGAR_GITLAB_CLIENT_ID: 'i',
        HANGAR_GITLAB_CLIENT_SECRET: 's',
      }),
    /one SCM.*github and gitlab/,
  );
});

test("HANGAR_USER_CREATE (Drone's DRONE_USER_CREATE)", () => {
  assert.equal(readServerConfig({}).userCreate, undefined);
  assert.deepEqual(readServerConfig({ DRONE_USER_CREATE: 'username:octocat,admin:true' }).userCreate, {
    login: 'octocat',
    admin: true,
    machine: false,
    token: '',
  });
  assert.deepEqual(
    readServerConfig({ HANGAR_USER_CREATE: 'username:bot, machine:true, token:0123456789abcdef0123' })
      .userCreate,
    { login: 'bot', admin: false, machine: true, token: '0123456789abcdef0123' },
  );
  for (const bad of [
    'octocat',
    'username:',
    'username:a,admin:maybe',
    'username:a,machine:true',
    'username:a,role:x',
  ]) {
    assert.throws(() => readServerConfig({ HANGAR_USER_CREATE: bad }), ConfigError, bad);
  }
});
