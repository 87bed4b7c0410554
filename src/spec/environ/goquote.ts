// Go's `strconv.Quote` (`fmt.Sprintf("%q", s)`): Drone uses it for script trace lines, for
// substituted values that contain a newline, and in error messages we reproduce byte for byte.

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

const SHORT: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
};

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** Quotes a string exactly as Go's `strconv.Quote` does (printable Unicode kept, the rest escaped). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const r = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') {
      out += `\\${ch}`;
    } else if (r === 0x20 || PRINTABLE.test(ch)) {
      out += ch;
    } else if (SHORT[ch] !== undefined) {
      out += SHORT[ch];
    } else if (r < 0x20 || r === 0x7f) {
      out += `\\x${hex(r, 2)}`;
    } else if (r >= 0xd800 && r <= 0xdfff) {
      // A lone surrogate is not valid UTF-8: Go would see U+FFFD.
      out += '\\ufffd';
    } else if (r < 0x10000) {
      out += `\\u${hex(r, 4)}`;
    } else {
      out += `\\U${hex(r, 8)}`;
    }
  }
  return `${out}"`;
}
