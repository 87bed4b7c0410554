// Go's strconv.Quote (`fmt.Sprintf("%q", s)`): Drone inserts a value that contains a newline this
// way so that it stays one YAML scalar.

const NAMED: ReadonlyMap<string, string> = new Map([
  ['\x07', '\\a'],
  ['\b', '\\b'],
  ['\f', '\\f'],
  ['\n', '\\n'],
  ['\r', '\\r'],
  ['\t', '\\t'],
  ['\v', '\\v'],
  ['\\', '\\\\'],
  ['"', '\\"'],
]);

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** Quotes a string exactly as Go's `%q` verb does. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    let cp = ch.codePointAt(0)!;
    const named = NAMED.get(ch);
    if (named !== undefined) {
      out += named;
    } else if (cp < 0x20 || cp === 0x7f) {
      out += `\\x${hex(cp, 2)}`;
    } else {
      // A lone surrogate is not valid UTF-8; Go would see U+FFFD after encoding.
      if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
      const c = String.fromCodePoint(cp);
      if (PRINTABLE.test(c)) out += c;
      else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`;
      else out += `\\U${hex(cp, 8)}`;
    }
  }
  return `${out}"`;
}
