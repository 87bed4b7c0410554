// Per-repo cryptography for pipeline files (write access): `POST /sign` answers the HMAC that a
// `kind: signature` document carries (Drone's signer.Sign), and `POST /encrypt` (or
// `/encrypt/secret`) the `data` of a `kind: secret` document. Both use the repo's own key.
import { Type } from 'typebox';
import type { App, RouteContext } from '../../app.js';
import { authorizeRepo } from '../../auth/access.js';
import { encryptForRepo, RepoKeyError } from '../../secrets/repo-cipher.js';
import { SignatureKeyError, signConfig } from '../../../spec/signature.js';
import { badRequest } from './errors.js';
import { RepoParams } from './params.js';

const Data = Type.Object({ data: Type.String({ maxLength: 512 * 1024 }) });

/** `/api/repos/{owner}/{name}/sign`, `…/encrypt`, `…/encrypt/secret`. */
export function signRoutes(app: App, ctx: RouteContext): void {
  const db = ctx.store.db;

  app.post(
    '/api/repos/:owner/:name/sign',
    { schema: { params: RepoParams, body: Data } },
    async (request) => {
      const { repo } = await authorizeRepo(
        db,
        request.user,
        request.params.owner,
        request.params.name,
        'write',
      );
      try {
        return { data: signConfig(request.body.data, repo.secret) };
      } catch (err) {
        if (err instanceof SignatureKeyError)
          throw badRequest('the repository has no signing key; enable it first');
        throw err;
      }
    },
  );

  const encrypt = async (request: {
    user: Parameters<typeof authorizeRepo>[1];
    params: { owner: string; name: string };
    body: { data: string };
  }) => {
    const { repo } = await authorizeRepo(
      db,
      request.user,
      request.params.owner,
      request.params.name,
      'write',
    );
    try {
      return { data: encryptForRepo(repo.secret, request.body.data) };
    } catch (err) {
      if (err instanceof RepoKeyError) throw badRequest(err.message);
      throw err;
    }
  };
  app.post('/api/repos/:owner/:name/encrypt', { schema: { params: RepoParams, body: Data } }, encrypt);
  app.post('/api/repos/:owner/:name/encrypt/secret', { schema: { params: RepoParams, body: Data } }, encrypt);
}
