// The store's public surface: open it, then call the query functions with `store.db` (or a
// transaction of it). Everything the server knows goes through here.
export * from './codec.js';
export * from './db.js';
export * from './errors.js';
export * from './models.js';
export { migrateToLatest } from './migrations/index.js';
export * from './queries/builds.js';
export * from './queries/cards.js';
export * from './queries/crons.js';
export * from './queries/latest.js';
export * from './queries/logs.js';
export * from './queries/paging.js';
export * from './queries/perms.js';
export * from './queries/repos.js';
export * from './queries/runners.js';
export * from './queries/secrets.js';
export * from './queries/settings.js';
export * from './queries/stages.js';
export * from './queries/steps.js';
export * from './queries/users.js';
export type { Database, Db } from './schema.js';
export * from './transaction.js';
