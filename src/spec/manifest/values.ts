// Typed field decoders. They follow go-yaml v2 (string fields take the text as written, so `1.10`
// stays "1.10"; null leaves the zero value) and Drone's custom types (byte sizes, `from_secret`),
// plus one convenience: a scalar where a list of strings is expected is a one-element list.
import type { EnvValue, SettingValue } from './types.js';
import { isNull, type YNode } from '../yaml/node.js';
import { yamlBool, yamlFloat, yamlInt } from '../yaml/scalar.js';
import { lookup, toPlain } from '../yaml/walk.js';
import { at, type Decoder, join } from './decoder.js';

/** Sets a key on a plain record, keeping a literal `__proto__` key an ordinary property. */
export function setKey<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** A string field: the scalar's text; null gives ''. */
export function str(d: Decoder, n: YNode, path: string): string {
  if (n.kind !== 'scalar') {
    d.typeError(path, n, 'a string');
    return '';
  }
  return isNull(n) ? '' : n.value;
}

/** A boolean field: YAML 1.1 booleans (`true`, `yes`, `on`, …); null gives false. */
export function bool(d: Decoder, n: YNode, path: string): boolean {
  if (n.kind === 'scalar') {
    if (isNull(n)) return false;
    const b = n.plain ? yamlBool(n.value) : undefined;
    if (b !== undefined) return b;
  }
  d.typeError(path, n, 'a boolean');
  return false;
}

/** An integer field; a float is truncated as go-yaml v2 does; null gives 0. */
export function int(d: Decoder, n: YNode, path: string): number {
  if (n.kind === 'scalar') {
    if (isNull(n)) return 0;
    if (n.plain) {
      const i = yamlInt(n.value);
      if (typeof i === 'number') return i;
      const f = i === undefined ? yamlFloat(n.value) : undefined;
      if (f !== undefined && Number.isFinite(f) && Math.abs(f) <= Number.MAX_SAFE_INTEGER)
        return Math.trunc(f);
      if (i !== undefined || f !== undefined) {
        d.error('invalid-value', path, n, `integer out of range: ${n.value}`);
        return 0;
      }
    }
  }
  d.typeError(path, n, 'an integer');
  return 0;
}

const SIZE = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/;
const UNIT: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/**
 * Parses a human byte size as Drone does (docker's RAMInBytes: binary units, the `i` and `B` optional):
 * `1KiB`, `100Mi`, `1g`, `1.5GB`, `1024`. Undefined when the text is not a size.
 */
export function parseBytesSize(text: string): number | undefined {
  const m = SIZE.exec(text);
  if (!m) return undefined;
  if (!/^\d+(\.\d+)?$/.test(m[1]!)) return undefined;
  const mul = m[2] ? UNIT[m[2].toLowerCase()]! : 1;
  return Math.trunc(Number(m[1]) * mul);
}

const ABBRS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

/** Formats bytes as Drone prints them (docker's BytesSize, `%.4g` + binary unit): 1024 → `1KiB`. */
export function formatBytesSize(bytes: number): string {
  let size = bytes;
  let i = 0;
  while (size >= 1024 && i < ABBRS.length - 1) {
    size /= 1024;
    i++;
  }
  return `${Number(size.toPrecision(4))}${ABBRS[i]}`;
}

/** A byte-size field: an integer, or a string such as `1GiB`; null gives 0. */
export function bytes(d: Decoder, n: YNode, path: string): number {
  if (n.kind !== 'scalar') {
    d.typeError(path, n, 'a size in bytes (such as 512MiB)');
    return 0;
  }
  if (isNull(n)) return 0;
  if (n.plain) {
    const i = yamlInt(n.value);
    if (typeof i === 'number') return i;
    const f = i === undefined ? yamlFloat(n.value) : undefined;
    if (f !== undefined && Number.isFinite(f)) return Math.trunc(f);
  }
  const size = parseBytesSize(n.value);
  if (size !== undefined) return size;
  d.error(
    'invalid-value',
    path,
    n,
    `invalid size "${n.value}" (expected bytes or a size such as 512MiB or 1GB)`,
  );
  return 0;
}

/** A list of strings; a single scalar is accepted as a one-element list; null gives []. */
export function strList(d: Decoder, n: YNode, path: string): string[] {
  if (n.kind === 'scalar') return isNull(n) ? [] : [n.value];
  if (n.kind === 'map') {
    d.typeError(path, n, 'a list of strings');
    return [];
  }
  const out: string[] = [];
  for (let i = 0; i < n.items.length; i++) {
    const item = n.items[i]!;
    if (item.kind === 'scalar') out.push(isNull(item) ? '' : item.value);
    else d.typeError(at(path, i), item, 'a string');
  }
  return out;
}

/** A map of strings (`node:` labels), decoded into `into` (go-yaml v2 reuses an existing map). */
export function strMap(
  d: Decoder,
  n: YNode,
  path: string,
  into: Record<string, string>,
): Record<string, string> {
  if (isNull(n)) return {};
  if (n.kind !== 'map') {
    d.typeError(path, n, 'a mapping of strings');
    return into;
  }
  d.fields(n, path, (k, v) => setKey(into, k, str(d, v, join(path, k))));
  return into;
}

/** An environment map: values are strings (numbers and booleans as written) or `{from_secret: name}`. */
export function envMap(
  d: Decoder,
  n: YNode,
  path: string,
  into: Record<string, EnvValue>,
): Record<string, EnvValue> {
  if (isNull(n)) return {};
  if (n.kind !== 'map') {
    d.typeError(path, n, 'a mapping of variables');
    return into;
  }
  d.fields(n, path, (k, v) => {
    const p = join(path, k);
    const value = envValue(d, v, p);
    if (value) setKey(into, k, value);
  });
  return into;
}

/** One environment value: a scalar, or a mapping with `from_secret` (or `value`). */
export function envValue(d: Decoder, v: YNode, p: string): EnvValue | undefined {
  if (v.kind === 'scalar') return { value: isNull(v) ? '' : v.value };
  if (v.kind === 'seq') {
    d.typeError(p, v, 'a string or {from_secret: name}');
    return undefined;
  }
  let secret: string | undefined;
  let value: string | undefined;
  d.fields(v, p, (k, x, keyNode) => {
    if (k === 'from_secret') secret = str(d, x, join(p, k));
    else if (k === 'value') value = str(d, x, join(p, k));
    else d.unknown(p, k, keyNode, x);
  });
  if (secret) return { fromSecret: secret };
  if (value !== undefined) return { value };
  d.error(
    'invalid-type',
    p,
    v,
    'expected a string or {from_secret: name}, got a mapping without from_secret',
  );
  return undefined;
}

/** Plugin settings: any YAML value, or `{from_secret: name}`. */
export function settingsMap(
  d: Decoder,
  n: YNode,
  path: string,
  into: Record<string, SettingValue>,
): Record<string, SettingValue> {
  if (isNull(n)) return {};
  if (n.kind !== 'map') {
    d.typeError(path, n, 'a mapping of settings');
    return into;
  }
  d.fields(n, path, (k, v) => {
    if (v.kind === 'map') {
      const secret = lookup(v, 'from_secret', d.budget);
      if (secret && secret.value.kind === 'scalar' && !isNull(secret.value) && secret.value.value !== '') {
        setKey(into, k, { fromSecret: secret.value.value });
        return;
      }
    }
    setKey(into, k, { value: toPlain(v, d.budget) });
  });
  return into;
}
