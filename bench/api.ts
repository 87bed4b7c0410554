// bench/api: a real `hangar server` process on 127.0.0.1, driven over HTTP the way GitHub and API
// clients drive it. Prints, for SQLite and for PostgreSQL (HANGAR_TEST_PG_URL; skipped with a note
// when unset):
//   - webhook → build created per second: signed GitHub push webhooks, BENCH_CONCURRENCY in flight,
//     each answered only once its build and stages are committed (the configuration is read from a
//     real git repository with `git show`, as for a local mirror);
//   - API read latency, p50 and p99, one request in flight: the build list, one build with its
//     stages, the repo, and the user's repos with their latest builds.
// Bounded in count and time: BENCH_WEBHOOKS (default 200) and BENCH_READS per endpoint (default
// 400), each phase at most BENCH_SECONDS (default 20) seconds. No assertions: numbers only.
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { openStore } from '../src/server/store/db.js';
import { findRepoBySlug } from '../src/server/store/queries/repos.js';
import { api, startHangarServer } from '../test/cli/api-server.js';
import { compatJson } from '../test/support/compat.js';
import { pipeline, pipelines, workRepo } from '../test/server/trigger-support.js';

const WEBHOOKS = Number(process.env.BENCH_WEBHOOKS ?? 200);
const READS = Number(process.env.BENCH_READS ?? 400);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const SLUG = 'acme/bench';

// biome-ignore lint/suspicious/noExplicitAny: the corpus payload is edited field by field
type Json = any;

interface Result {
  dialect: string;
  builds: number;
  buildsPerSecond: number;
  webhookErrors: number;
  reads: { name: string; count: number; p50: number; p99: number }[];
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

async function run(dialect: 'sqlite' | 'postgres', databaseUrl: string | undefined): Promise<Result> {
  const work = await workRepo();
  const dataDir = await mkdtemp(join(tmpdir(), 'hangar-bench-api-'));
  const server = await startHangarServer(
    {
      HANGAR_CRON_DISABLED: 'true',
      HANGAR_LOG_LEVEL: 'error',
      ...(databaseUrl ? { HANGAR_DATABASE_URL: databaseUrl } : {}),
    },
    { dataDir },
  );
  try {
    const before = await work.commit('start', { 'README.md': 'hello\n' });
    const head = await work.commit('ci', {
      '.drone.yml': pipelines(pipeline('test'), pipeline('deploy', 'depends_on: [test]')),
    });
    const made = await api(server, 'POST', `/api/repos/${SLUG}`, {
      scm: 'github',
      git_http_url: work.dir,
      default_branch: 'main',
    });
    if (made.status !== 200) throw new Error(`cannot create the repo: ${made.text}`);
    const store = await openStore(databaseUrl ?? `sqlite:${join(dataDir, 'hangar.db')}`, { migrate: false });
    const signer = (await findRepoBySlug(store.db, SLUG))?.signer ?? '';
    await store.close();

    const payload: Json = compatJson('webhooks', 'github', 'push.json');
    Object.assign(payload, { ref: 'refs/heads/main', before, after: head });
    payload.head_commit.id = head;
    payload.commits = [
      { ...payload.head_commit, id: head, added: ['.drone.yml'], modified: [], removed: [] },
    ];
    Object.assign(payload.repository, { name: 'bench', full_name: SLUG });
    payload.repository.owner.login = 'acme';
    const body = JSON.stringify(payload);
    const headers = {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-hub-signature-256': `sha256=${createHmac('sha256', signer).update(body).digest('hex')}`,
    };
    const deliver = async (): Promise<boolean> => {
      const res = await fetch(`${server.base}/hook`, { method: 'POST', headers, body });
      const answer = (await res.json().catch(() => null)) as { number?: number } | null;
      return res.status === 200 && typeof answer?.number === 'number';
    };

    // Warm-up: a few builds outside the measurement.
    for (let i = 0; i < 5; i++) await deliver();

    let sent = 0;
    let builds = 0;
    let webhookErrors = 0;
    const deadline = performance.now() + SECONDS * 1000;
    const start = performance.now();
    const worker = async () => {
      while (sent < WEBHOOKS && performance.now() < deadline) {
        sent += 1;
        if (await deliver()) builds += 1;
        else webhookErrors += 1;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const elapsed = (performance.now() - start) / 1000;

    const list = (await api(server, 'GET', `/api/repos/${SLUG}/builds`)).json as { number: number }[];
    const newest = list[0]?.number ?? 1;
    const endpoints = [
      { name: 'GET /api/repos/{o}/{n}/builds', path: `/api/repos/${SLUG}/builds` },
      { name: 'GET /api/repos/{o}/{n}/builds/{b}', path: `/api/repos/${SLUG}/builds/${newest}` },
      { name: 'GET /api/repos/{o}/{n}', path: `/api/repos/${SLUG}` },
      { name: 'GET /api/user/repos?latest=true', path: '/api/user/repos?latest=true' },
    ];
    const auth = { authorization: `Bearer ${server.token}` };
    const get = async (path: string) => {
      const res = await fetch(`${server.base}${path}`, { headers: auth });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    };
    for (const e of endpoints) for (let i = 0; i < 20; i++) await get(e.path);
    const samples = endpoints.map(() => [] as number[]);
    const readDeadline = performance.now() + SECONDS * 1000;
    // Round-robin over the endpoints, so a slow moment of the machine hits them alike.
    for (let i = 0; i < READS && performance.now() < readDeadline; i++) {
      for (const [k, e] of endpoints.entries()) {
        const t0 = performance.now();
        await get(e.path);
        samples[k]?.push(performance.now() - t0);
      }
    }
    const reads = endpoints.map((e, k) => {
      const sorted = [...(samples[k] ?? [])].sort((a, b) => a - b);
      return { name: e.name, count: sorted.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
    });
    return { dialect, builds, buildsPerSecond: builds / elapsed, webhookErrors, reads };
  } finally {
    await server.dispose();
    await rm(dataDir, { recursive: true, force: true });
    await work.remove();
  }
}

/** A throwaway PostgreSQL database next to HANGAR_TEST_PG_URL's, and how to drop it. */
async function scratchDatabase(url: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `hangar_bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop database if exists "${name}" with (force)`);
      await c.end();
    },
  };
}

function report(r: Result): void {
  console.log(`\n[${r.dialect}]`);
  console.log(
    `webhook → build created: ${r.buildsPerSecond.toFixed(1)} builds/s (${r.builds} builds, ${CONCURRENCY} in flight${r.webhookErrors ? `, ${r.webhookErrors} failed` : ''})`,
  );
  console.log(
    `${'API read (one in flight)'.padEnd(36)} ${'n'.padStart(5)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}`,
  );
  for (const x of r.reads) {
    console.log(
      `${x.name.padEnd(36)} ${String(x.count).padStart(5)} ${x.p50.toFixed(2).padStart(8)} ${x.p99.toFixed(2).padStart(8)}`,
    );
  }
}

console.log(
  `bench/api: hangar server over loopback HTTP; up to ${WEBHOOKS} webhooks (${CONCURRENCY} in flight) and ${READS} reads per endpoint, each phase at most ${SECONDS}s`,
);
report(await run('sqlite', undefined));
const pgUrl = process.env.HANGAR_TEST_PG_URL;
if (!pgUrl) {
  console.log(
    '\n[postgres] skipped: HANGAR_TEST_PG_URL is not set (export HANGAR_TEST_PG_URL="$(scripts/setup-postgres.sh)")',
  );
} else {
  const db = await scratchDatabase(pgUrl);
  try {
    report(await run('postgres', db.url));
  } finally {
    await db.drop();
  }
}
