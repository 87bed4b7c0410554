// Repository secrets (Drone's /api/repos/{owner}/{name}/secrets; write access). Values are sealed
// with the server's key before they reach the store and are never part of an answer or a log.
import { Type } from 'typebox';
import type { App, RouteContext } from '../../app.js';
import { authorizeRepo } from '../../auth/access.js';
import type { Secret } from '../../store/models.js';
import {
  createSecret,
  deleteSecret,
  findRepoSecret,
  listRepoSecrets,
  updateSecret,
} from '../../store/queries/secrets.js';
import { badRequest, conflict, notFound } from './errors.js';
import { RepoParams, SECRET_NAME } from './params.js';
import { secretJson } from './present.js';

/** Largest secret value accepted (bytes of UTF-8). */
export const MAX_SECRET_BYTES = 64 * 1024;

/** Body of a secret create (repo or org). */
export const SecretCreate = Type.Object({
  name: Type.String(),
  data: Type.String(),
  type: Type.Optional(Type.String({ maxLength: 50 })),
  pull_request: Type.Optional(Type.Boolean()),
  pull_request_push: Type.Optional(Type.Boolean()),
});

/** Body of a secret update (repo or org); every field optional. */
export const SecretUpdate = Type.Object({
  data: Type.Optional(Type.String()),
  pull_request: Type.Optional(Type.Boolean()),
  pull_request_push: Type.Optional(Type.Boolean()),
});

const SecretParams = Type.Object({
  ...RepoParams.properties,
  secret: Type.String({ minLength: 1, maxLength: 250 }),
});

/** Drone's core.Secret.Validate, with its messages. */
export function validateSecret(name: string, data: string): void {
  if (name.length === 0 || name.length > 250 || !SECRET_NAME.test(name))
    throw badRequest('Invalid Secret Name');
  if (data.length === 0) throw badRequest('Invalid Secret Value');
  if (Buffer.byteLength(data, 'utf8') > MAX_SECRET_BYTES) {
    throw badRequest(`Invalid Secret Value: longer than ${MAX_SECRET_BYTES} bytes`);
  }
}

/** Applies an update body to a stored secret (sealing a new value). */
export function applySecretUpdate(
  secret: Secret,
  input: { data?: string; pull_request?: boolean; pull_request_push?: boolean },
  seal: (plain: string) => Buffer,
  updated: number,
): Secret {
  if (input.data !== undefined) validateSecret(secret.name, input.data);
  return {
    ...secret,
    ...(input.data !== undefined ? { data: seal(input.data) } : {}),
    ...(input.pull_request !== undefined ? { pull_request: input.pull_request } : {}),
    ...(input.pull_request_push !== undefined ? { pull_request_push: input.pull_request_push } : {}),
    updated,
  };
}

/** `/api/repos/{owner}/{name}/secrets[/{secret}]`. */
export function secretRoutes(app: App, ctx: RouteContext): void {
  const db = ctx.store.db;
  const seal = (plain: string) => ctx.box.seal(plain);
  const now = () => Math.floor(ctx.clock.now().getTime() / 1000);

  app.get('/api/repos/:owner/:name/secrets', { schema: { params: RepoParams } }, async (request) => {
    const { repo } = await authorizeRepo(
      db,
      request.user,
      request.params.owner,
      request.params.name,
      'write',
    );
    return (await listRepoSecrets(db, repo.id)).map(secretJson);
  });

  app.post(
    '/api/repos/:owner/:name/secrets',
    { schema: { params: RepoParams, body: SecretCreate } },
    async (request) => {
      const { owner, name } = request.params;
      const { repo } = await authorizeRepo(db, request.user, owner, name, 'write');
      const input = request.body;
      validateSecret(input.name, input.data);
      if (await findRepoSecret(db, repo.id, input.name))
        throw conflict(`secret ${input.name} already exists`);
      const secret = await createSecret(db, {
        repo_id: repo.id,
        namespace: repo.namespace,
        name: input.name,
        data: seal(input.data),
        type: input.type ?? '',
        pull_request: input.pull_request ?? false,
        pull_request_push: input.pull_request_push ?? false,
      });
      return secretJson(secret);
    },
  );

  const findOr404 = async (repoId: number, name: string) => {
    const secret = await findRepoSecret(db, repoId, name);
    if (!secret) throw notFound();
    return secret;
  };

  app.get(
    '/api/repos/:owner/:name/secrets/:secret',
    { schema: { params: SecretParams } },
    async (request) => {
      const { owner, name, secret } = request.params;
      const { repo } = await authorizeRepo(db, request.user, owner, name, 'write');
      return secretJson(await findOr404(repo.id, secret));
    },
  );

  app.patch(
    '/api/repos/:owner/:name/secrets/:secret',
    { schema: { params: SecretParams, body: SecretUpdate } },
    async (request) => {
      const { owner, name, secret } = request.params;
      const { repo } = await authorizeRepo(db, request.user, owner, name, 'write');
      const found = await findOr404(repo.id, secret);
      return secretJson(await updateSecret(db, applySecretUpdate(found, request.body, seal, now())));
    },
  );

  app.delete(
    '/api/repos/:owner/:name/secrets/:secret',
    { schema: { params: SecretParams } },
    async (request, reply) => {
      const { owner, name, secret } = request.params;
      const { repo } = await authorizeRepo(db, request.user, owner, name, 'write');
      await deleteSecret(db, (await findOr404(repo.id, secret)).id);
      reply.code(204).send();
    },
  );
}
