// A problem found in a configuration file, as data: the CLI prints it as `file:line:col: message`,
// the server stores it on an error build, the UI can point at the field.

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  /** Stable rule id, e.g. `yaml-syntax`, `required`, `duplicate-step`, `unknown-field`. */
  rule: string;
  /** Human message without the position prefix, e.g. `steps[2].image: required`. */
  message: string;
  /** Field path within the file, e.g. `pipeline[1].steps[2].image` (empty for file-level problems). */
  field: string;
  /** 0-based document index, or -1 for file-level problems. */
  doc: number;
  /** 1-based line and column; 0 when unknown. */
  line: number;
  col: number;
}

/** Formats a diagnostic the way compilers do: `file:line:col: [warning: ]message`. */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  const pos = d.line > 0 ? `${file}:${d.line}:${d.col}` : file;
  return `${pos}: ${d.severity === 'warning' ? 'warning: ' : ''}${d.message}`;
}

/** True when at least one diagnostic is an error (warnings alone do not fail a lint). */
export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'error');
}
