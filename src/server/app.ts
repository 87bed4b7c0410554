// The HTTP application of `hangar server`: a fastify instance built from injected dependencies, with
// no listen (tests call `app.inject`). Cross-cutting rules live here: who is calling (auth hook),
// how bodies are parsed (JSON, and form-urlencoded as Drone clients send), how errors look
// (`{"message": "…"}`, a 4xx for every user mistake, a bare 500 for bugs), request logs with
// secrets redacted, and metrics. Routes live in one module per resource and are listed in `routes`.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { type TypeBoxTypeProvider, TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { type Logger, type LoggerOptions, pino } from 'pino';
import { Counter, Histogram, Registry } from 'prom-client';
import { installAuth } from './auth/session.js';
import type { ServerConfig } from './config.js';
import { badgeRoutes } from './http/api/badges.js';
import { buildRoutes } from './http/api/builds.js';
import { buildActionRoutes } from './http/api/builds-actions.js';
import { latestBuildRoutes } from './http/api/builds-latest.js';
import { collaboratorRoutes } from './http/api/collaborators.js';
import { cronRoutes } from './http/api/crons.js';
import { describeError } from './http/api/errors.js';
import { healthRoutes } from './http/api/health.js';
import { logRoutes } from './http/api/logs.js';
import { orgSecretRoutes } from './http/api/org-secrets.js';
import { queueApiRoutes } from './http/api/queue.js';
import { repoRoutes } from './http/api/repos.js';
import { runnerRoutes } from './http/api/runners.js';
import { secretRoutes } from './http/api/secrets.js';
import { signRoutes } from './http/api/sign.js';
import { statsRoutes } from './http/api/stats.js';
import { userRoutes } from './http/api/user.js';
import { usersRoutes } from './http/api/users.js';
import { hookRoutes } from './http/hooks/hooks.js';
import { rpcRoutes } from './http/rpc/routes.js';
import { streamRoutes } from './http/api/stream.js';
import { queueRoutes } from './scheduler/routes.js';
import { loginRoutes } from './http/login.js';
import { webRoutes } from './http/web.js';
import { webhookSecretRoutes } from './http/api/webhook-secret.js';
import type { SecretBox } from './secrets/box.js';
import type { Store } from './store/db.js';
import type { Repo, User } from './store/models.js';

/** The fastify instance type every route module receives (TypeBox schemas type the handlers). */
export type App = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** Where the time comes from (tests pass a fixed one). */
export interface Clock {
  now(): Date;
}

/** The real clock. */
export const systemClock: Clock = { now: () => new Date() };

/** Everything the application needs from outside; nothing is a module-level singleton. */
export interface AppDeps {
  store: Store;
  config: ServerConfig;
  logger: Logger;
  clock: Clock;
  /** Encrypts secret values at rest. */
  box: SecretBox;
  /** Hangar's version, for `/version`. */
  version: string;
  /** The SCM side of enabling/disabling a repo (webhook registration), once wired in. */
  repoHooks?: RepoHooks;
}

/** What the repo routes ask of the SCM layer (src/server/scm) when a repo is enabled, repaired or disabled. */
export interface RepoHooks {
  /** Creates or updates the repo's webhook at its SCM (enable, repair). `user` is the repo's owner. */
  activate(repo: Repo, user: User): Promise<void>;
  /** Removes the repo's webhook (disable). */
  deactivate(repo: Repo, user: User): Promise<void>;
}

/** What a route module gets: the dependencies plus the app's metrics registry. */
export interface RouteContext extends AppDeps {
  metrics: Registry;
}

/** A route module: registers its routes (full paths, e.g. `/api/user`) on its own scope. */
export type RoutePlugin = (app: App, ctx: RouteContext) => Promise<void> | void;

/**
 * Every route module of the server, in registration order. Each is registered in its own fastify
 * scope, so a module may add its own content-type parser (a webhook route reading the raw body) or
 * hooks without affecting the others. Webhooks (`http/hooks/`), builds, logs and streams
 * (`http/api/builds*.ts`, `logs.ts`, `stream.ts`) and the runner RPC (`http/rpc/`) go here too.
 */
export const routes: readonly RoutePlugin[] = [
  healthRoutes,
  userRoutes,
  usersRoutes,
  repoRoutes,
  secretRoutes,
  orgSecretRoutes,
  signRoutes,
  cronRoutes,
  collaboratorRoutes,
  hookRoutes,
  buildRoutes,
  buildActionRoutes,
  logRoutes,
  rpcRoutes,
  streamRoutes,
  queueRoutes,
  queueApiRoutes,
  runnerRoutes,
  badgeRoutes,
  statsRoutes,
  latestBuildRoutes,
  webhookSecretRoutes,
  loginRoutes,
  // Last: the web UI answers GET paths no other module owns.
  webRoutes,
];

/** Options of createApp. */
export interface AppOptions {
  /** Route modules to register after `routes` (e.g. ones a test or another component adds). */
  extraRoutes?: readonly RoutePlugin[];
  /** Request body limit in bytes (default 1 MiB). */
  bodyLimit?: number;
}

/** Pino options of the server: secrets and tokens are redacted wherever they appear in a log object. */
export function loggerOptions(level = 'info'): LoggerOptions {
  const keys = [
    'token',
    'password',
    'data',
    'secret',
    'signer',
    'token_hash',
    'oauth_token',
    'oauth_refresh',
  ];
  const paths = [
    'authorization',
    'headers.authorization',
    'req.headers.authorization',
    'headers["x-drone-token"]',
    'req.headers["x-drone-token"]',
    ...keys,
    ...keys.map((k) => `*.${k}`),
    ...keys.map((k) => `*.*.${k}`),
  ];
  return { level, redact: { paths, censor: '******' } };
}

/** The server's logger (JSON lines on stdout, or a given stream). */
export function createLogger(level = 'info', destination?: NodeJS.WritableStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}

/** A URL with any `access_token` (or OAuth `code`/`state`) query value masked, for logs. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:access_token|code|state)=)[^&#]*/gi, '$1******');
}

/** Builds the application (not listening). */
export function createApp(deps: AppDeps, options: AppOptions = {}): App {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // One line per request, written below with the access token masked.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    return503OnClosing: true,
    // One clear line: the deepest failing field (`body/email must be string`), not every branch
    // of an optional-body union.
    schemaErrorFormatter: (errors, dataVar) => {
      const best = [...errors].sort(
        (a, b) => (b.instancePath?.length ?? 0) - (a.instancePath?.length ?? 0),
      )[0];
      return new Error(
        best
          ? `${dataVar}${best.instancePath ?? ''} ${best.message ?? 'is invalid'}`
          : `${dataVar} is invalid`,
      );
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as App;

  // Bodies are checked exactly (no type coercion); query strings and params are converted.
  app.setValidatorCompiler(TypeBoxValidatorCompiler);

  installBodyParsers(app);

  const metrics = new Registry();
  const requests = new Counter({
    name: 'hangar_http_requests_total',
    help: 'HTTP requests answered, by method, route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [metrics],
  });
  const durations = new Histogram({
    name: 'hangar_http_request_duration_seconds',
    help: 'HTTP request duration, by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [metrics],
  });

  installAuth(app, deps);
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the raw URL: label values must stay few.
    const route = request.routeOptions.url ?? 'unmatched';
    const status = String(reply.statusCode);
    requests.inc({ method: request.method, route, status });
    durations.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    // Probes, scrapes, runner polls and log batches come every few seconds per client (thousands of
    // lines a minute with many runners); keep them out of the info log.
    const quiet = route === '/healthz' || route === '/metrics' || route.startsWith('/rpc/');
    request.log[quiet ? 'debug' : 'info'](
      {
        method: request.method,
        url: redactUrl(request.url),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
        user: request.user?.login,
      },
      'request',
    );
  });

  app.setErrorHandler((err, request, reply) => {
    const known = describeError(err);
    if (known) {
      reply.code(known.statusCode).send({ message: known.message });
      return;
    }
    request.log.error({ err }, 'request failed');
    reply.code(500).send({ message: 'Internal Server Error' });
  });
  app.setNotFoundHandler((_request, reply) => {
    reply.code(404).send({ message: 'Not Found' });
  });

  const ctx: RouteContext = { ...deps, metrics };
  for (const plugin of [...routes, ...(options.extraRoutes ?? [])]) {
    app.register(async (scope) => {
      await plugin(scope as App, ctx);
    });
  }
  return app;
}

// JSON with an empty body accepted as "no body" (drone-node posts some actions with none), and
// form-urlencoded, which Drone clients use for build actions (Drone reads them with FormValue).
// A form-typed body that is really JSON (`curl -d '{…}'`) is read as JSON, as Drone's handlers
// decode the body whatever its content type.
function installBodyParsers(app: App): void {
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    json(request, text, done);
  });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      const trimmed = text.trim();
      if (trimmed === '') {
        done(null, undefined);
        return;
      }
      if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
        json(request, trimmed, done);
        return;
      }
      const out: Record<string, string> = Object.create(null);
      for (const [k, v] of new URLSearchParams(text)) if (!(k in out)) out[k] = v;
      done(null, { ...out });
    },
  );
}
