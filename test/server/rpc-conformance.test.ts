// The runner RPC as a Drone runner (runner-go's client/http.go) speaks it: the exact sequence of
// drone-reference.md §2.4–2.5 over real HTTP, bodies sent like Go's client (JSON without a
// Content-Type, a trailing newline, an empty body for accept and watch), and Drone's answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TOKEN_HEADER } from '../../src/protocol/types.js';
import { findBuild } from '../../src/server/store/queries/builds.js';
import { findLog } from '../../src/server/store/queries/logs.js';
import { createSecret } from '../../src/server/store/queries/secrets.js';
import { findStage } from '../../src/server/store/queries/stages.js';
import { listStepsOfStage } from '../../src/server/store/queries/steps.js';
import { createUser } from '../../src/server/store/queries/users.js';
import {
  aBuild,
  aRepo,
  DEFAULT_YAML,
  dbTest,
  freshDb,
  rpc,
  SECRET,
  startServer,
  until,
} from './rpc-support.js';

const filter = { kind: 'pipeline', type: 'docker', os: 'linux', arch: 'amd64', variant: '', kernel: '' };

dbTest('a Drone runner runs one stage end to end', async (shared) => {
  const server = await startServer(shared);
  try {
    const { db } = server;
    const repo = await aRepo(db, { private: false, visibility: 'public' });
    await createSecret(db, {
      repo_id: repo.id,
      namespace: repo.namespace,
      name: 'token',
      data: server.box.seal('s3cret'),
      pull_request: false,
    });

    assert.equal((await rpc(server, 'POST', '/rpc/v2/ping')).status, 200);

    // Nothing queued: the poll is held, then 204.
    const empty = await rpc(server, 'POST', '/rpc/v2/stage', filter);
    assert.equal(empty.status, 204);
    assert.equal(empty.text, '');

    // A build appears while the runner waits: it gets the stage at once.
    const poll = rpc(server, 'POST', '/rpc/v2/stage', filter);
    await until(() => server.scheduler.queue.waiting().length === 1, 5000, 'the runner to wait');
    const { build, stages } = await aBuild(db, repo);
    server.scheduler.schedule();
    const offered = await poll;
    assert.equal(offered.status, 200);
    const stage = offered.json;
    assert.equal(stage.id, stages[0]!.id);
    for (const key of [
      'id',
      'repo_id',
      'build_id',
      'number',
      'name',
      'status',
      'errignore',
      'exit_code',
      'os',
      'arch',
      'started',
      'stopped',
      'created',
      'updated',
      'version',
      'on_success',
      'on_failure',
    ]) {
      assert.ok(key in stage, `stage JSON has ${key}`);
    }
    assert.equal(stage.status, 'pending');
    assert.equal(stage.version, 1);
    assert.ok(!('machine' in stage), 'empty machine omitted');

    // Accept: no body.
    const accepted = await rpc(server, 'POST', `/rpc/v2/stage/${stage.id}?machine=runner-1`);
    assert.equal(accepted.status, 200);
    assert.equal(accepted.json.machine, 'runner-1');
    assert.equal(accepted.json.version, 2);
    assert.equal(accepted.json.status, 'pending');

    // Details.
    const details = await rpc(server, 'GET', `/rpc/v2/stage/${stage.id}`);
    assert.equal(details.status, 200);
    const d = details.json;
    assert.deepEqual(Object.keys(d).sort(), [
      'build',
      'config',
      'netrc',
      'repository',
      'secrets',
      'stage',
      'system',
    ]);
    assert.deepEqual(Object.keys(d.config).sort(), ['Data', 'Hash']);
    assert.equal(Buffer.from(d.config.Data, 'base64').toString('utf8'), DEFAULT_YAML);
    assert.equal(d.config.Hash, null);
    assert.equal(d.repository.secret, repo.secret);
    assert.equal(d.repository.slug, repo.slug);
    assert.equal(d.build.id, build.id);
    assert.equal(d.build.stages.length, 1);
    assert.equal(d.stage.machine, 'runner-1');
    assert.deepEqual(
      d.secrets.map((s: { name: string; data: string }) => [s.name, s.data]),
      [['token', 's3cret']],
    );
    assert.equal(d.netrc, null);
    assert.equal(d.system.link, `${d.system.proto}://${d.system.host}`);

    // The watch loop starts (held, then 204).
    const watch = rpc(server, 'POST', `/rpc/v2/build/${build.id}/watch`);

    // The stage starts: steps are created, ids come back matched by number.
    const running = {
      ...accepted.json,
      status: 'running',
      started: 1700000005,
      steps: [
        { step_id: stage.id, number: 1, name: 'clone', status: 'pending', image: 'drone/git:latest' },
        { step_id: stage.id, number: 2, name: 'build', status: 'pending', image: 'golang:latest' },
      ],
    };
    const started = await rpc(server, 'PUT', `/rpc/v2/stage/${stage.id}`, running);
    assert.equal(started.status, 200, started.text);
    assert.equal(started.json.version, 3);
    assert.equal(started.json.steps.length, 2);
    for (const s of started.json.steps) {
      assert.equal(s.step_id, stage.id, 'step_id carries the stage id');
      assert.ok(s.id > 0);
      assert.equal(s.version, 1);
    }
    assert.equal((await findBuild(db, build.id))?.status, 'running');
    assert.equal((await watch).status, 204);

    // Steps run.
    const steps = started.json.steps as { id: number; number: number; name: string }[];
    for (const s of steps) {
      const up = await rpc(server, 'PUT', `/rpc/v2/step/${s.id}`, {
        id: s.id,
        step_id: stage.id,
        number: s.number,
        name: s.name,
        status: 'running',
        started: 1700000006,
        exit_code: 0,
        version: 1,
      });
      assert.equal(up.status, 200, up.text);
      assert.equal(up.json.version, 2);
      const lines = [
        { pos: 0, out: `${s.name} line 1\n`, time: 0 },
        { pos: 1, out: `${s.name} line 2\n`, time: 1 },
      ];
      assert.equal((await rpc(server, 'POST', `/rpc/v2/step/${s.id}/logs/batch`, lines)).status, 200);
      const uploaded = `${JSON.stringify(lines)}\n`;
      assert.equal((await rpc(server, 'POST', `/rpc/v2/step/${s.id}/logs/upload`, uploaded)).status, 200);
      assert.equal((await findLog(db, s.id))?.toString('utf8'), uploaded, 'upload stored byte for byte');
      const done = await rpc(server, 'PUT', `/rpc/v2/step/${s.id}`, {
        id: s.id,
        step_id: stage.id,
        number: s.number,
        name: s.name,
        status: 'success',
        started: 1700000006,
        stopped: 1700000010,
        exit_code: 0,
        version: 2,
      });
      assert.equal(done.status, 200, done.text);
    }

    // The stage ends: teardown finishes the build.
    const final = await rpc(server, 'PUT', `/rpc/v2/stage/${stage.id}`, {
      ...started.json,
      status: 'success',
      stopped: 1700000060,
      steps: steps.map((s) => ({ ...s, status: 'success', exit_code: 0, version: 3 })),
    });
    assert.equal(final.status, 200, final.text);
    assert.equal(final.json.status, 'success');
    const after = await findBuild(db, build.id);
    assert.equal(after?.status, 'success');
    assert.ok((after?.finished ?? 0) > 0);
    assert.deepEqual(
      (await listStepsOfStage(db, stage.id)).map((s) => s.status),
      ['success', 'success'],
    );
    assert.equal((await findStage(db, stage.id))?.lease_expires, 0);

    // The watch now answers 200 at once: the build is done.
    assert.equal((await rpc(server, 'POST', `/rpc/v2/build/${build.id}/watch`)).status, 200);
  } finally {
    await server.close();
  }
});

test('without a configured secret every RPC endpoint is 403; a wrong token is 401', async () => {
  const shared = await freshDb('sqlite');
  const open = await startServer(shared, { rpcSecret: '' });
  const closed = await startServer(await freshDb('sqlite'));
  try {
    const calls: [string, string][] = [
      ['POST', '/rpc/v2/ping'],
      ['POST', '/rpc/v2/stage'],
      ['POST', '/rpc/v2/stage/1?machine=x'],
      ['GET', '/rpc/v2/stage/1'],
      ['PUT', '/rpc/v2/stage/1'],
      ['PUT', '/rpc/v2/step/1'],
      ['POST', '/rpc/v2/build/1/watch'],
      ['POST', '/rpc/v2/step/1/logs/batch'],
      ['POST', '/rpc/v2/step/1/logs/upload'],
      ['POST', '/rpc/v2/step/1/card'],
      ['POST', '/rpc/v2/nodes/x'],
    ];
    for (const [method, path] of calls) {
      assert.equal((await rpc(open, method, path)).status, 403, `${method} ${path} without a secret`);
      const wrong = await fetch(`${closed.url}${path}`, {
        method,
        headers: { [TOKEN_HEADER]: `${SECRET}x` },
      });
      assert.equal(wrong.status, 401, `${method} ${path} with a wrong token`);
      const none = await fetch(`${closed.url}${path}`, { method });
      assert.equal(none.status, 401, `${method} ${path} without a token`);
    }
  } finally {
    await open.close();
    await closed.close();
    await shared.dispose();
  }
});

dbTest(
  'details: pull requests get only pull-request secrets; private repos a netrc from the owner',
  async (shared) => {
    const server = await startServer(shared);
    try {
      const { db } = server;
      const owner = await createUser(db, { login: `owner-${Date.now()}`, oauth_token: 'gh-token' });
      const repo = await aRepo(db, {
        user_id: owner.id,
        scm: 'github',
        git_http_url: 'https://github.com/octocat/hello.git',
      });
      for (const [name, pr] of [
        ['deploy_key', false],
        ['public_key', true],
      ] as const) {
        await createSecret(db, {
          repo_id: repo.id,
          namespace: repo.namespace,
          name,
          data: server.box.seal(name),
          pull_request: pr,
        });
      }
      await createSecret(db, {
        repo_id: 0,
        namespace: repo.namespace,
        name: 'org_key',
        data: server.box.seal('org'),
        pull_request: true,
      });
      const { stages } = await aBuild(db, repo, [{ name: 'default' }], { event: 'pull_request' });
      const d = (await rpc(server, 'GET', `/rpc/v2/stage/${stages[0]!.id}`)).json;
      assert.deepEqual(
        d.secrets.map((s: { name: string }) => s.name),
        ['public_key', 'org_key'],
      );
      assert.deepEqual(d.netrc, { machine: 'github.com', login: 'gh-token', password: 'x-oauth-basic' });
      assert.ok(!server.logs().includes('gh-token'), 'tokens never logged');
    } finally {
      await server.close();
    }
  },
);

dbTest(
  'details: a configuration that cannot be fetched fails the stage (it could run nowhere)',
  async (shared) => {
    const { ConfigFetchError } = await import('../../src/server/scm/content.js');
    const server = await startServer(shared, {
      config: {
        find: async () => {
          throw new ConfigFetchError('.drone.yml not found at aaaaaaaaaaaa');
        },
      },
    });
    try {
      const repo = await aRepo(server.db);
      const { build, stages } = await aBuild(server.db, repo);
      assert.equal((await rpc(server, 'POST', `/rpc/v2/stage/${stages[0]!.id}?machine=r1`)).status, 200);
      const details = await rpc(server, 'GET', `/rpc/v2/stage/${stages[0]!.id}`);
      assert.equal(details.status, 422);
      assert.match(details.json.message, /cannot fetch the configuration: .drone.yml not found/);
      const stage = await findStage(server.db, stages[0]!.id);
      assert.equal(stage?.status, 'error');
      assert.equal((await findBuild(server.db, build.id))?.status, 'error');
    } finally {
      await server.close();
    }
  },
);

dbTest(
  'cards and uploads: stored for existing steps; bodies that are not lines are refused',
  async (shared) => {
    const server = await startServer(shared);
    try {
      const repo = await aRepo(server.db);
      const { stages } = await aBuild(server.db, repo);
      const stage = stages[0]!;
      const acc = await rpc(server, 'POST', `/rpc/v2/stage/${stage.id}?machine=r1`);
      const started = await rpc(server, 'PUT', `/rpc/v2/stage/${stage.id}`, {
        ...acc.json,
        status: 'running',
        steps: [{ step_id: stage.id, number: 1, name: 'a', status: 'pending' }],
      });
      const step = started.json.steps[0].id;
      const card = { schema: 'https://example.com/card.json', data: { type: 'AdaptiveCard', body: [] } };
      assert.equal((await rpc(server, 'POST', `/rpc/v2/step/${step}/card`, card)).status, 200);
      const { findCard } = await import('../../src/server/store/queries/cards.js');
      assert.deepEqual(JSON.parse((await findCard(server.db, step))!.toString()), card.data);
      assert.equal(
        (await rpc(server, 'POST', `/rpc/v2/step/${step}/logs/upload`, '{"not":"lines"}')).status,
        400,
      );
      assert.equal(
        (await rpc(server, 'POST', `/rpc/v2/step/${step}/logs/batch`, [{ pos: -1, out: 'x' }])).status,
        400,
      );
      assert.equal((await rpc(server, 'POST', '/rpc/v2/step/999999/logs/batch', [])).status, 404);
      assert.equal(
        (await rpc(server, 'PUT', '/rpc/v2/step/999999', { number: 1, status: 'running' })).status,
        404,
      );
      assert.equal((await rpc(server, 'GET', '/rpc/v2/stage/999999')).status, 404);
    } finally {
      await server.close();
    }
  },
);
