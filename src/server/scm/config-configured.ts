// The configuration source a server's settings ask for: git for repositories on this machine, the
// SCM's API for GitHub/Gitea/GitLab repositories whose SCM has an API URL (HANGAR_*_API), with the
// repo owner's token first and then the configured one (HANGAR_*_TOKEN), as commit statuses do.
import type { ServerConfig } from '../config.js';
import { findUser } from '../store/queries/users.js';
import type { Db } from '../store/schema.js';
import type { ConfigSource } from './content.js';
import { HttpConfigSource, routedConfigSource } from './config-http.js';

/** A ConfigSource from the `status` settings' API URLs and tokens. */
export function configuredConfigSource(
  config: Pick<ServerConfig, 'status'>,
  db: Db,
  options: { fetch?: typeof fetch; timeoutMs?: number } = {},
): ConfigSource {
  const http = new HttpConfigSource({
    endpoints: { ...config.status.endpoints },
    tokens: { ...config.status.tokens },
    ownerToken: async (repo) => (repo.user_id ? ((await findUser(db, repo.user_id))?.oauth_token ?? '') : ''),
    ...options,
  });
  return routedConfigSource(http);
}
