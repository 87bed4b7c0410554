// Go's number and JSON formatting, where Drone's output depends on them (plugin settings).

/** Go's `strconv.FormatFloat(f, 'g', -1, 64)`: shortest digits, exponent form below 1e-4 or from 1e6. */
export function goFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Number.POSITIVE_INFINITY) return '+Inf';
  if (f === Number.NEGATIVE_INFINITY) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const neg = f < 0;
  // toExponential() without an argument gives the shortest round-trip digits, as Go does.
  const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(Math.abs(f).toExponential());
  if (!m) return String(f);
  const digits = m[1]! + (m[2] ?? '');
  const exp = Number(m[3]);
  let out: string;
  if (exp < -4 || exp >= 6) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    out = `${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  } else if (exp < 0) {
    out = `0.${'0'.repeat(-exp - 1)}${digits}`;
  } else if (digits.length <= exp + 1) {
    out = digits + '0'.repeat(exp + 1 - digits.length);
  } else {
    out = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  }
  return neg ? `-${out}` : out;
}

/** How a YAML number reaches Go: safe integers as ints, everything else as float64. */
export function goNumber(n: number | bigint): string {
  if (typeof n === 'bigint') return n.toString();
  return Number.isSafeInteger(n) ? String(n) : goFloat(n);
}

function cmpCodePoints(a: string, b: string): number {
  // Go sorts map keys by bytes; UTF-8 byte order is code point order.
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function jsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const r = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (r < 0x20 || ch === '<' || ch === '>' || ch === '&' || r === 0x2028 || r === 0x2029) {
      out += `\\u${r.toString(16).padStart(4, '0')}`;
    } else if (r >= 0xd800 && r <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return `${out}"`;
}

/**
 * Go's `encoding/json` output for YAML-shaped data: map keys sorted, HTML characters escaped,
 * no spaces. Throws on values JSON cannot hold (NaN, ±Inf), as Go's encoder fails on them.
 */
export function goJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return jsonString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`json: unsupported value: ${goFloat(v)}`);
    return String(v);
  }
  if (v instanceof Uint8Array) return jsonString(Buffer.from(v).toString('base64'));
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (v instanceof Map) {
    const entries = [...v.entries()].map(([k, x]) => [String(k), x] as const);
    entries.sort((a, b) => cmpCodePoints(a[0], b[0]));
    return `{${entries.map(([k, x]) => `${jsonString(k)}:${goJson(x)}`).join(',')}}`;
  }
  if (typeof v === 'object') {
    const keys = Object.keys(v).sort(cmpCodePoints);
    const o = v as Record<string, unknown>;
    return `{${keys.map((k) => `${jsonString(k)}:${goJson(o[k])}`).join(',')}}`;
  }
  return jsonString(String(v));
}
