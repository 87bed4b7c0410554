// Who is calling: `Authorization: Bearer <token>` or `?access_token=<token>` (drone-reference.md
// §5.2). As in Drone, a missing or unknown token makes a guest, and each route decides whether a
// guest may proceed. A deactivated account's token no longer authenticates.
import type { FastifyRequest } from 'fastify';
import type { User } from '../store/models.js';
import { findUserByToken } from '../store/queries/users.js';
import type { Db } from '../store/schema.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated user, or undefined for a guest. */
    user: User | undefined;
  }
}

/** The raw API token a request carries, if any. */
export function requestToken(request: Pick<FastifyRequest, 'headers' | 'query'>): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const m = /^\s*(?:bearer|token)\s+(\S+)\s*$/i.exec(header);
    if (m) return m[1];
  }
  const query = request.query as Record<string, unknown> | undefined;
  const param = query?.access_token;
  if (typeof param === 'string' && param !== '') return param;
  return undefined;
}

/** The active user owning the request's token, or undefined (guest). */
export async function authenticate(
  db: Db,
  request: Pick<FastifyRequest, 'headers' | 'query'>,
): Promise<User | undefined> {
  const token = requestToken(request);
  if (token === undefined || token.length > 512) return undefined;
  const user = await findUserByToken(db, token);
  return user?.active ? user : undefined;
}
