// Organisation (namespace) membership for org secrets. Drone asks the SCM; Hangar answers from
// what it knows: a user's own namespace (their login) is theirs to administer, and a user with
// access to any repo of a namespace is a member of it. Org administration beyond one's own
// namespace is for system admins. Non-members get 403 (Drone: 401 "Forbidden").
import { forbidden, unauthorized } from '../http/api/errors.js';
import type { User } from '../store/models.js';
import type { Db } from '../store/schema.js';

/** The signed-in user if they may read (`admin` false) or change (`admin` true) org `namespace`. */
export async function authorizeOrg(
  db: Db,
  user: User | undefined,
  namespace: string,
  admin: boolean,
): Promise<User> {
  if (!user) throw unauthorized();
  if (user.admin || user.login === namespace) return user;
  if (admin) throw forbidden();
  const row = await db
    .selectFrom('repos')
    .select('repos.id')
    .where('repos.namespace', '=', namespace)
    .where((eb) =>
      eb.or([
        eb('repos.user_id', '=', user.id),
        eb.exists(
          eb
            .selectFrom('perms')
            .select('perms.repo_id')
            .whereRef('perms.repo_id', '=', 'repos.id')
            .where('perms.user_id', '=', user.id),
        ),
      ]),
    )
    .limit(1)
    .executeTakeFirst();
  if (!row) throw forbidden();
  return user;
}
