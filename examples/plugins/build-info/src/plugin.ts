// The plugin side of the Hangar (and Drone) plugin contract, small enough to copy into any plugin:
// typed readers for `settings` (PLUGIN_* variables, encoded as docs/plugins.md describes) and the
// exit codes a plugin reports with. Node built-ins only.

/** The environment a plugin reads: `process.env` in a container, any record in a test. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Exit code: the step succeeded. */
export const EXIT_SUCCESS = 0;
/** Exit code: the step failed. */
export const EXIT_FAILURE = 1;
/** Exit code: the step succeeded and every remaining step of the pipeline is skipped. */
export const EXIT_SKIP_REST = 78;

/** A failure the user can fix (a bad setting, a missing file): reported as one line, exit 1. */
export class PluginError extends Error {}

/** Ends the plugin successfully and skips the rest of the pipeline (exit 78). */
export class SkipRest extends Error {}

/** The variable a setting arrives in: `PLUGIN_` + the key upper-cased, nothing else changed. */
export function pluginEnvName(key: string): string {
  // Per character, as Go's strings.ToUpper: `ß` stays `ß` (JavaScript alone would make it `SS`).
  let upper = '';
  for (const ch of key) {
    const u = ch.toUpperCase();
    upper += [...u].length === 1 ? u : ch;
  }
  return `PLUGIN_${upper}`;
}

// Go's strconv.ParseBool, which Go plugins use, accepts exactly these spellings.
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Reads settings by their YAML key; errors name the key as the user wrote it in `.drone.yml`. */
export class Settings {
  constructor(private readonly env: Env = process.env) {}

  /** The raw value, or undefined when the setting is absent (null settings are never sent). */
  raw(key: string): string | undefined {
    return this.env[pluginEnvName(key)];
  }

  /** A string setting; an absent or empty value gives the fallback. */
  string(key: string, fallback = ''): string {
    const v = this.raw(key);
    return v === undefined || v === '' ? fallback : v;
  }

  /** A number setting (`50`, `0.5`, `-1e3`), optionally an integer within bounds. */
  number(
    key: string,
    fallback: number,
    rules: { integer?: boolean; min?: number; max?: number } = {},
  ): number {
    const text = this.string(key).trim();
    if (text === '') return fallback;
    const n = Number(text);
    if (!Number.isFinite(n)) throw new PluginError(`settings.${key}: expected a number, got "${text}"`);
    if (rules.integer && !Number.isInteger(n)) {
      throw new PluginError(`settings.${key}: expected a whole number, got ${text}`);
    }
    if ((rules.min !== undefined && n < rules.min) || (rules.max !== undefined && n > rules.max)) {
      throw new PluginError(
        `settings.${key}: ${text} is out of range (${rules.min ?? '-∞'}..${rules.max ?? '∞'})`,
      );
    }
    return n;
  }

  /** A boolean setting: `true`/`false` (and the other spellings Go's ParseBool accepts). */
  bool(key: string, fallback: boolean): boolean {
    const text = this.string(key).trim();
    if (text === '') return fallback;
    if (TRUE.has(text)) return true;
    if (FALSE.has(text)) return false;
    throw new PluginError(`settings.${key}: expected true or false, got "${text}"`);
  }

  /**
   * A list setting. Lists of scalars arrive comma-joined (`[a, b]` → `a,b`), so an element that
   * itself contains a comma cannot be told apart; lists holding objects or lists arrive as JSON.
   * A single value (`key: a`) reads as a one-element list. Empty elements are dropped.
   */
  list(key: string): string[] {
    const text = this.string(key).trim();
    if (text === '') return [];
    if (text.startsWith('[')) {
      const parsed = tryJson(text);
      if (Array.isArray(parsed)) {
        return parsed.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
      }
    }
    return text
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }

  /** An object (map) setting, sent as JSON with sorted keys; undefined when absent. */
  object(key: string): Record<string, unknown> | undefined {
    const text = this.string(key).trim();
    if (text === '') return undefined;
    const parsed = tryJson(text);
    if (parsed === undefined || parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new PluginError(`settings.${key}: expected a map (key: value pairs)`);
    }
    return parsed as Record<string, unknown>;
  }

  /** One of a fixed set of words; anything else fails with the list of choices. */
  choice<T extends string>(key: string, choices: readonly T[], fallback: T): T {
    const text = this.string(key, fallback).trim();
    const found = choices.find((c) => c === text);
    if (found === undefined) {
      throw new PluginError(`settings.${key}: expected one of ${choices.join(', ')}, got "${text}"`);
    }
    return found;
  }

  /**
   * A secret setting (`key: {from_secret: name}`): the value, or '' when the secret does not exist
   * (Drone then leaves the variable out). Never echo it: errors about it must not contain it.
   */
  secret(key: string): string {
    return this.raw(key) ?? '';
  }

  /** Every PLUGIN_* variable, sorted by name (for a debug listing). */
  all(): [string, string][] {
    return Object.entries(this.env)
      .filter((e): e is [string, string] => e[0].startsWith('PLUGIN_') && e[1] !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** What `run` should do for an outcome: the exit code and the line to print (if any). */
export function outcome(err: unknown): { code: number; line?: string; stream: 'stdout' | 'stderr' } {
  if (err === undefined) return { code: EXIT_SUCCESS, stream: 'stdout' };
  if (err instanceof SkipRest) return { code: EXIT_SKIP_REST, line: err.message, stream: 'stdout' };
  if (err instanceof PluginError)
    return { code: EXIT_FAILURE, line: `error: ${err.message}`, stream: 'stderr' };
  const message = err instanceof Error ? err.message : String(err);
  return { code: EXIT_FAILURE, line: `unexpected error: ${message}`, stream: 'stderr' };
}

/** Runs a plugin's main function and sets the contract's exit code for how it ended. */
export async function run(main: () => Promise<void> | void): Promise<void> {
  let err: unknown;
  try {
    await main();
  } catch (e) {
    err = e;
  }
  const o = outcome(err);
  if (o.line !== undefined) process[o.stream].write(`${o.line}\n`);
  // No process.exit(): Node exits once the output has drained, so no last line is lost.
  process.exitCode = o.code;
}
