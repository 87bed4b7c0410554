// Child process for the numbering race, playing a second server: opens its own store on the same
// database, says it is ready, and on "go" creates builds one after another, then sends back the
// numbers it got.
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStore, type StoreOptions } from '../../src/server/store/db.js';
import { createBuild } from '../../src/server/store/queries/builds.js';

const { url, options, repoId, count } = JSON.parse(process.argv[2] ?? '{}') as {
  url: string;
  options: StoreOptions;
  repoId: number;
  count: number;
};
const store = await openStore(url, { ...options, migrate: false });
try {
  process.send?.({ ready: true });
  await once(process, 'message');
  const numbers: number[] = [];
  for (let i = 0; i < count; i++) {
    numbers.push((await createBuild(store.db, { repo_id: repoId })).number);
    await sleep(1);
  }
  process.send?.({ numbers });
} catch (err) {
  process.send?.({ error: String(err) });
} finally {
  await store.close();
  process.disconnect?.();
}
