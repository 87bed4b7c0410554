// Compilation of a stage into a Plan, and the Drone rules it is made of.
export { CLONE_STEP, cloneParams, cloneSpecOf, DEFAULT_CLONE_IMAGE } from './clone.js';
export { type CompileOptions, compileStage } from './compile.js';
export { configureGraph, dropNodes, type GraphNode } from './graph.js';
export {
  effectivePull,
  expandImage,
  type ImageReference,
  imageDomain,
  isLatestImage,
  matchImage,
  matchRegistry,
  parseImage,
  pullPolicyOf,
  registryHost,
  trimImage,
} from './image.js';
export { stageLabels } from './labels.js';
export {
  DEFAULT_PRIVILEGED_IMAGES,
  isAutoPrivileged,
  type PrivilegedOptions,
  RESTRICTED_VARIABLES,
} from './privileged.js';
export {
  collectCredentials,
  encodeDockerConfig,
  parseDockerConfig,
  pickCredential,
  type RegistryCredential,
} from './registry-auth.js';
export {
  dockerScriptSetup,
  execPosixScript,
  execPowershellScript,
  posixScript,
  powershellScript,
  traceArg,
} from './script.js';
export {
  applyRunnerSettings,
  type RunnerDevice,
  type RunnerResources,
  type RunnerStageSettings,
  type RunnerVolume,
  runnerDeviceName,
  runnerVolumeName,
} from './runner-settings.js';
export { encodeSetting, pluginEnvName, settingsEnviron } from './settings.js';
export {
  cleanPath,
  createWorkspace,
  DEFAULT_WORKSPACE,
  isRestrictedVolume,
  joinPath,
  toWindowsDrive,
  toWindowsPath,
  type WorkspacePaths,
  workingDirOf,
} from './workspace.js';
