// Child process for the cron race, playing a second server replica: opens its own store on the
// same database, says it is ready, and on "go" runs the ticker's pass `passes` times at the same
// instant as the parent, then sends back what it fired and how many statuses it sent.
import { once } from 'node:events';
import { runDueCrons } from '../../src/server/cron/ticker.js';
import { openStore, type StoreOptions } from '../../src/server/store/db.js';
import { cronTriggerDeps } from './cron-support.js';

const { url, options, nowMs, passes } = JSON.parse(process.argv[2] ?? '{}') as {
  url: string;
  options: StoreOptions;
  nowMs: number;
  passes: number;
};
const store = await openStore(url, { ...options, migrate: false });
try {
  const now = new Date(nowMs);
  const deps = cronTriggerDeps(store.db, now);
  process.send?.({ ready: true });
  await once(process, 'message');
  const fired: { cron: string; build: number }[] = [];
  let lost = 0;
  for (let i = 0; i < passes; i++) {
    const report = await runDueCrons({ trigger: deps, clock: () => now }, now);
    fired.push(...report.fired);
    lost += report.lost;
  }
  process.send?.({ fired, lost, statuses: deps.scm.status.sent.length });
} catch (err) {
  process.send?.({ error: String(err) });
} finally {
  await store.close();
  process.disconnect?.();
}
