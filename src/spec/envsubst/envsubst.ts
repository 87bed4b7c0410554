// Drone's pre-parse substitution (drone/envsubst, drone-reference.md §4.6) over the raw config text.
// One left-to-right pass that evaluates while it parses: text is copied in slices between `$`s,
// only `${` starts an expression, `$$` is a literal `$`, and a bare `$NAME` is left alone so that
// shell variables in `commands` survive.
import * as fn from './funcs.js';
import { goQuote } from './quote.js';

/** A malformed `${…}`; line and column (1-based, in code points) locate its `${`. */
export class EnvsubstError extends Error {
  override readonly name = 'EnvsubstError';
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`bad substitution at ${line}:${column}: ${reason}`);
  }
}

/** Looks up a variable; undefined (unset) and '' both count as empty, as in Drone. */
export type Lookup = (name: string) => string | undefined;

// Deeper nesting than this is certainly not a real config; it would only exhaust the stack.
const MAX_DEPTH = 64;

/** Expands every `${…}` in `text`; throws EnvsubstError on a malformed expression. */
export function envsubst(text: string, lookup: Lookup): string {
  if (!text.includes('$')) return text;
  return new Expander(text, lookup).run();
}

const isNameChar = (c: string): boolean => /^[\p{L}\p{N}_]$/u.test(c);

class Expander {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly src: string,
    private readonly lookup: Lookup,
  ) {}

  run(): string {
    const s = this.src;
    let out = '';
    let copied = 0;
    for (;;) {
      const d = s.indexOf('$', this.pos);
      if (d < 0) break;
      const next = s.charCodeAt(d + 1);
      if (next === 0x24 /* $ */) {
        out += s.slice(copied, d + 1);
        copied = this.pos = d + 2;
      } else if (next === 0x7b /* { */) {
        out += s.slice(copied, d);
        this.pos = d;
        out += this.expression();
        copied = this.pos;
      } else {
        this.pos = d + 1;
      }
    }
    return out + s.slice(copied);
  }

  /** The value of a variable, Go-quoted when it holds a newline (Drone's runner does this). */
  private value(name: string): string {
    const v = this.lookup(name) ?? '';
    return v.includes('\n') ? goQuote(v) : v;
  }

  /** Parses and evaluates one `${…}`; `pos` is at its `$` and ends after its `}`. */
  private expression(): string {
    const open = this.pos;
    if (++this.depth > MAX_DEPTH) this.fail(open, `more than ${MAX_DEPTH} nested expressions`);
    this.pos += 2;
    const s = this.src;
    let result: string;
    if (s[this.pos] === '#' && s[this.pos + 1] !== '}') {
      this.pos++;
      const name = this.name(open);
      this.close(open);
      result = fn.len(this.value(name));
    } else {
      const name = this.name(open);
      result = this.operator(open, name);
    }
    this.depth--;
    return result;
  }

  private operator(open: number, name: string): string {
    const s = this.src;
    const c = s[this.pos];
    switch (c) {
      case '}':
        this.pos++;
        return this.value(name);
      case ':': {
        const op = s[this.pos + 1];
        if (op === '=' || op === '-' || op === '?' || op === '+') {
          // `:?` and `:+` are not bash's error/alternate forms: Drone maps them to the default.
          this.pos += 2;
          return this.defaulted(open, name);
        }
        return this.substring(open, name);
      }
      case '=':
        this.pos++;
        return this.defaulted(open, name);
      case ',':
      case '^':
        return this.casing(open, name);
      case '#':
      case '%':
        return this.trim(open, name, c);
      case '/':
        return this.replace(open, name);
      case undefined:
        return this.fail(open, 'missing closing "}"');
      default:
        return this.fail(open, `unexpected ${JSON.stringify(c)} after the variable name`);
    }
  }

  private defaulted(open: number, name: string): string {
    const args = this.argument(open, '}', 'plain');
    this.close(open);
    return fn.defaultValue(this.value(name), args);
  }

  private substring(open: number, name: string): string {
    this.pos++;
    const offset = this.argument(open, ':}', 'plain');
    if (offset === '') this.fail(open, 'missing offset after ":"');
    const args = [offset];
    if (this.src[this.pos] === ':') {
      // Drone's scanner swallows a run of colons here.
      while (this.src[this.pos] === ':') this.pos++;
      const length = this.argument(open, '}', 'plain');
      if (length === '') this.fail(open, 'missing length after ":"');
      args.push(length);
    }
    this.close(open);
    return fn.substr(this.value(name), ...args);
  }

  private casing(open: number, name: string): string {
    const s = this.src;
    const start = this.pos;
    while (this.pos - start < 2 && (s[this.pos] === ',' || s[this.pos] === '^')) this.pos++;
    const op = s.slice(start, this.pos);
    this.close(open);
    const v = this.value(name);
    switch (op) {
      case ',':
        return fn.lowerFirst(v);
      case ',,':
        return fn.lower(v);
      case '^':
        return fn.upperFirst(v);
      case '^^':
        return fn.upper(v);
      default:
        // A mixed `,^` parses in Drone and falls through to the default function: the value.
        return v;
    }
  }

  private trim(open: number, name: string, c: '#' | '%'): string {
    const s = this.src;
    const start = this.pos;
    while (this.pos - start < 2 && s[this.pos] === c) this.pos++;
    const longest = this.pos - start === 2;
    const pattern = this.argument(open, '}', 'plain');
    if (pattern === '') this.fail(open, `missing pattern after "${c}"`);
    this.close(open);
    const v = this.value(name);
    if (c === '#') return longest ? fn.trimLongestPrefix(v, pattern) : fn.trimShortestPrefix(v, pattern);
    return longest ? fn.trimLongestSuffix(v, pattern) : fn.trimShortestSuffix(v, pattern);
  }

  private replace(open: number, name: string): string {
    const s = this.src;
    this.pos++;
    let mode = '/';
    const m = s[this.pos];
    if (m === '/' || m === '#' || m === '%') {
      mode += m;
      this.pos++;
    }
    const pattern = this.argument(open, '/}', 'pattern');
    let repl = '';
    if (s[this.pos] === '/') {
      this.pos++;
      repl = this.argument(open, '}', 'replacement');
    }
    this.close(open);
    const v = this.value(name);
    switch (mode) {
      case '//':
        return fn.replaceAll(v, pattern, repl);
      case '/#':
        return fn.replacePrefix(v, pattern, repl);
      case '/%':
        return fn.replaceSuffix(v, pattern, repl);
      default:
        return fn.replaceFirst(v, pattern, repl);
    }
  }

  /**
   * Text up to one of `stops` (not consumed), with nested `${…}` expanded. In a `pattern` a backslash
   * keeps the next character (the glob compiler reads `\x` as a literal x); in a `replacement`,
   * `\/`, `\\` and `$$` are unescaped, as in Drone.
   */
  private argument(open: number, stops: string, kind: 'plain' | 'pattern' | 'replacement'): string {
    const s = this.src;
    let out = '';
    for (;;) {
      const c = s[this.pos];
      if (c === undefined) return this.fail(open, 'missing closing "}"');
      if (stops.includes(c)) return out;
      if (c === '$' && s[this.pos + 1] === '{') {
        out += this.expression();
        continue;
      }
      if (kind !== 'plain' && c === '$' && s[this.pos + 1] === '$') {
        out += '$';
        this.pos += 2;
        continue;
      }
      if (c === '\\' && kind !== 'plain') {
        const e = s[this.pos + 1];
        if (kind === 'pattern' && e !== undefined) {
          out += c + e;
          this.pos += 2;
          continue;
        }
        if (kind === 'replacement' && (e === '/' || e === '\\')) {
          out += e;
          this.pos += 2;
          continue;
        }
      }
      out += c;
      this.pos++;
    }
  }

  private name(open: number): string {
    const s = this.src;
    const start = this.pos;
    for (;;) {
      const cp = s.codePointAt(this.pos);
      if (cp === undefined) break;
      const ch = String.fromCodePoint(cp);
      if (!isNameChar(ch)) break;
      this.pos += ch.length;
    }
    if (this.pos === start) {
      const c = s[this.pos];
      this.fail(open, c === undefined ? 'missing closing "}"' : 'missing variable name');
    }
    return s.slice(start, this.pos);
  }

  private close(open: number): void {
    const c = this.src[this.pos];
    if (c === '}') {
      this.pos++;
      return;
    }
    this.fail(
      open,
      c === undefined ? 'missing closing "}"' : `unexpected ${JSON.stringify(c)}, expected "}"`,
    );
  }

  private fail(at: number, reason: string): never {
    const s = this.src;
    const lineStart = s.lastIndexOf('\n', at - 1) + 1;
    const line = countNewlines(s, at) + 1;
    const column = Array.from(s.slice(lineStart, at)).length + 1;
    throw new EnvsubstError(`${reason} in ${excerpt(s, at)}`, line, column);
  }
}

function countNewlines(s: string, end: number): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0 && i < end; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** The expression as written, cut at its line end or 40 characters. */
function excerpt(s: string, at: number): string {
  let end = s.indexOf('\n', at);
  if (end < 0) end = s.length;
  const closing = s.indexOf('}', at);
  if (closing >= 0 && closing < end) end = closing + 1;
  const text = s.slice(at, Math.min(end, at + 40));
  return JSON.stringify(end > at + 40 ? `${text}…` : text);
}
