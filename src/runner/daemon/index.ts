// The runner daemon: polls a Hangar (or Drone) server over RPC v2 and runs the stages it hands out.
export {
  type DockerRunnerSettings,
  dockerCompileOptions,
  dockerConfigPath,
  dockerSettingNames,
  readDockerRunnerSettings,
  readEnvFile,
  runnerGlobals,
} from './config.js';
export { type CreateRunnerOptions, createRunner, filterOf, readRegistries } from './create.js';
export { LIMIT_ERROR, type Limits, withinLimits } from './limits.js';
export { errorText, type RunnerLogger, silentLogger } from './log.js';
export { StageReporter } from './reporter.js';
export { Runner, type RunnerOptions } from './runner.js';
export {
  type EngineName,
  type HostFacts,
  type RunnerFlags,
  type RunnerSettings,
  readRunnerSettings,
  SettingsError,
  settingNames,
} from './settings.js';
export { runStage, type StageDeps, type StageOutcome, type StageSignals } from './stage.js';
