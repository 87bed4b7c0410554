// Plugin `settings` → PLUGIN_* variables (drone-reference.md §4.4, drone-runner-docker
// `internal/encoder`): strings as is, scalars in Go's notation, scalar lists comma-joined, anything
// else as Go-style JSON; `from_secret` values become secret references.
import type { SettingValue } from '../manifest/types.js';
import type { SecretRef } from '../plan.js';
import { goFloat, goJson, goNumber } from './gofmt.js';

/** Go's `strings.ToUpper` maps each rune on its own: no `ß` → `SS` expansions as in JavaScript. */
export function goToUpper(s: string): string {
  let out = '';
  for (const ch of s) {
    const u = ch.toUpperCase();
    out += [...u].length === 1 ? u : ch;
  }
  return out;
}

/** The env name of a setting: `PLUGIN_` + the key upper-cased, nothing else changed. */
export function pluginEnvName(key: string): string {
  return `PLUGIN_${goToUpper(key)}`;
}

function isScalar(v: unknown): boolean {
  return v === null || v === undefined || ['string', 'number', 'bigint', 'boolean'].includes(typeof v);
}

/** A scalar as yaml.v2 prints it and reads it back into a Go string (null → ""). */
function scalarText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return '.nan';
    if (!Number.isFinite(v)) return v > 0 ? '.inf' : '-.inf';
    return goNumber(v);
  }
  return String(v);
}

function json(v: unknown): string {
  try {
    return goJson(v);
  } catch {
    // Drone ignores the encoder error and sends an empty value.
    return '';
  }
}

/** Encodes one setting value the way Drone's encoder does. */
export function encodeSetting(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isSafeInteger(v) ? String(v) : goFloat(v);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.every(isScalar) ? v.map(scalarText).join(',') : json(v);
  return json(v);
}

/** PLUGIN_* variables and secret references for a step's settings; null values are dropped. */
export function settingsEnviron(settings: Record<string, SettingValue>): {
  env: Record<string, string>;
  secrets: SecretRef[];
} {
  const env: Record<string, string> = {};
  const secrets: SecretRef[] = [];
  for (const [key, setting] of Object.entries(settings)) {
    if (!setting) continue;
    const name = pluginEnvName(key);
    if ('fromSecret' in setting && setting.fromSecret !== '') {
      secrets.push({ name: setting.fromSecret, env: name });
      continue;
    }
    const value = 'value' in setting ? setting.value : undefined;
    if (value === null || value === undefined) continue;
    env[name] = encodeSetting(value);
  }
  return { env, secrets };
}
