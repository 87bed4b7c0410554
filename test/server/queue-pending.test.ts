// "Why is it pending?": GET /api/repos/{o}/{n}/builds/{n}/stages/{s}/pending says what a stage waits
// for — no runner at all, no runner that matches (and why each does not), busy runners, a limit,
// dependencies — for anyone who may read the repo.
import assert from 'node:assert/strict';
import { aBuild, aRepo, aUser, dbTest, rpc, startServer, until } from './rpc-support.js';

const linux = { kind: 'pipeline', type: 'docker', os: 'linux', arch: 'amd64', variant: '', kernel: '' };

dbTest('the pending API explains what a stage waits for', async (shared) => {
  const server = await startServer(shared, { queue: { holdMs: 60_000 } });
  try {
    const repo = await aRepo(server.db);
    const reader = await aUser(server.db, repo);
    const ask = async (build: number, stage = 1) => {
      const res = await fetch(
        `${server.url}/api/repos/${repo.slug}/builds/${build}/stages/${stage}/pending?access_token=${reader.token}`,
      );
      assert.equal(res.status, 200);
      return (await res.json()) as {
        summary: string;
        reasons: string[];
        runners: { name: string; matches: boolean; mismatch?: string }[];
      };
    };

    const gpu = await aBuild(server.db, repo, [
      { name: 'train', labels: { gpu: 'yes' } },
      { name: 'report', status: 'waiting_on_dependencies', depends_on: ['train'] },
    ]);
    assert.equal((await ask(gpu.build.number)).summary, 'No runner has ever asked this server for work.');
    assert.match((await ask(gpu.build.number, 2)).summary, /waits for "train" \(pending\)/);

    // A runner without labels waits for work (and names itself).
    const poll = rpc(server, 'POST', '/rpc/v2/stage?machine=builder-1', linux);
    await until(() => server.scheduler.queue.waiting().length === 1);
    const why = await ask(gpu.build.number);
    assert.match(
      why.summary,
      /No connected runner can run this stage \(it needs a pipeline\/docker runner on linux\/amd64 and labels \{gpu:yes\}\)/,
    );
    assert.deepEqual(
      why.runners.map((r) => [r.name, r.matches]),
      [['builder-1', false]],
    );
    assert.match(why.reasons[0] ?? '', /builder-1: labels \{\}, the stage needs exactly \{gpu:yes\}/);

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /^hangar_queue_waiting_runners 1$/m);

    // A plain stage goes to that runner; the next one finds every matching runner busy.
    const plain = await aBuild(server.db, repo, [{ name: 'build' }]);
    server.scheduler.schedule();
    const got = await poll;
    assert.equal(got.json.id, plain.stages[0]!.id);
    assert.equal((await rpc(server, 'POST', `/rpc/v2/stage/${got.json.id}?machine=builder-1`)).status, 200);
    const accepted = await ask(plain.build.number);
    assert.equal(accepted.summary, 'Runner builder-1 accepted the stage and is preparing it.');
    const next = await aBuild(server.db, repo, [{ name: 'build' }]);
    assert.match(
      (await ask(next.build.number)).summary,
      /Every runner that can run this stage is busy: builder-1/,
    );

    // A concurrency limit.
    const l1 = await aBuild(server.db, repo, [{ name: 'deploy', limit: 1 }]);
    const l2 = await aBuild(server.db, repo, [{ name: 'deploy', limit: 1 }]);
    void l1;
    const held = await ask(l2.build.number);
    assert.match(held.summary, /concurrency limit \(1\) is reached/);

    // Guests do not see private repos.
    const res = await fetch(
      `${server.url}/api/repos/${repo.slug}/builds/${l2.build.number}/stages/1/pending`,
    );
    assert.equal(res.status, 401);
  } finally {
    await server.close();
  }
});
