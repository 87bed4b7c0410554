// Authorization, as Drone's acl package decides it (handler/api/acl): one helper per kind of route.
// Repo access levels are cumulative (admin ⊃ write ⊃ read). System admins may do anything. The
// repo's owner (repos.user_id) is an admin of it; everyone else needs a perms row. Public repos
// are readable by anyone, guests included; internal repos by any signed-in user. A signed-in user
// without the needed access gets 404, not 403, so private repos do not reveal that they exist.
import type { Perm, Repo, User } from '../store/models.js';
import { findPerm } from '../store/queries/perms.js';
import { findRepoBySlug } from '../store/queries/repos.js';
import type { Db } from '../store/schema.js';
import { forbidden, notFound, unauthorized } from '../http/api/errors.js';

/** What a repo route needs. */
export type AccessLevel = 'read' | 'write' | 'admin';

/** The repo a route acts on, with the caller's effective permissions on it. */
export interface RepoAccess {
  repo: Repo;
  /** Effective permissions (system admins and owners get all three). */
  perm: Pick<Perm, 'read' | 'write' | 'admin'>;
}

/** The signed-in user; 401 for a guest. */
export function requireUser(user: User | undefined): User {
  if (!user) throw unauthorized();
  return user;
}

/** The signed-in system admin; 401 for a guest, 403 for anyone else. */
export function requireAdmin(user: User | undefined): User {
  if (!user) throw unauthorized();
  if (!user.admin) throw forbidden();
  return user;
}

const full = { read: true, write: true, admin: true };

/** The caller's effective permissions on `repo` (none for a guest). */
export async function effectivePerm(
  db: Db,
  user: User | undefined,
  repo: Repo,
): Promise<Pick<Perm, 'read' | 'write' | 'admin'>> {
  if (!user) return { read: repo.visibility === 'public', write: false, admin: false };
  if (user.admin || repo.user_id === user.id) return full;
  const perm = await findPerm(db, user.id, repo.id);
  // Holding write or admin implies read, whatever the row says.
  const read = repo.visibility !== 'private' || !!perm?.read || !!perm?.write || !!perm?.admin;
  return { read, write: !!perm?.write || !!perm?.admin, admin: !!perm?.admin };
}

/**
 * Loads repo `owner/name` and checks the caller may act on it at `level`. Unknown repo: 404 for a
 * signed-in user, 401 for a guest. Guests get 401 for anything but reading a public repo.
 */
export async function authorizeRepo(
  db: Db,
  user: User | undefined,
  owner: string,
  name: string,
  level: AccessLevel,
): Promise<RepoAccess> {
  const repo = await findRepoBySlug(db, `${owner}/${name}`);
  if (!repo) throw user ? notFound() : unauthorized();
  const perm = await effectivePerm(db, user, repo);
  if (!allows(perm, level)) throw user ? notFound() : unauthorized();
  return { repo, perm };
}

/** True when `perm` is enough for `level`. */
export function allows(perm: Pick<Perm, 'read' | 'write' | 'admin'>, level: AccessLevel): boolean {
  if (level === 'admin') return perm.admin;
  if (level === 'write') return perm.write;
  return perm.read;
}
