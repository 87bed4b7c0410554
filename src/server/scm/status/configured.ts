// The status service a server's settings ask for: Drone's statuses to every SCM that has an API
// URL (and a token, the repository owner's or the configured one), nothing when disabled.
import { type ServerConfig, serverLink } from '../../config.js';
import { HttpStatusService } from './http.js';
import type { StatusService } from './status.js';

/** A StatusService from the `status` settings (HANGAR_STATUS_*, HANGAR_{GITHUB,GITEA,GITLAB}_*). */
export function configuredStatusService(
  config: Pick<ServerConfig, 'status' | 'serverProto' | 'serverHost'>,
  options: { fetch?: typeof fetch; timeoutMs?: number } = {},
): StatusService {
  return new HttpStatusService({
    link: serverLink(config),
    name: config.status.name,
    disabled: config.status.disabled,
    endpoints: { ...config.status.endpoints },
    tokens: { ...config.status.tokens },
    ...options,
  });
}
