// The initial schema: Drone's tables and columns (drone-reference.md §5.1, §2.2) without Drone's
// per-table column prefixes, plus Hangar's additions: stage leases (runner liveness), live log lines
// in the database (so any replica can serve a stream from any position), runners and settings.
// Append-only: never edit a released migration, add 0002_… instead.
import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from '../db.js';
import { bytesType, idColumn, int, text } from './columns.js';

/** Migration 0001 for one dialect. */
export function init(dialect: DialectName): Migration {
  return {
    up: (db: Kysely<unknown>) => up(db, dialect),
  };
}

async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const id = idColumn(dialect);
  const bytes = bytesType(dialect);
  const time = int();
  const schema = db.schema;

  await schema
    .createTable('users')
    .ifNotExists()
    .addColumn('id', 'integer', id)
    .addColumn('login', 'text', (c) => c.notNull())
    .addColumn('email', 'text', text())
    .addColumn('machine', 'integer', int())
    .addColumn('admin', 'integer', int())
    .addColumn('active', 'integer', int(1))
    .addColumn('avatar', 'text', text())
    .addColumn('syncing', 'integer', int())
    .addColumn('synced', 'bigint', time)
    .addColumn('created', 'bigint', time)
    .addColumn('updated', 'bigint', time)
    .addColumn('last_login', 'bigint', time)
    .addColumn('token_hash', 'text', text())
    .addColumn('oauth_token', 'text', text())
    .addColumn('oauth_refresh', 'text', text())
    .addColumn('oauth_expiry', 'bigint', time)
    .addUniqueConstraint('users_login_key', ['login'])
    .execute();
  // Partial: users without a token ('') must not collide.
  await schema
    .createIndex('users_token_hash')
    .ifNotExists()
    .unique()
    .on('users')
    .column('token_hash')
    .where('token_hash', '<>', '')
    .execute();

  await schema
    .createTable('repos')
    .ifNotExists()
    .addColumn('id', 'integer', id)
    .addColumn('uid', 'text', text())
    .addColumn('user_id', 'integer', int())
    .addColumn('namespace', 'text', text())
    .addColumn('name', 'text', text())
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('scm', 'text', text())
    .addColumn('git_http_url', 'text', text())
    .addColumn('git_ssh_url', 'text', text())
    .addColumn('link', 'text', text())
    .addColumn('default_branch', 'text', text('main'))
    .addColumn('private', 'integer', int())
    .addColumn('visibility', 'text', text('public'))
    .addColumn('active', 'integer', int())
    .addColumn('config_path', 'text', text('.drone.yml'))
    .addColumn('trusted', 'integer', int())
    .addColumn('protected', 'integer', int())
    .addColumn('ignore_forks', 'integer', int())
    .addColumn('ignore_pull_requests', 'integer', int())
    .addColumn('auto_cancel_pull_requests', 'integer', int())
    .addColumn('auto_cancel_pushes', 'integer', int())
    .addColumn('auto_cancel_running', 'integer', int())
    .addColumn('timeout', 'integer', int(60))
    .addColumn('throttle', 'integer', int())
    .addColumn('counter', 'integer', int())
    .addColumn('synced', 'bigint', time)
    .addColumn('created', 'bigint', time)
    .addColumn('updated', 'bigint', time)
    .addColumn('version', 'integer', int(1))
    .addColumn('archived', 'integer', int())
    .addColumn('signer', 'text', text())
    .addColumn('secret', 'text', text())
    .addUniqueConstraint('repos_slug_key', ['slug'])
    .execute();
  await schema.createIndex('repos_uid').ifNotExists().on('repos').column('uid').execute();

  await schema
    .createTable('perms')
    .ifNotExists()
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('repo_id', 'integer', (c) => c.notNull().references('repos.id').onDelete('cascade'))
    .addColumn('read', 'integer', int())
    .addColumn('write', 'integer', int())
    .addColumn('admin', 'integer', int())
    .addColumn('synced', 'bigint', time)
    .addColumn('created', 'bigint', time)
    .addColumn('updated', 'bigint', time)
    .addPrimaryKeyConstraint('perms_pkey', ['user_id', 'repo_id'])
    .execute();
  await schema.createIndex('perms_repo_id').ifNotExists().on('perms').column('repo_id').execute();

  await schema
    .createTable('builds')
    .ifNotExists()
    .addColumn('id', 'integer', id)
    .addColumn('repo_id', 'integer', (c) => c.notNull().references('repos.id').onDelete('cascade'))
    .addColumn('trigger', 'text', text())
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('parent', 'integer', int())
    .addColumn('status', 'text', text('pending'))
    .addColumn('error', 'text', text())
    .addColumn('event', 'text', text())
    .addColumn('action', 'text', text())
    .addColumn('link', 'text', text())
    .addColumn('timestamp', 'bigint', time)
    .addColumn('title', 'text', text())
    .addColumn('message', 'text', text())
    .addColumn('before', 'text', text())
    .addColumn('after', 'text', text())
    .addColumn('ref', 'text', text())
    .addColumn('source_repo', 'text', text())
    .addColumn('source', 'text', text())
    .addColumn('target', 'text', text())
    .addColumn('author_login', 'text', text())
    .addColumn('author_name', 'text', text())
    .addColumn('author_email', 'text', text())
    .addColumn('author_avatar', 'text', text())
    .addColumn('sender', 'text', text())
    .addColumn('params', 'text', text('{}'))
    .addColumn('cron', 'text', text())
    .addColumn('deploy_to', 'text', text())
    // GitHub deployment ids outgrew 32 bits.
    .addColumn('deploy_id', 'bigint', int())
    .addColumn('debug', 'integer', int())
    .addColumn('changed_files', 'text')
    .addColumn('started', 'bigint', time)
    .addColumn('finished', 'bigint', time)
    .addColumn('created', 'bigint', time)
    .addColumn('updated', 'bigint', time)
    .addColumn('version', 'integer', int(1))
    // Also the index behind "builds of a repo, newest first".
    .addUniqueConstraint('builds_repo_id_number_key', ['repo_id', 'number'])
    .execute();
  await schema.createIndex('builds_status').ifNotExists().on('builds').columns(['status', 'id']).execute();
  await schema
    .createIndex('builds_repo_ref')
    .ifNotExists()
    .on('builds')
    .columns(['repo_id', 'ref'])
    .execute();

  await schema
    .createTable('stages')
    .ifNotExists()
    .addColumn('id', 'integer', id)
    .addColumn('repo_id', 'integer', (c) => c.notNull())
    .addColumn('build_id', 'integer', (c) => c.notNull().references('builds.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', text())
    .addColumn('kind', 'text', text())
    .addColumn('type', 'text', text())
    .addColumn('status', 'text', text('pending'))
    .addColumn('error', 'text', text())
    .addColumn('errignore', 'integer', int())
    .addColumn('exit_code', 'integer', int())
    .addColumn('machine', 'text', text())
    .addColumn('os', 'text', text())
    .addColumn('arch', 'text', text())
    .addColumn('variant', 'text', text())
    .addColumn('kernel', 'text', text())
    .addColumn('limit', 'integer', int())
    .addColumn('throttle', 'integer', int())
    .addColumn('started', 'bigint', time)
    .addColumn('stopped', 'bigint', time)
    .addColumn('created', 'bigint', time)
    .addColumn('updated', 'bigint', time)
    .addColumn('version', 'integer', int(1))
    .addColumn('on_success', 'integer', int())
    .addColumn('on_failure', 'integer', int())
    .addColumn('depends_on', 'text', text('[]'))
    .addColumn('labels', 'text', text('{}'))
    .addColumn('lease_expires', 'bigint', time)
    .addColumn('runner', 'text', text())
    .addUniqueConstraint('stages_build_id_number_key', ['build_id', 'number'])
    .execute();
  // The queue's hot query: incomplete stages (pending/running) in id order.
  await schema.createIndex('stages_status').ifNotExists().on('stages').columns(['status', 'id']).execute();
  await schema.createIndex('stages_repo_id').ifNotExists().on('stages').column('repo_id').execute();

  await schema
    .createTable('steps')
    .ifNotExists()
    .addColumn('id', 'integer', id)
    .addColumn('stage_id', 'integer', (c) => c.notNull().references('stages.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', text())
    .addColumn('status', 'text', text('pending'))
    .addColumn('error', 'text', text())
    .addColumn('errignore', 'integer', int())
    .addColumn('exit_code', 'integer', int())
    .addColumn('started', 'bigint', time)
    .addColumn('stopped', 'bigint', time)
    .addColumn('version', 'integer', int(1))
    .addColumn('depends_on', 'text', text('[]'))
    .addColumn('image', 'text', text())
    .addColumn('detached', 'integer', int())
    .addColumn('schema', 'text', text())
    .addUniqueConstraint('steps_stage_id_number_key', ['stage_id', 'number'])
    .execute();

  await schema
    .createTable('logs')
    .ifNotExists()
    .addColumn('step_id', 'integer', (c) => c.primaryKey().references('steps.id').onDelete('cascade'))
    .addColumn('data', bytes, (c) => c.notNull())
    .execute();

  await schema
    .createTable('lines')
    .ifNotExists()
    .addColumn('step_id', 'integer', (c) => c.notNull().references('steps.id').onDelete('cascade'))
    .addColumn('pos', 'integer', (c) => c.notNull())
    .addColumn('out', 'text', text())
    .addColumn('time', 'integer', int())
    .addPrimaryKeyConstraint('lines_pkey', ['step_id', 'pos'])
    .execute();

  await schema
    .createTable('cards')
    .ifNotExists()
    .addColumn('step_id', 'integer', (c) => c.primaryKey().references('steps.id').onDelete('cascade'))
    .addColumn('data', bytes, (c) => c.notNull())
    .execute();

  await schema
    .createTable('secrets')
    .ifNotExists()
    .addColumn('id', 'integer', id)
    .addColumn('repo_id', 'integer', (c) => c.references('repos.id').onDelete('cascade'))
    .addColumn('namespace', 'text', text())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', text())
    .addColumn('data', bytes, (c) => c.notNull())
    .addColumn('pull_request', 'integer', int())
    .addColumn('pull_request_push', 'integer', int())
    .addColumn('created', 'bigint', time)
    .addColumn('updated', 'bigint', time)
    .execute();
  // Repo secrets are unique per repo, org secrets (no repo) per namespace.
  await schema
    .createIndex('secrets_repo_name')
    .ifNotExists()
    .unique()
    .on('secrets')
    .columns(['repo_id', 'name'])
    .where('repo_id', 'is not', null)
    .execute();
  await schema
    .createIndex('secrets_org_name')
    .ifNotExists()
    .unique()
    .on('secrets')
    .columns(['namespace', 'name'])
    .where(sql.ref('repo_id'), 'is', null)
    .execute();

  await schema
    .createTable('crons')
    .ifNotExists()
    .addColumn('id', 'integer', id)
    .addColumn('repo_id', 'integer', (c) => c.notNull().references('repos.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('expr', 'text', text())
    .addColumn('next', 'bigint', time)
    .addColumn('prev', 'bigint', time)
    .addColumn('event', 'text', text('push'))
    .addColumn('branch', 'text', text())
    .addColumn('target', 'text', text())
    .addColumn('disabled', 'integer', int())
    .addColumn('created', 'bigint', time)
    .addColumn('updated', 'bigint', time)
    .addColumn('version', 'integer', int(1))
    .addUniqueConstraint('crons_repo_id_name_key', ['repo_id', 'name'])
    .execute();
  await schema.createIndex('crons_next').ifNotExists().on('crons').column('next').execute();

  await schema
    .createTable('runners')
    .ifNotExists()
    .addColumn('id', 'integer', id)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', text())
    .addColumn('type', 'text', text())
    .addColumn('os', 'text', text())
    .addColumn('arch', 'text', text())
    .addColumn('variant', 'text', text())
    .addColumn('kernel', 'text', text())
    .addColumn('labels', 'text', text('{}'))
    .addColumn('capacity', 'integer', int())
    .addColumn('version', 'text', text())
    .addColumn('last_seen', 'bigint', time)
    .addColumn('created', 'bigint', time)
    .addUniqueConstraint('runners_name_key', ['name'])
    .execute();

  await schema
    .createTable('latest')
    .ifNotExists()
    .addColumn('repo_id', 'integer', (c) => c.notNull().references('repos.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('build_id', 'integer', (c) => c.notNull().references('builds.id').onDelete('cascade'))
    .addColumn('created', 'bigint', time)
    .addColumn('updated', 'bigint', time)
    .addPrimaryKeyConstraint('latest_pkey', ['repo_id', 'type', 'name'])
    .execute();

  await schema
    .createTable('settings')
    .ifNotExists()
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', text())
    .addColumn('updated', 'bigint', time)
    .execute();
}
