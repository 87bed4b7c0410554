// The configuration, commit and change sources a server's settings ask for: git for repositories on this machine, the
// SCM's API for GitHub/Gitea/GitLab repositories whose SCM has an API URL (HANGAR_*_API), with the
// repo owner's token first and then the configured one (HANGAR_*_TOKEN), as commit statuses do.
import type { ServerConfig } from '../config.js';
import type { User } from '../store/models.js';
import { findUser } from '../store/queries/users.js';
import type { Db } from '../store/schema.js';
import { HttpChangeSource, routedChangeSource } from './changes-http.js';
import { HttpCommitSource, routedCommitSource } from './commits-http.js';
import type { ChangeSource, CommitSource, ConfigSource } from './content.js';
import { type HttpConfigOptions, HttpConfigSource, routedConfigSource } from './config-http.js';

/**
 * `openToken` turns a stored SCM token into the token (they are sealed at rest: auth/oauth-token.ts);
 * `freshOwner`, when given, instead gives the owner with their token opened and renewed when due.
 */
type Extra = {
  fetch?: typeof fetch;
  timeoutMs?: number;
  openToken?: (stored: string) => string;
  freshOwner?: (owner: User) => Promise<User>;
};

function apiOptions(config: Pick<ServerConfig, 'status'>, db: Db, extra: Extra): HttpConfigOptions {
  const { openToken = (t: string) => t, freshOwner, ...options } = extra;
  return {
    endpoints: { ...config.status.endpoints },
    tokens: { ...config.status.tokens },
    ownerToken: async (repo) => {
      const owner = repo.user_id ? await findUser(db, repo.user_id) : undefined;
      if (!owner) return '';
      return freshOwner ? (await freshOwner(owner)).oauth_token : openToken(owner.oauth_token);
    },
    ...options,
  };
}

/** A ConfigSource from the `status` settings' API URLs and tokens. */
export function configuredConfigSource(
  config: Pick<ServerConfig, 'status'>,
  db: Db,
  options: Extra = {},
): ConfigSource {
  return routedConfigSource(new HttpConfigSource(apiOptions(config, db, options)));
}

/** A CommitSource from the same settings: local repos with git, hosted ones through their SCM's API. */
export function configuredCommitSource(
  config: Pick<ServerConfig, 'status'>,
  db: Db,
  options: Extra = {},
): CommitSource {
  return routedCommitSource(new HttpCommitSource(apiOptions(config, db, options)));
}

/** A ChangeSource from the same settings: the compare API for hosted repos, git for local ones. */
export function configuredChangeSource(
  config: Pick<ServerConfig, 'status'>,
  db: Db,
  options: Extra = {},
): ChangeSource {
  return routedChangeSource(new HttpChangeSource(apiOptions(config, db, options)));
}
