// Runs a compiled stage on an engine.
export { EXIT_ERROR, EXIT_KILLED, EXIT_SKIP_REST, executeStage, stepInfos } from './execute.js';
export { stepGraph } from './graph.js';
export type {
  ExecuteOptions,
  StageResult,
  StageStatus,
  StepInfo,
  StepOutcome,
  StepResult,
  StepStatus,
} from './types.js';
