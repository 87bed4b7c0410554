// The exec engine: steps as host processes.
export { ExecEngine, type ExecEngineOptions } from './exec.js';
export { posixScript, shellQuote } from './script.js';
