// Commit statuses from a configured `hangar server` (drone-reference.md §5.8), against a real HTTP
// server on 127.0.0.1 standing in for the GitHub, Gitea and GitLab APIs: the exact requests
// (paths, states, descriptions, contexts, target URLs, tokens) for a push, a cancel, a promotion,
// a fork pull request held for approval then declined or approved, an error build; none for cron
// builds; the status name setting, the owner's own token before the configured one, and
// HANGAR_STATUS_DISABLED.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { findRepoBySlug } from '../../src/server/store/queries/repos.js';
import { findUserByLogin, updateUser } from '../../src/server/store/queries/users.js';
import { api, cleanEnv, type HangarServer, startHangarServer } from '../cli/api-server.js';
import { hangarBin } from '../cli/run-cli.js';
import { compatPath, compatSkip } from '../support/compat.js';
import { signatureHeaders } from './hooks-support.js';
import { pipeline, pipelines, type WorkRepo, workRepo } from './trigger-support.js';

// biome-ignore lint/suspicious/noExplicitAny: corpus payloads are edited field by field
type Json = any;

interface Seen {
  method: string;
  path: string;
  authorization: string;
  accept: string;
  body: Json;
}

/** The stand-in SCM API: records every request, answers 201. */
class FakeScm {
  readonly seen: Seen[] = [];
  private server: Server | undefined;
  base = '';

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => {
        text += d;
      });
      req.on('end', () => {
        this.seen.push({
          method: req.method ?? '',
          path: req.url ?? '',
          authorization: String(req.headers.authorization ?? ''),
          accept: String(req.headers.accept ?? ''),
          body: text === '' ? undefined : JSON.parse(text),
        });
        res.writeHead(201, { 'content-type': 'application/json' }).end('{}');
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** The requests since the last call. */
  take(): Seen[] {
    return this.seen.splice(0, this.seen.length);
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

let work: WorkRepo;
let base = '';
let head = '';
const scm = new FakeScm();

before(async () => {
  await scm.start();
  work = await workRepo();
  base = await work.commit('start', { 'README.md': 'hello\n' });
  head = await work.commit('ci', { '.drone.yml': pipelines(pipeline('test')) });
});
after(async () => {
  await work.remove();
  await scm.stop();
});

function corpus(...path: string[]): Json {
  return JSON.parse(readFileSync(compatPath('webhooks', ...path), 'utf8'));
}

const EVENT = {
  github: 'x-github-event',
  gitea: 'x-gitea-event',
  gitlab: 'x-gitlab-event',
} as const;

async function deliver(
  server: HangarServer,
  provider: keyof typeof EVENT,
  event: string,
  payload: Json,
  secret: string,
): Promise<Json> {
  const body = JSON.stringify(payload);
  const res = await fetch(`${server.base}/hook`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [EVENT[provider]]: event,
      ...signatureHeaders(provider, body, secret),
    },
    body,
  });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return JSON.parse(text);
}

function githubPush(slug: string): Json {
  const [owner, name] = slug.split('/');
  const p = corpus('github', 'push.json');
  Object.assign(p, { ref: 'refs/heads/main', before: base, after: head });
  p.head_commit.id = head;
  p.commits = [{ ...p.head_commit, id: head, added: ['.drone.yml'], modified: [], removed: [] }];
  Object.assign(p.repository, { name, full_name: slug });
  p.repository.owner.login = owner;
  return p;
}

function githubForkPr(slug: string, number: number, action: string): Json {
  const [owner, name] = slug.split('/');
  const p = corpus('github', 'pr_opened.json');
  p.action = action;
  p.number = number;
  p.pull_request.number = number;
  Object.assign(p.repository, { name, full_name: slug });
  p.repository.owner.login = owner;
  p.pull_request.head.sha = head;
  p.pull_request.head.repo.full_name = 'mallory/fork';
  p.pull_request.base.ref = 'main';
  return p;
}

function giteaPush(slug: string): Json {
  const [owner, name] = slug.split('/');
  const p = corpus('gitea', 'push.json');
  Object.assign(p, { ref: 'refs/heads/main', before: base, after: head });
  p.commits[0].id = head;
  Object.assign(p.commits[0], { added: ['.drone.yml'], modified: [], removed: [] });
  Object.assign(p.repository.owner, { username: owner, login: owner });
  Object.assign(p.repository, { name, full_name: slug });
  return p;
}

function gitlabPush(slug: string): Json {
  const p = corpus('gitlab', 'push.json');
  Object.assign(p, { ref: 'refs/heads/main', before: base, after: head, checkout_sha: head });
  p.commits[0].id = head;
  Object.assign(p.commits[0], { added: ['.drone.yml'], modified: [], removed: [] });
  p.project.path_with_namespace = slug;
  return p;
}

/** Registers `slug` as an `scm` repository reading the work repository; returns its webhook secret. */
async function addRepo(server: HangarServer, slug: string, scmName: string): Promise<string> {
  const res = await api(server, 'POST', `/api/repos/${slug}`, {
    scm: scmName,
    git_http_url: work.dir,
    default_branch: 'main',
  });
  assert.equal(res.status, 200, res.text);
  const store = await server.openStore();
  try {
    return (await findRepoBySlug(store.db, slug))?.signer ?? '';
  } finally {
    await store.close();
  }
}

const github = (slug: string, sha: string, body: Json): Omit<Seen, 'authorization'> => ({
  method: 'POST',
  path: `/repos/${slug}/statuses/${sha}`,
  accept: 'application/vnd.github+json',
  body,
});

const withoutAuth = (seen: Seen[]) => seen.map(({ authorization: _a, ...rest }) => rest);

describe('commit statuses from a configured server', { skip: compatSkip() }, () => {
  test('every build change of GitHub, Gitea and GitLab repositories, none for cron builds', async () => {
    const server = await startHangarServer({
      HANGAR_SERVER_HOST: 'ci.example.com',
      HANGAR_SERVER_PROTO: 'https',
      HANGAR_GITHUB_API: scm.base,
      HANGAR_GITHUB_TOKEN: 'gh-token',
      HANGAR_GITEA_API: `${scm.base}/gitea`,
      HANGAR_GITEA_TOKEN: 'gitea-token',
      HANGAR_GITLAB_API: `${scm.base}/gitlab/api/v4`,
      HANGAR_GITLAB_TOKEN: 'gitlab-token',
      HANGAR_FORK_APPROVAL: 'true',
    });
    try {
      scm.take();
      const gh = 'acme/gh';
      const ghSigner = await addRepo(server, gh, 'github');
      assert.deepEqual(scm.take(), [], 'enabling sends nothing');
      const link = (n: number) => `https://ci.example.com/${gh}/${n}`;

      // A push: pending.
      const pushed = await deliver(server, 'github', 'push', githubPush(gh), ghSigner);
      assert.equal(pushed.number, 1);
      const first = scm.take();
      assert.deepEqual(withoutAuth(first), [
        github(gh, head, {
          state: 'pending',
          target_url: link(1),
          description: 'Build is pending',
          context: 'continuous-integration/drone/push',
        }),
      ]);
      assert.equal(first[0]?.authorization, 'Bearer gh-token');

      // Cancelled: killed → GitHub has no "canceled" state, go-scm sends error.
      assert.equal((await api(server, 'DELETE', `/api/repos/${gh}/builds/1`)).status, 200);
      assert.deepEqual(withoutAuth(scm.take()), [
        github(gh, head, {
          state: 'error',
          target_url: link(1),
          description: 'Build was killed',
          context: 'continuous-integration/drone/push',
        }),
      ]);

      // Promoted: a context per target.
      const promoted = await api(server, 'POST', `/api/repos/${gh}/builds/1/promote?target=Production%20EU`);
      assert.equal((promoted.json as Json).number, 2);
      assert.deepEqual(withoutAuth(scm.take()), [
        github(gh, head, {
          state: 'pending',
          target_url: link(2),
          description: 'Build is pending',
          context: 'continuous-integration/drone/promote/production-eu',
        }),
      ]);

      // A fork's pull request is held for approval, then declined.
      const held = await deliver(server, 'github', 'pull_request', githubForkPr(gh, 7, 'opened'), ghSigner);
      assert.deepEqual([held.number, held.status], [3, 'blocked']);
      const pr = (state: string, description: string, n: number) =>
        github(gh, head, {
          state,
          target_url: link(n),
          description,
          context: 'continuous-integration/drone/pr',
        });
      assert.deepEqual(withoutAuth(scm.take()), [pr('pending', 'Build is pending approval', 3)]);
      assert.equal((await api(server, 'POST', `/api/repos/${gh}/builds/3/decline/1`)).status, 204);
      assert.deepEqual(withoutAuth(scm.take()), [pr('error', 'Build was declined', 3)]);

      // Another one, approved: pending again.
      const held2 = await deliver(
        server,
        'github',
        'pull_request',
        githubForkPr(gh, 8, 'synchronize'),
        ghSigner,
      );
      assert.deepEqual([held2.number, held2.status], [4, 'blocked']);
      scm.take();
      assert.equal((await api(server, 'POST', `/api/repos/${gh}/builds/4/approve/1`)).status, 204);
      assert.deepEqual(withoutAuth(scm.take()), [pr('pending', 'Build is pending', 4)]);

      // A cron build: no status.
      assert.equal(
        (await api(server, 'POST', `/api/repos/${gh}/cron`, { name: 'nightly', expr: '@daily' })).status,
        200,
      );
      const cron = await api(server, 'POST', `/api/repos/${gh}/cron/nightly`);
      assert.deepEqual([(cron.json as Json).number, (cron.json as Json).event], [5, 'cron']);
      assert.deepEqual(scm.take(), []);

      // A commit without a configuration: an error build, reported with the plain context.
      const custom = await api(server, 'POST', `/api/repos/${gh}/builds?branch=main&commit=${base}`);
      assert.deepEqual([(custom.json as Json).number, (custom.json as Json).status], [6, 'error']);
      assert.deepEqual(withoutAuth(scm.take()), [
        github(gh, base, {
          state: 'error',
          target_url: link(6),
          description: 'Build encountered an error',
          context: 'continuous-integration/drone',
        }),
      ]);

      // Gitea and GitLab: their own paths, bodies and tokens.
      const gt = 'acme/gt';
      await deliver(server, 'gitea', 'push', giteaPush(gt), await addRepo(server, gt, 'gitea'));
      assert.deepEqual(scm.take(), [
        {
          method: 'POST',
          path: `/gitea/api/v1/repos/${gt}/statuses/${head}`,
          authorization: 'Bearer gitea-token',
          accept: 'application/json',
          body: {
            state: 'pending',
            target_url: `https://ci.example.com/${gt}/1`,
            description: 'Build is pending',
            context: 'continuous-integration/drone/push',
          },
        },
      ]);
      const gl = 'acme/gl';
      await deliver(server, 'gitlab', 'Push Hook', gitlabPush(gl), await addRepo(server, gl, 'gitlab'));
      assert.equal((await api(server, 'DELETE', `/api/repos/${gl}/builds/1`)).status, 200);
      const glSeen = scm.take();
      assert.deepEqual(
        glSeen.map((s) => [s.method, s.path, s.authorization, s.body]),
        [
          [
            'POST',
            `/gitlab/api/v4/projects/acme%2Fgl/statuses/${head}`,
            'Bearer gitlab-token',
            {
              state: 'pending',
              name: 'continuous-integration/drone/push',
              target_url: `https://ci.example.com/${gl}/1`,
              description: 'Build is pending',
            },
          ],
          [
            'POST',
            `/gitlab/api/v4/projects/acme%2Fgl/statuses/${head}`,
            'Bearer gitlab-token',
            {
              state: 'canceled',
              name: 'continuous-integration/drone/push',
              target_url: `https://ci.example.com/${gl}/1`,
              description: 'Build was killed',
            },
          ],
        ],
      );
      assert.ok(!server.stdout().includes('gh-token'), 'tokens never reach the log');
    } finally {
      await server.dispose();
    }
  });

  test("HANGAR_STATUS_NAME names the context; the owner's own SCM token comes before the configured one", async () => {
    const server = await startHangarServer({
      HANGAR_GITHUB_API: `${scm.base}/api/v3/`,
      HANGAR_GITHUB_TOKEN: 'bot-token',
      HANGAR_STATUS_NAME: 'ci/hangar',
    });
    try {
      const signer = await addRepo(server, 'acme/named', 'github');
      const store = await server.openStore();
      try {
        const admin = await findUserByLogin(store.db, 'admin');
        assert.ok(admin);
        await updateUser(store.db, { ...admin, oauth_token: 'owner-oauth' });
      } finally {
        await store.close();
      }
      scm.take();
      await deliver(server, 'github', 'push', githubPush('acme/named'), signer);
      assert.deepEqual(
        scm.take().map((s) => [s.path, s.authorization, s.body.context]),
        [[`/api/v3/repos/acme/named/statuses/${head}`, 'Bearer owner-oauth', 'ci/hangar/push']],
      );
    } finally {
      await server.dispose();
    }
  });

  test('HANGAR_STATUS_DISABLED sends none', async () => {
    const server = await startHangarServer({
      HANGAR_GITHUB_API: scm.base,
      HANGAR_GITHUB_TOKEN: 'gh-token',
      HANGAR_STATUS_DISABLED: 'true',
    });
    try {
      const signer = await addRepo(server, 'acme/quiet', 'github');
      scm.take();
      assert.equal((await deliver(server, 'github', 'push', githubPush('acme/quiet'), signer)).number, 1);
      assert.equal((await api(server, 'DELETE', '/api/repos/acme/quiet/builds/1')).status, 200);
      assert.deepEqual(scm.take(), []);
    } finally {
      await server.dispose();
    }
  });
});

test('status settings: defaults, API URLs, tokens and their errors', async () => {
  const { readServerConfig } = await import('../../src/server/config.js');
  const env = { HANGAR_DATA: '/tmp/x' };
  const plain = readServerConfig(env);
  assert.deepEqual(plain.status, {
    disabled: false,
    name: 'continuous-integration/drone',
    endpoints: {},
    tokens: {},
  });
  assert.equal(plain.forkApproval, false);
  const set = readServerConfig({
    ...env,
    HANGAR_GITHUB_TOKEN: 'a',
    HANGAR_GITLAB_TOKEN: 'b',
    DRONE_GITEA_SERVER: 'https://gitea.example.com/api/v1/',
    DRONE_STATUS_NAME: 'ci',
    DRONE_STATUS_DISABLED: 'true',
    HANGAR_FORK_APPROVAL: 'yes',
  });
  assert.deepEqual(set.status, {
    disabled: true,
    name: 'ci',
    endpoints: {
      github: 'https://api.github.com',
      gitea: 'https://gitea.example.com',
      gitlab: 'https://gitlab.com',
    },
    tokens: { github: 'a', gitlab: 'b' },
  });
  assert.equal(set.forkApproval, true);
  assert.throws(
    () => readServerConfig({ ...env, HANGAR_GITEA_TOKEN: 'x' }),
    /HANGAR_GITEA_TOKEN needs HANGAR_GITEA_API/,
  );
  assert.throws(
    () => readServerConfig({ ...env, HANGAR_GITHUB_API: 'ftp://x' }),
    /HANGAR_GITHUB_API must be an http/,
  );
  assert.throws(() => readServerConfig({ ...env, HANGAR_GITLAB_API: 'not a url' }), /HANGAR_GITLAB_API/);
  assert.throws(
    () => readServerConfig({ ...env, HANGAR_FORK_APPROVAL: 'sometimes' }),
    /HANGAR_FORK_APPROVAL/,
  );
});

test('a build a runner runs reports pending, running and passing', { skip: compatSkip() }, async () => {
  const exec = await workRepo();
  try {
    const sha = await exec.commit('ci: exec', {
      '.drone.yml': pipelines(
        'kind: pipeline\ntype: exec\nname: unit\nclone:\n  disable: true\nsteps:\n- name: hi\n  commands: [echo hi]',
      ),
    });
    const server = await startHangarServer({
      HANGAR_SERVER_HOST: 'ci.example.com',
      HANGAR_GITHUB_API: scm.base,
      HANGAR_GITHUB_TOKEN: 'gh-token',
      HANGAR_RPC_SECRET: 'rpc-secret-for-tests',
    });
    const runner = spawn(process.execPath, [hangarBin, 'runner'], {
      env: cleanEnv({
        HANGAR_RPC_PROTO: 'http',
        HANGAR_RPC_HOST: server.base.replace('http://', ''),
        HANGAR_RPC_SECRET: 'rpc-secret-for-tests',
        HANGAR_RUNNER_ENGINE: 'exec',
        HANGAR_RUNNER_NAME: 'status-test',
      }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let runnerErr = '';
    runner.stderr?.on('data', (d) => {
      runnerErr += d;
    });
    try {
      const res = await api(server, 'POST', '/api/repos/acme/run', {
        scm: 'github',
        git_http_url: exec.dir,
        default_branch: 'main',
      });
      assert.equal(res.status, 200, res.text);
      scm.take();
      const built = await api(server, 'POST', `/api/repos/acme/run/builds?branch=main&commit=${sha}`);
      assert.equal((built.json as Json).number, 1, built.text);
      let status = '';
      for (let i = 0; i < 400 && !['success', 'failure', 'error', 'killed'].includes(status); i++) {
        await sleep(50);
        status = ((await api(server, 'GET', '/api/repos/acme/run/builds/1')).json as Json).status;
      }
      assert.equal(status, 'success', runnerErr);
      const link = 'http://ci.example.com/acme/run/1';
      assert.deepEqual(
        scm.take().map((s) => [s.path, s.body]),
        [
          ['pending', 'Build is pending'],
          ['pending', 'Build is running'],
          ['success', 'Build is passing'],
        ].map(([state, description]) => [
          `/repos/acme/run/statuses/${sha}`,
          { state, target_url: link, description, context: 'continuous-integration/drone' },
        ]),
      );
    } finally {
      if (runner.exitCode === null && runner.signalCode === null) {
        const exited = once(runner, 'exit');
        runner.kill('SIGTERM');
        await exited;
      }
      await server.dispose();
    }
  } finally {
    await exec.remove();
  }
});
