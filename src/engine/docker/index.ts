// The Docker engine: runs a compiled stage's steps as containers.
export { DockerEngine, type DockerEngineOptions, type PruneResult } from './engine.js';
export { credentialFor, normalizeRegistry, parseImage, pullAction } from './image.js';
