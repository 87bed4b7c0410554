// The contract between the runner (which decides what runs when) and an engine (which knows how to
// run one step somewhere). Lifecycle: setup → runStep (any number, possibly concurrent) → destroy.
// destroy must be safe to call after a failed or partial setup, and more than once.
import type { RegistryCredential } from '../spec/compile/registry-auth.js';
import type { Plan, PlanStep } from '../spec/plan.js';

/** Registry credentials for pulling a step's image (`address` is a registry host, e.g. `127.0.0.1:5000`). */
export type { RegistryCredential } from '../spec/compile/registry-auth.js';

/** Source of the code the clone step fetches. */
export interface CloneSource {
  /** A local path, `file://`, or `http(s)://` URL of the repository. */
  remote: string;
  /** Ref to build: `refs/heads/x`, `refs/tags/v1`, `refs/pull/N/head`. */
  ref: string;
  /** Commit to check out (may be empty: then the ref's head). */
  commit: string;
  /** Branch name for push builds; the target branch for pull requests. */
  branch: string;
  /** When true, `remote` is a local directory whose tree is copied as it is (no git). */
  copy?: boolean;
  /** Credentials for http(s) remotes (never logged). */
  netrc?: { machine: string; login: string; password: string };
}

export interface SetupOptions {
  signal: AbortSignal;
}

export interface StepRunOptions {
  /** The final environment of the step: plan env + live build/stage/step values + secret values. */
  env: Record<string, string>;
  /** Receives raw output (stdout and stderr, in arrival order). Line splitting and masking are the caller's. */
  output: (chunk: string) => void;
  /** Aborting asks the engine to stop the step: SIGTERM, a grace period, then SIGKILL. */
  signal: AbortSignal;
  registries: RegistryCredential[];
  /** For the clone step. */
  clone?: CloneSource;
}

export interface StepExit {
  exitCode: number;
  oomKilled: boolean;
}

/** Runs the steps of a compiled stage on one kind of backend (Docker, host processes, …). */
export interface Engine {
  /** Creates the stage's shared resources: network, workspace, volumes. */
  setup(plan: Plan, opts: SetupOptions): Promise<void>;
  /** Runs one step to completion (or until aborted) and resolves with how it exited. */
  runStep(plan: Plan, step: PlanStep, opts: StepRunOptions): Promise<StepExit>;
  /** Stops and removes everything this stage created; safe after a partial setup. */
  destroy(plan: Plan): Promise<void>;
}

/** An error that is the engine's, not the step's (missing image, refused login, …): the step ends `error`. */
export class EngineError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}
