// Repo secrets and organisation (namespace) secrets (drone-reference.md §5.7). The value is stored
// as the encrypted bytes the secrets service hands in; this module never sees plain text.
import type { Insertable } from 'kysely';
import { decodeRow, encodeRow, unixNow } from '../codec.js';
import { ConflictError, uniquely } from '../errors.js';
import type { Secret } from '../models.js';
import { columns, type Db, type SecretTable } from '../schema.js';

/** Fields of a new secret: `repo_id` 0 makes an org secret of `namespace`. */
export type NewSecret = Pick<Secret, 'repo_id' | 'namespace' | 'name' | 'data'> & Partial<Omit<Secret, 'id'>>;

// On disk an org secret has repo_id NULL (so a foreign key can guard repo secrets); in the model
// it is 0, as in Drone's JSON.
const decode = (row: object): Secret => {
  const secret = decodeRow<Secret>(columns.secrets, row);
  return { ...secret, repo_id: secret.repo_id ?? 0 };
};
const encode = (secret: Partial<Secret>): Insertable<SecretTable> => {
  const row = encodeRow(columns.secrets, secret) as Insertable<SecretTable>;
  if ('repo_id' in secret) row.repo_id = secret.repo_id ? secret.repo_id : null;
  return row;
};

/** Inserts a secret; DuplicateError when the repo (or org) already has one of that name. */
export async function createSecret(db: Db, input: NewSecret): Promise<Secret> {
  const now = unixNow();
  const secret: Omit<Secret, 'id'> = {
    type: '',
    pull_request: false,
    pull_request_push: false,
    created: now,
    updated: now,
    ...input,
  };
  const row = await uniquely('secret', input.name, () =>
    db.insertInto('secrets').values(encode(secret)).returningAll().executeTakeFirstOrThrow(),
  );
  return decode(row);
}

/** The secret with this id, if any. */
export async function findSecret(db: Db, id: number): Promise<Secret | undefined> {
  const row = await db.selectFrom('secrets').selectAll().where('id', '=', id).executeTakeFirst();
  return row && decode(row);
}

/** A repo secret by name, if any. */
export async function findRepoSecret(db: Db, repoId: number, name: string): Promise<Secret | undefined> {
  const row = await db
    .selectFrom('secrets')
    .selectAll()
    .where('repo_id', '=', repoId)
    .where('name', '=', name)
    .executeTakeFirst();
  return row && decode(row);
}

/** An org secret by namespace and name, if any. */
export async function findOrgSecret(db: Db, namespace: string, name: string): Promise<Secret | undefined> {
  const row = await db
    .selectFrom('secrets')
    .selectAll()
    .where('repo_id', 'is', null)
    .where('namespace', '=', namespace)
    .where('name', '=', name)
    .executeTakeFirst();
  return row && decode(row);
}

/** A repo's secrets, by name. */
export async function listRepoSecrets(db: Db, repoId: number): Promise<Secret[]> {
  const rows = await db
    .selectFrom('secrets')
    .selectAll()
    .where('repo_id', '=', repoId)
    .orderBy('name')
    .execute();
  return rows.map(decode);
}

/** The org secrets of one namespace, or of every namespace when it is omitted; by namespace and name. */
export async function listOrgSecrets(db: Db, namespace?: string): Promise<Secret[]> {
  let q = db.selectFrom('secrets').selectAll().where('repo_id', 'is', null);
  if (namespace !== undefined) q = q.where('namespace', '=', namespace);
  const rows = await q.orderBy('namespace').orderBy('name').execute();
  return rows.map(decode);
}

/**
 * The secrets a build of `repoId` (in `namespace`) may use: its repo secrets, then the org secrets
 * of its namespace. Filtering for pull requests is the caller's (it depends on the build event).
 */
export async function listSecretsForRepo(db: Db, repoId: number, namespace: string): Promise<Secret[]> {
  return [...(await listRepoSecrets(db, repoId)), ...(await listOrgSecrets(db, namespace))];
}

/** Saves every field of `secret`; ConflictError when it no longer exists. */
export async function updateSecret(db: Db, secret: Secret): Promise<Secret> {
  const { id, ...fields } = secret;
  const row = await uniquely('secret', secret.name, () =>
    db.updateTable('secrets').set(encode(fields)).where('id', '=', id).returningAll().executeTakeFirst(),
  );
  if (!row) throw new ConflictError('secret', id);
  return decode(row);
}

/** Deletes a secret. */
export async function deleteSecret(db: Db, id: number): Promise<void> {
  await db.deleteFrom('secrets').where('id', '=', id).execute();
}
