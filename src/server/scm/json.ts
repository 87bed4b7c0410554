// Tolerant readers for webhook payloads: a field of the wrong type reads as its zero value, the
// way Go's json.Unmarshal leaves a struct field alone. Payload shapes vary between SCM versions;
// only the request as a whole must be a JSON object.

export type JsonObject = Record<string, unknown>;

/** `v` when it is a plain object, else an empty one. */
export function obj(v: unknown): JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : {};
}

/** `v` when it is an array, else an empty one. */
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A string field; numbers are printed (ids), everything else is ''. */
export function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return '';
}

/** A numeric field (integers only); anything else is 0. */
export function int(v: unknown): number {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d{1,15}$/.test(v)) return Number(v);
  return 0;
}

/** A boolean field; anything else is false. */
export function bool(v: unknown): boolean {
  return v === true;
}

/** Unix seconds of an RFC 3339 (or GitLab `2017-12-10 17:01:11 UTC`) time; 0 when absent or unparseable. */
export function unixTime(v: unknown): number {
  const s = str(v);
  if (s === '') return 0;
  const ms = Date.parse(s.replace(/ UTC$/, 'Z').replace(/^(\d{4}-\d\d-\d\d) /, '$1T'));
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0;
}

/** Parses a payload that must be a JSON object. */
export function parseObject(text: string): JsonObject | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : undefined;
}

/** Every distinct file named in the `added`/`modified`/`removed` lists of `commits`, in first-seen order. */
export function changedFilesOf(commits: unknown[]): string[] | undefined {
  let listed = false;
  const seen = new Set<string>();
  for (const c of commits) {
    const commit = obj(c);
    for (const key of ['added', 'modified', 'removed']) {
      if (!Array.isArray(commit[key])) continue;
      listed = true;
      for (const f of commit[key] as unknown[]) if (typeof f === 'string' && f !== '') seen.add(f);
    }
  }
  return listed ? [...seen] : undefined;
}
