// The Docker engine: runs a compiled stage's steps as containers.
export { DockerEngine, type DockerEngineOptions, type PruneResult } from './engine.js';
export { isAuthFailure } from './image.js';
