// Users. API tokens are stored only as their sha256, so a leaked database holds no usable token.
import { createHash } from 'node:crypto';
import type { Insertable } from 'kysely';
import { decodeRow, encodeRow, unixNow } from '../codec.js';
import { ConflictError, uniquely } from '../errors.js';
import type { User } from '../models.js';
import { columns, type Db, type UserTable } from '../schema.js';

/** Fields of a new user: `login` is required, everything else has Drone's default. */
export type NewUser = Pick<User, 'login'> & Partial<Omit<User, 'id'>>;

const decode = (row: object): User => decodeRow(columns.users, row);
const encode = (user: Partial<User>) => encodeRow(columns.users, user) as Insertable<UserTable>;

/** The stored form of an API token (sha256, hex). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Inserts a user; DuplicateError when the login is taken. */
export async function createUser(db: Db, input: NewUser): Promise<User> {
  const now = unixNow();
  const user: Omit<User, 'id'> = {
    email: '',
    machine: false,
    admin: false,
    active: true,
    avatar: '',
    syncing: false,
    synced: 0,
    created: now,
    updated: now,
    last_login: 0,
    token_hash: '',
    oauth_token: '',
    oauth_refresh: '',
    oauth_expiry: 0,
    ...input,
  };
  const row = await uniquely('user', input.login, () =>
    db.insertInto('users').values(encode(user)).returningAll().executeTakeFirstOrThrow(),
  );
  return decode(row);
}

/** The user with this id, if any. */
export async function findUser(db: Db, id: number): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row && decode(row);
}

/** The user with this login, if any. */
export async function findUserByLogin(db: Db, login: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('login', '=', login).executeTakeFirst();
  return row && decode(row);
}

/** The user owning this (raw) API token, if any. */
export async function findUserByToken(db: Db, token: string): Promise<User | undefined> {
  if (token === '') return undefined;
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
  return row && decode(row);
}

/** All users, by login. */
export async function listUsers(db: Db): Promise<User[]> {
  const rows = await db.selectFrom('users').selectAll().orderBy('login').execute();
  return rows.map(decode);
}

/** Saves every field of `user` (users carry no version: last write wins, as in Drone). */
export async function updateUser(db: Db, user: User): Promise<User> {
  const { id, ...fields } = user;
  const row = await uniquely('user', user.login, () =>
    db.updateTable('users').set(encode(fields)).where('id', '=', id).returningAll().executeTakeFirst(),
  );
  if (!row) throw new ConflictError('user', id);
  return decode(row);
}

/** Replaces the user's API token (stores its hash); '' removes it. */
export async function setUserToken(db: Db, userId: number, token: string): Promise<void> {
  const res = await db
    .updateTable('users')
    .set({ token_hash: token === '' ? '' : hashToken(token), updated: unixNow() })
    .where('id', '=', userId)
    .executeTakeFirst();
  if (res.numUpdatedRows === 0n) throw new ConflictError('user', userId);
}

/** Replaces the user's SCM OAuth credentials only (as stored: the caller seals them). */
export async function setUserOAuth(
  db: Db,
  userId: number,
  oauth: Pick<User, 'oauth_token' | 'oauth_refresh' | 'oauth_expiry'>,
): Promise<void> {
  await db
    .updateTable('users')
    .set(encode({ ...oauth, updated: unixNow() }))
    .where('id', '=', userId)
    .execute();
}

/** Deletes a user (their perms go with them). */
export async function deleteUser(db: Db, id: number): Promise<void> {
  await db.deleteFrom('users').where('id', '=', id).execute();
}
