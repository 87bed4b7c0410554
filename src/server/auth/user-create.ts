// HANGAR_USER_CREATE (Drone's DRONE_USER_CREATE): one account made at every start when missing, or
// brought to the given admin/machine flags (and token, when one is given) when it exists — the
// usual way to name the administrator of a server whose users sign in with the SCM: they sign in
// as that login and are matched to this account.
import type { UserCreate } from '../config.js';
import { DuplicateError } from '../store/errors.js';
import type { User } from '../store/models.js';
import { createUser, findUserByLogin, hashToken, updateUser } from '../store/queries/users.js';
import type { Db } from '../store/schema.js';

/** Makes or updates the HANGAR_USER_CREATE account; answers it and whether it was created. */
export async function applyUserCreate(db: Db, spec: UserCreate): Promise<{ user: User; created: boolean }> {
  const fields = {
    admin: spec.admin,
    machine: spec.machine,
    active: true,
    ...(spec.token !== '' ? { token_hash: hashToken(spec.token) } : {}),
  };
  const existing = await findUserByLogin(db, spec.login);
  if (!existing) {
    try {
      return { user: await createUser(db, { login: spec.login, ...fields }), created: true };
    } catch (err) {
      // Another replica starting at the same moment made it.
      if (!(err instanceof DuplicateError)) throw err;
    }
  }
  const current = existing ?? (await findUserByLogin(db, spec.login));
  if (!current) throw new Error(`user ${spec.login} vanished while being created`);
  const same =
    current.admin === fields.admin &&
    current.machine === fields.machine &&
    current.active &&
    (fields.token_hash === undefined || current.token_hash === fields.token_hash);
  if (same) return { user: current, created: false };
  return { user: await updateUser(db, { ...current, ...fields }), created: false };
}
