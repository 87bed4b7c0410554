// `hangar server`: reads the settings, opens (and migrates) the store, makes sure an admin exists,
// and serves the API until SIGTERM/SIGINT, then stops accepting, finishes the requests in flight
// and closes the store. Human messages go to stderr; stdout carries the JSON log.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Command } from 'commander';
import { createApp, createLogger, systemClock } from '../../server/app.js';
import { bootstrapAdmin } from '../../server/auth/bootstrap.js';
import { applyUserCreate } from '../../server/auth/user-create.js';
import { ConfigError, type ConfigFlags, readServerConfig } from '../../server/config.js';
import { cronTickerPlugin } from '../../server/cron/plugin.js';
import { configuredStatusService } from '../../server/scm/status/configured.js';
import { createSecretBox } from '../../server/secrets/box.js';
import { COOKIE_KEY_FILE } from '../../server/auth/cookie.js';
import { KEY_FILE, loadSecretKey } from '../../server/secrets/keyfile.js';
import { openStore, StoreConfigError } from '../../server/store/db.js';
import { UsageError } from '../errors.js';
import { embeddedRunnerSettings, embeddedRunnerWanted, startEmbeddedRunner } from './runner.js';

/** Hangar's version from package.json (the same file from src/ and dist/). */
function hangarVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

const say = (line: string) => process.stderr.write(`hangar: ${line}\n`);

/** Registers `hangar server`. */
export function registerServer(program: Command): void {
  program
    .command('server')
    .description('run the Hangar server: REST API, webhooks and the runner RPC')
    .option('--addr <host:port>', 'listen address (HANGAR_ADDR; default 127.0.0.1:8080)')
    .option('--data <dir>', 'data directory (HANGAR_DATA; default ./hangar-data)')
    .option('--database <url>', 'database URL, sqlite:PATH or postgres://… (HANGAR_DATABASE_URL)')
    .option('--no-runner', 'no embedded Docker runner (HANGAR_EMBEDDED_RUNNER=false)')
    .action(async (flags: ConfigFlags & { runner?: boolean }) => {
      await runServer(flags);
    });
}

async function runServer(flags: ConfigFlags & { runner?: boolean }): Promise<void> {
  let config: ReturnType<typeof readServerConfig>;
  try {
    config = readServerConfig(process.env, flags);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  const embedded = embeddedRunnerWanted(process.env, flags.runner)
    ? await embeddedRunnerSettings(process.env)
    : undefined;
  // The embedded runner uses the RPC like any runner: without a configured secret it gets its own.
  if (embedded && config.rpcSecret === '') config = { ...config, rpcSecret: randomBytes(24).toString('hex') };
  try {
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new UsageError(`cannot create the data directory ${config.dataDir}: ${(err as Error).message}`);
  }
  let key: Awaited<ReturnType<typeof loadSecretKey>>;
  try {
    key = await loadSecretKey(config.dataDir, config.secretKey);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  if (key.created)
    say(
      `generated a secret key in ${config.dataDir}/${KEY_FILE} (keep it: secrets cannot be read without it)`,
    );
  // Session cookies are signed with HANGAR_COOKIE_SECRET, else a key kept beside the secret key.
  try {
    const cookieKey = await loadSecretKey(config.dataDir, config.login.cookieSecret, COOKIE_KEY_FILE);
    config = { ...config, login: { ...config.login, cookieSecret: cookieKey.key } };
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }

  let store: Awaited<ReturnType<typeof openStore>>;
  try {
    store = await openStore(config.databaseUrl);
  } catch (err) {
    if (err instanceof StoreConfigError) throw new UsageError(err.message);
    throw err;
  }

  const logger = createLogger(config.logLevel);
  // Before the bootstrap admin: an admin named here makes the generated `admin` unnecessary.
  if (config.userCreate) {
    const made = await applyUserCreate(store.db, config.userCreate);
    if (made.created) say(`created the user "${made.user.login}" (HANGAR_USER_CREATE)`);
  }
  const boot = await bootstrapAdmin(store.db, config.adminToken);
  if (boot.token && boot.user) {
    say(
      `created the administrator "${boot.user.login}"; its API token (shown only this once): ${boot.token}`,
    );
  }

  const app = createApp(
    {
      store,
      config,
      logger,
      clock: systemClock,
      box: createSecretBox(key.key),
      version: hangarVersion(),
      scm: { status: configuredStatusService(config) },
      approveForks: config.forkApproval,
    },
    { extraRoutes: [cronTickerPlugin] },
  );

  let runner: Awaited<ReturnType<typeof startEmbeddedRunner>> | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      say(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    say(`${signal}: finishing requests in flight, then stopping`);
    try {
      // Its stages finish (or are cancelled after the grace period) and report before the server goes.
      await runner?.shutdown(embedded?.graceMs ?? 0);
      await app.close();
      await store.close();
    } finally {
      logger.flush();
      process.exitCode = process.exitCode ?? 0;
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await store.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new UsageError(`cannot listen on ${config.host}:${config.port}: ${code}`);
    }
    throw err;
  }
  const address = app.server.address();
  const where =
    typeof address === 'object' && address
      ? `${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
      : `${config.host}:${config.port}`;
  say(`listening on http://${where} (database ${store.location})`);
  if (embedded && !stopping) {
    const log = logger.child({ component: 'runner' });
    runner = await startEmbeddedRunner(embedded, { listening: address, secret: config.rpcSecret, log });
    if (stopping) runner.abort();
    say(`embedded runner "${embedded.name}" on the local Docker engine (capacity ${embedded.capacity})`);
  }
}
