// The build environment of a stage: DRONE_*/CI_* variables, semver/calver, substitution values.
export { calverEnviron, parseCalver } from './calver.js';
export {
  buildEnviron,
  buildVars,
  combine,
  type EnvironOptions,
  gitEnviron,
  isBuildFailing,
  isStageFailing,
  linkEnviron,
  liveEnviron,
  netrcEnviron,
  repoEnviron,
  stageVars,
  stepEnviron,
  substitutionEnv,
  systemEnviron,
} from './environ.js';
export { semverEnviron } from './semver.js';
