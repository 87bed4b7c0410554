// The first administrator. With HANGAR_ADMIN_TOKEN, the user holding that token (or else the user
// `admin`, created when missing) is made an active admin with that token, on every start. Without
// it, a database that has no admin yet gets one: `admin` with a random token that is handed back
// once, to be printed; only its hash is stored. Several replicas starting at once are safe: logins
// are unique, so one of them creates the user and the others find it.
import { DuplicateError } from '../store/errors.js';
import type { User } from '../store/models.js';
import {
  createUser,
  findUserByLogin,
  findUserByToken,
  hashToken,
  updateUser,
} from '../store/queries/users.js';
import type { Db } from '../store/schema.js';
import { newToken } from './tokens.js';

/** Login of the bootstrap administrator. */
export const BOOTSTRAP_LOGIN = 'admin';

/** What bootstrapping did: `token` is set only when a new token was generated (show it once). */
export interface BootstrapResult {
  user: User | undefined;
  token?: string;
}

/** Makes sure an administrator exists (see the module comment). */
export async function bootstrapAdmin(db: Db, adminToken: string): Promise<BootstrapResult> {
  if (adminToken !== '') {
    const holder = await findUserByToken(db, adminToken);
    if (holder) {
      if (holder.admin && holder.active) return { user: holder };
      return { user: await updateUser(db, { ...holder, admin: true, active: true }) };
    }
    return { user: await grantAdmin(db, hashToken(adminToken)) };
  }
  const anyAdmin = await db
    .selectFrom('users')
    .select('id')
    .where('admin', '=', 1)
    .where('active', '=', 1)
    .limit(1)
    .executeTakeFirst();
  if (anyAdmin) return { user: undefined };
  const token = newToken();
  try {
    return {
      user: await createUser(db, { login: BOOTSTRAP_LOGIN, admin: true, token_hash: hashToken(token) }),
      token,
    };
  } catch (err) {
    if (!(err instanceof DuplicateError)) throw err;
  }
  // `admin` exists: made by another replica starting at the same moment (it shows the token), or
  // an ordinary user of that name while no admin exists, who is promoted with a fresh token.
  const existing = await findUserByLogin(db, BOOTSTRAP_LOGIN);
  if (existing?.admin && existing.active) return { user: existing };
  return { user: await grantAdmin(db, hashToken(token)), token };
}

/** Creates `admin` with this token hash, or makes the existing `admin` an active admin holding it. */
async function grantAdmin(db: Db, tokenHash: string): Promise<User> {
  for (let attempt = 0; ; attempt++) {
    const existing = await findUserByLogin(db, BOOTSTRAP_LOGIN);
    if (existing) return updateUser(db, { ...existing, admin: true, active: true, token_hash: tokenHash });
    try {
      return await createUser(db, { login: BOOTSTRAP_LOGIN, admin: true, token_hash: tokenHash });
    } catch (err) {
      // Another replica created it between our look-up and insert: update theirs instead.
      if (!(err instanceof DuplicateError) || attempt > 2) throw err;
    }
  }
}
