// Organisation secrets (Drone's /api/secrets): shared by every repo of a namespace. Listing all
// namespaces is for system admins; reading a namespace needs membership, changing it org admin
// rights (auth/membership.ts). drone-node updates with POST, so POST and PATCH both update.
import { Type } from 'typebox';
import type { App, RouteContext } from '../../app.js';
import { requireAdmin } from '../../auth/access.js';
import { authorizeOrg } from '../../auth/membership.js';
import {
  createSecret,
  deleteSecret,
  findOrgSecret,
  listOrgSecrets,
  updateSecret,
} from '../../store/queries/secrets.js';
import { badRequest, conflict, notFound } from './errors.js';
import { secretJson } from './present.js';
import { applySecretUpdate, SecretCreate, SecretUpdate, validateSecret } from './secrets.js';

const NamespaceParams = Type.Object({ namespace: Type.String({ minLength: 1, maxLength: 250 }) });
const NameParams = Type.Object({
  ...NamespaceParams.properties,
  name: Type.String({ minLength: 1, maxLength: 250 }),
});

/** `/api/secrets[/{namespace}[/{name}]]`. */
export function orgSecretRoutes(app: App, ctx: RouteContext): void {
  const db = ctx.store.db;
  const seal = (plain: string) => ctx.box.seal(plain);
  const now = () => Math.floor(ctx.clock.now().getTime() / 1000);

  app.get('/api/secrets', async (request) => {
    requireAdmin(request.user);
    return (await listOrgSecrets(db)).map(secretJson);
  });

  app.get('/api/secrets/:namespace', { schema: { params: NamespaceParams } }, async (request) => {
    await authorizeOrg(db, request.user, request.params.namespace, false);
    return (await listOrgSecrets(db, request.params.namespace)).map(secretJson);
  });

  app.post(
    '/api/secrets/:namespace',
    { schema: { params: NamespaceParams, body: SecretCreate } },
    async (request) => {
      const { namespace } = request.params;
      await authorizeOrg(db, request.user, namespace, true);
      const input = request.body;
      validateSecret(input.name, input.data);
      if (await findOrgSecret(db, namespace, input.name))
        throw conflict(`secret ${input.name} already exists`);
      const secret = await createSecret(db, {
        repo_id: 0,
        namespace,
        name: input.name,
        data: seal(input.data),
        type: input.type ?? '',
        pull_request: input.pull_request ?? false,
        pull_request_push: input.pull_request_push ?? false,
      });
      return secretJson(secret);
    },
  );

  const findOr404 = async (namespace: string, name: string) => {
    const secret = await findOrgSecret(db, namespace, name);
    if (!secret) throw notFound();
    return secret;
  };

  app.get('/api/secrets/:namespace/:name', { schema: { params: NameParams } }, async (request) => {
    const { namespace, name } = request.params;
    await authorizeOrg(db, request.user, namespace, false);
    return secretJson(await findOr404(namespace, name));
  });

  const update = async (request: {
    user: Parameters<typeof authorizeOrg>[1];
    params: { namespace: string; name: string };
    body: { data?: string; pull_request?: boolean; pull_request_push?: boolean } | undefined;
  }) => {
    const { namespace, name } = request.params;
    await authorizeOrg(db, request.user, namespace, true);
    if (request.body === undefined) throw badRequest('a JSON body is required');
    const found = await findOr404(namespace, name);
    return secretJson(await updateSecret(db, applySecretUpdate(found, request.body, seal, now())));
  };
  app.post('/api/secrets/:namespace/:name', { schema: { params: NameParams, body: SecretUpdate } }, update);
  app.patch('/api/secrets/:namespace/:name', { schema: { params: NameParams, body: SecretUpdate } }, update);

  app.delete('/api/secrets/:namespace/:name', { schema: { params: NameParams } }, async (request, reply) => {
    const { namespace, name } = request.params;
    await authorizeOrg(db, request.user, namespace, true);
    await deleteSecret(db, (await findOr404(namespace, name)).id);
    reply.code(204).send();
  });
}
