// Settings of the configuration converters (drone-reference.md §5.9): Jsonnet, off by default as in
// Drone, and the convert extension, an HTTP service that gets every configuration (or those with
// one file extension) and may answer another one — the way to Starlark or any other format.
import { parseGoDuration } from '../cron/schedule.js';
import { DEFAULT_IMPORT_LIMIT } from '../../convert/jsonnet.js';

/** The convert extension (Drone's DRONE_CONVERT_PLUGIN_*). */
export interface ConvertExtensionSettings {
  readonly endpoint: string;
  /** Shared secret the requests are signed with (HTTP Signatures, hmac-sha256). */
  readonly secret: string;
  /** Accept any TLS certificate of the endpoint. */
  readonly skipVerify: boolean;
  /** Only configurations whose path ends with this (`.star`); '' = every configuration. */
  readonly extension: string;
  readonly timeoutMs: number;
}

/** What turns a repository's configuration file into YAML. */
export interface ConvertSettings {
  readonly jsonnet: { readonly enabled: boolean; readonly importLimit: number };
  readonly extension: ConvertExtensionSettings | undefined;
}

/** No conversion: YAML only, Jsonnet off (Drone's defaults). */
export const noConversion: ConvertSettings = {
  jsonnet: { enabled: false, importLimit: DEFAULT_IMPORT_LIMIT },
  extension: undefined,
};

function truth(text: string | undefined, name: string, fail: (msg: string) => Error): boolean {
  if (text === undefined) return false;
  const t = text.toLowerCase();
  if (['true', '1', 'yes', 'on', 't'].includes(t)) return true;
  if (['false', '0', 'no', 'off', 'f'].includes(t)) return false;
  throw fail(`${name} must be true or false, not "${text}"`);
}

/**
 * Reads HANGAR_JSONNET_ENABLED, HANGAR_JSONNET_IMPORT_LIMIT and HANGAR_CONVERT_PLUGIN_* (and
 * HANGAR_CONVERT_TIMEOUT), each also under its DRONE_ name. `fail` makes the settings error.
 */
export function readConvertSettings(
  get: (name: string, alias?: string) => string | undefined,
  fail: (msg: string) => Error,
): ConvertSettings {
  const enabled = truth(
    get('HANGAR_JSONNET_ENABLED', 'DRONE_JSONNET_ENABLED'),
    'HANGAR_JSONNET_ENABLED',
    fail,
  );
  const limitText = get('HANGAR_JSONNET_IMPORT_LIMIT', 'DRONE_JSONNET_IMPORT_LIMIT');
  const importLimit = limitText === undefined ? DEFAULT_IMPORT_LIMIT : Number(limitText);
  if (!Number.isInteger(importLimit) || importLimit < 0 || importLimit > 10_000) {
    throw fail(`HANGAR_JSONNET_IMPORT_LIMIT must be a whole number from 0 to 10000, not "${limitText}"`);
  }

  const endpoint = get('HANGAR_CONVERT_PLUGIN_ENDPOINT', 'DRONE_CONVERT_PLUGIN_ENDPOINT');
  let extension: ConvertExtensionSettings | undefined;
  if (endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw fail(`HANGAR_CONVERT_PLUGIN_ENDPOINT must be an http(s) URL, not "${endpoint}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw fail(`HANGAR_CONVERT_PLUGIN_ENDPOINT must be an http(s) URL, not "${endpoint}"`);
    }
    const secret = get('HANGAR_CONVERT_PLUGIN_SECRET', 'DRONE_CONVERT_PLUGIN_SECRET');
    // Drone would sign with an empty key, which every extension then rejects: say so at start.
    if (secret === undefined) {
      throw fail(
        'HANGAR_CONVERT_PLUGIN_ENDPOINT needs HANGAR_CONVERT_PLUGIN_SECRET, the secret the extension verifies requests with',
      );
    }
    const timeoutText = get('HANGAR_CONVERT_TIMEOUT', 'DRONE_CONVERT_TIMEOUT') ?? '1m';
    const timeoutMs = /^\d+$/.test(timeoutText) ? Number(timeoutText) * 1000 : parseGoDuration(timeoutText);
    if (timeoutMs === undefined || timeoutMs < 1000 || timeoutMs > 600_000) {
      throw fail(
        `HANGAR_CONVERT_TIMEOUT must be seconds or a duration (30s, 1m) from 1s to 10m, not "${timeoutText}"`,
      );
    }
    extension = {
      endpoint: url.toString(),
      secret,
      skipVerify: truth(
        get('HANGAR_CONVERT_PLUGIN_SKIP_VERIFY', 'DRONE_CONVERT_PLUGIN_SKIP_VERIFY'),
        'HANGAR_CONVERT_PLUGIN_SKIP_VERIFY',
        fail,
      ),
      extension: get('HANGAR_CONVERT_PLUGIN_EXTENSION', 'DRONE_CONVERT_PLUGIN_EXTENSION') ?? '',
      timeoutMs,
    };
  }
  return { jsonnet: { enabled, importLimit }, extension };
}
