// Pre-parse `${VAR}` substitution, as Drone's runner applies it to the raw config text.
export { EnvsubstError, envsubst, type Lookup } from './envsubst.js';
