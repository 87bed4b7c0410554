// A server that stops while a runner watches a build for cancels: the held watch is answered (204,
// "ask again") as the server closes, and the close does not wait for the watch's hold to run out.
// The hold is set far beyond the test's own deadline, so a close that waited for it cannot pass.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aBuild, aRepo, freshDb, rpc, startServer, until } from '../server/rpc-support.js';

test('closing the server answers held watches at once', { timeout: 60_000 }, async () => {
  const shared = await freshDb('sqlite');
  try {
    const server = await startServer(shared, { queue: { holdMs: 120_000 } });
    const repo = await aRepo(server.db);
    const { build } = await aBuild(server.db, repo);
    const watches = [1, 2].map(() => rpc(server, 'POST', `/rpc/v2/build/${build.id}/watch`));
    await until(() => server.scheduler.watchers.count() === 2, 30_000, 'the watches to be held');

    await server.close();
    const answers = await Promise.all(watches);
    assert.deepEqual(
      answers.map((a) => a.status),
      [204, 204],
    );
  } finally {
    await shared.dispose();
  }
});
