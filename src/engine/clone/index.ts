// The built-in clone (host `git`), shared by every engine.
export { type CloneOptions, cloneRepository } from './clone.js';
export { netrcSecrets, splitCredentials } from './credentials.js';
export { KILLED_EXIT } from './git.js';
export { type CloneKind, cloneKind } from './kind.js';
