// Plain-scalar resolution the way Drone's YAML library (go-yaml v2, a YAML 1.1 flavour) does it:
// `yes/no/on/off/y/n` are booleans, `0x1f`, `0o17`, `017`, `0b101` and `1_000` are integers,
// `.inf`/`.nan` are floats. Quoted scalars are always strings.
import { isNull, type YScalar } from './node.js';

/** A resolved scalar: what go-yaml v2 would store in an `interface{}`. */
export type ScalarValue = null | boolean | number | string;

const TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const INF = new Set(['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF']);
const NEG_INF = new Set(['-.inf', '-.Inf', '-.INF']);
const NAN = new Set(['.nan', '.NaN', '.NAN']);
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const INT64_MAX = 9223372036854775807n;
const UINT64_MAX = 18446744073709551615n;

/** The boolean a plain YAML 1.1 scalar spells, if any. */
export function yamlBool(text: string): boolean | undefined {
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  return undefined;
}

/** The integer a plain scalar spells (Go's ParseInt with base 0, underscores removed), if any. */
export function yamlInt(text: string): number | bigint | undefined {
  const plain = text.includes('_') ? text.replaceAll('_', '') : text;
  if (!INT.test(plain)) return undefined;
  const neg = plain.startsWith('-');
  let digits = plain.startsWith('-') || plain.startsWith('+') ? plain.slice(1) : plain;
  // Go reads a leading 0 as octal; BigInt wants the 0o prefix for that.
  if (digits.length > 1 && digits[0] === '0' && /[0-7]/.test(digits[1]!)) digits = `0o${digits.slice(1)}`;
  let v = BigInt(digits);
  if (neg) v = -v;
  if (v > UINT64_MAX || v < -INT64_MAX - 1n) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
}

/** The float a plain scalar spells (YAML 1.1 form, `.inf`, `.nan`), if any. */
export function yamlFloat(text: string): number | undefined {
  if (INF.has(text)) return Number.POSITIVE_INFINITY;
  if (NEG_INF.has(text)) return Number.NEGATIVE_INFINITY;
  if (NAN.has(text)) return Number.NaN;
  const plain = text.includes('_') ? text.replaceAll('_', '') : text;
  return FLOAT.test(plain) ? Number(plain) : undefined;
}

/**
 * Resolves a scalar as go-yaml v2 does for an untyped target. Integers beyond 2^53 keep their text
 * so that no digit is lost (they only ever end up in plugin settings, which are strings again).
 */
export function resolveScalar(s: YScalar): ScalarValue {
  if (!s.plain) return s.value;
  const t = s.value;
  if (isNull(s)) return null;
  const b = yamlBool(t);
  if (b !== undefined) return b;
  const c = t.charCodeAt(0);
  // Only text starting with a digit, a sign or a dot can be a number (go-yaml's resolve hint).
  const numeric = (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
  if (!numeric) return t;
  const i = yamlInt(t);
  if (i !== undefined) return typeof i === 'bigint' ? t : i;
  const f = yamlFloat(t);
  return f !== undefined ? f : t;
}

/** A short description of a scalar's type for messages: "a string", "a number", "a boolean", "null". */
export function scalarTypeName(s: YScalar): string {
  const v = resolveScalar(s);
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'a boolean';
  if (typeof v === 'number') return 'a number';
  return 'a string';
}
