// Inputs, callbacks and results of running one stage. Status names are Drone's.
import type { CloneSource, RegistryCredential } from '../../engine/engine.js';
import type { PlanStep } from '../../spec/plan.js';
import type { Line } from '../logs/writer.js';

export type StepStatus = 'pending' | 'running' | 'success' | 'failure' | 'killed' | 'error' | 'skipped';
export type StageStatus = 'success' | 'failure' | 'killed' | 'error';

/** A step as the callbacks see it. */
export interface StepInfo {
  /** 1-based position in `plan.steps` (`DRONE_STEP_NUMBER`, Drone's step number). */
  number: number;
  name: string;
  step: PlanStep;
}

/** How a step ended. Times are unix seconds (0 = never). */
export interface StepOutcome {
  status: StepStatus;
  exitCode: number;
  /** Engine or executor message (`error` status, timeouts); empty otherwise. Never contains secrets. */
  error: string;
  started: number;
  stopped: number;
  /** The retained log: every line, or the tail once the size cap was exceeded. */
  log: Line[];
}

export interface StepResult extends StepOutcome {
  number: number;
  name: string;
  /** `failure: ignore`: this step's failure does not fail the stage. */
  errIgnore: boolean;
  detached: boolean;
}

export interface StageResult {
  status: StageStatus;
  exitCode: number;
  /** Why the stage ended `error` (or timed out); empty otherwise. */
  error: string;
  started: number;
  stopped: number;
  /** Every step of the plan, in plan order. */
  steps: StepResult[];
  /** Set when the engine's destroy failed (the stage result itself stands). */
  cleanupError?: string;
}

export interface ExecuteOptions {
  /** Aborting cancels the stage: pending steps skipped, running ones killed, stage killed. */
  signal?: AbortSignal;
  /** Secret values by name (looked up case-insensitively) for the steps' `from_secret` variables. */
  secrets?: Record<string, string>;
  registries?: RegistryCredential[];
  /** What the clone step fetches. */
  clone?: CloneSource;
  /** More values to mask in every step (masked globals); netrc credentials are added automatically. */
  mask?: string[];
  /** Most steps running at once (detached steps, once started, do not count); 0 = no limit. */
  maxProcs?: number;
  /** Per-step log cap in bytes; default 5 MB. */
  logLimit?: number;
  /** Clock in milliseconds; default `Date.now`. */
  now?: () => number;
  /**
   * Called when a step starts (may return a promise: the step waits for it). Callbacks should not
   * throw; if one does, the stage still runs to its end and is cleaned up, then executeStage rejects.
   */
  onStepStart?: (step: StepInfo, started: number) => void | Promise<void>;
  /** Called once for every step when it ends, skipped steps included. */
  onStepEnd?: (step: StepInfo, outcome: StepOutcome) => void | Promise<void>;
  /** Every masked log line while the step is under its log cap. */
  onLine?: (step: StepInfo, line: Line) => void;
}
