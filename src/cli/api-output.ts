// How the API commands print: aligned tables and `key: value` blocks for people (the default),
// or the server's JSON as is for scripts (`--format json`, or `--json`). Text that came from the
// server (commit messages, names) has its control characters replaced, so a crafted value cannot
// drive the terminal.
import type { Command } from 'commander';
import { UsageError } from './errors.js';

/** What a command prints. */
export type OutputFormat = 'table' | 'json';

/** The options every API command has. */
export interface FormatOptions {
  format?: string;
  json?: boolean;
}

/** Adds `--format table|json` and `--json` to `cmd`. */
export function withFormat(cmd: Command): Command {
  return cmd
    .option('--format <format>', 'output format: table (for people) or json (for scripts)')
    .option('--json', 'the same as --format json');
}

/** The format the options ask for; UsageError for an unknown one. */
export function outputFormat(opts: FormatOptions): OutputFormat {
  if (opts.json) return 'json';
  const f = (opts.format ?? 'table').toLowerCase();
  if (f === 'table' || f === 'json') return f;
  throw new UsageError(`--format must be table or json, not "${opts.format}"`);
}

/** Writes `value` as indented JSON. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value ?? null, null, 2)}\n`);
}

/** A value made safe and single-line for a terminal cell. */
export function clean(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  return text.replace(/\r?\n/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** An aligned table with a header row; `empty` is printed instead when there are no rows. */
export function printTable(headers: readonly string[], rows: readonly unknown[][], empty: string): void {
  if (rows.length === 0) {
    process.stdout.write(`${empty}\n`);
    return;
  }
  const cells = rows.map((r) => r.map(clean));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${[line(headers), ...cells.map(line)].join('\n')}\n`);
}

/** `key: value` lines, keys aligned. */
export function printFields(fields: readonly [string, unknown][]): void {
  const width = Math.max(...fields.map(([k]) => k.length)) + 1;
  process.stdout.write(`${fields.map(([k, v]) => `${`${k}:`.padEnd(width)} ${clean(v)}`).join('\n')}\n`);
}

/** A unix time as `YYYY-MM-DD HH:MM:SS UTC`, or `-` for none. */
export function when(unix: unknown): string {
  if (typeof unix !== 'number' || unix <= 0) return '-';
  return `${new Date(unix * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The first line of `text`, cut to `max` characters. */
export function firstLine(text: unknown, max = 60): string {
  const line = String(text ?? '').split('\n')[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** `yes`/`no`. */
export function yesNo(value: unknown): string {
  return value ? 'yes' : 'no';
}
