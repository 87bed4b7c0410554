// The files a Jsonnet source imports, found before evaluation. Jsonnet only allows literal import
// paths (`import "x"`, `importstr 'y'`, `importbin @"z"`; a computed path is a static error), so a
// lexer that skips comments and strings finds every one. Hangar fetches these files from the
// repository itself — the addon would otherwise read them from the server's disk — so this scan is
// what keeps an evaluation inside the repository.
import { posix } from 'node:path';

/** One `import`, `importstr` or `importbin` with a literal path, and where it stands (1-based). */
export interface ImportRef {
  kind: 'import' | 'importstr' | 'importbin';
  path: string;
  line: number;
  col: number;
}

const KEYWORDS = new Set(['import', 'importstr', 'importbin']);

// The single-character escapes of a quoted Jsonnet string (JSON's, plus \').
const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  "'": "'",
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** A source the lexer could not read (an unterminated string or comment); jsonnet will say so too. */
export class JsonnetScanError extends Error {
  override name = 'JsonnetScanError';
  constructor(
    message: string,
    readonly line: number,
    readonly col: number,
  ) {
    super(message);
  }
}

/** Every import with a literal path in `source`, in order. */
export function findImports(source: string): ImportRef[] {
  const lexer = new Lexer(source);
  const out: ImportRef[] = [];
  let pending: { kind: ImportRef['kind']; line: number; col: number } | undefined;
  for (;;) {
    const token = lexer.next();
    if (token.type === 'eof') break;
    if (pending) {
      // A text block or anything else after the keyword is a static error jsonnet reports itself.
      if (token.type === 'string')
        out.push({ kind: pending.kind, path: token.value, line: pending.line, col: pending.col });
      pending = undefined;
    }
    if (token.type === 'ident' && KEYWORDS.has(token.value)) {
      pending = { kind: token.value as ImportRef['kind'], line: token.line, col: token.col };
    }
  }
  return out;
}

/**
 * The repository path `path` names when imported from file `from` (both repository-relative), as
 * jsonnet resolves it: relative to the importing file's folder. Undefined when it is absolute or
 * leaves the repository.
 */
export function resolveImport(from: string, path: string): string | undefined {
  if (path === '' || path.startsWith('/') || path.includes('\0')) return undefined;
  const joined = posix.normalize(posix.join(posix.dirname(from), path));
  if (joined === '..' || joined.startsWith('../') || joined.startsWith('/') || joined === '.')
    return undefined;
  return joined;
}

type Token =
  | { type: 'eof' }
  | { type: 'ident'; value: string; line: number; col: number }
  | { type: 'string'; value: string; line: number; col: number }
  | { type: 'block'; line: number; col: number }
  | { type: 'other'; line: number; col: number };

class Lexer {
  private i = 0;
  private line = 1;
  private lineStart = 0;

  constructor(private readonly s: string) {}

  next(): Token {
    this.skipSpaceAndComments();
    const s = this.s;
    if (this.i >= s.length) return { type: 'eof' };
    const line = this.line;
    const col = this.i - this.lineStart + 1;
    const c = s[this.i] as string;
    if (/[A-Za-z_]/.test(c)) {
      const start = this.i;
      while (this.i < s.length && /[A-Za-z0-9_]/.test(s[this.i] as string)) this.i++;
      return { type: 'ident', value: s.slice(start, this.i), line, col };
    }
    if (c === '"' || c === "'") return { type: 'string', value: this.quoted(c, line, col), line, col };
    if (c === '@' && (s[this.i + 1] === '"' || s[this.i + 1] === "'")) {
      this.i++;
      return { type: 'string', value: this.verbatim(s[this.i] as string, line, col), line, col };
    }
    if (s.startsWith('|||', this.i)) {
      this.textBlock(line, col);
      return { type: 'block', line, col };
    }
    this.i++;
    return { type: 'other', line, col };
  }

  private advanceTo(end: number): void {
    for (; this.i < end; this.i++) {
      if (this.s[this.i] === '\n') {
        this.line++;
        this.lineStart = this.i + 1;
      }
    }
  }

  private skipSpaceAndComments(): void {
    const s = this.s;
    for (;;) {
      const c = s[this.i];
      if (c === undefined) return;
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
        this.advanceTo(this.i + 1);
      } else if (c === '#' || (c === '/' && s[this.i + 1] === '/')) {
        const nl = s.indexOf('\n', this.i);
        this.advanceTo(nl < 0 ? s.length : nl);
      } else if (c === '/' && s[this.i + 1] === '*') {
        const end = s.indexOf('*/', this.i + 2);
        if (end < 0) throw this.error('unterminated comment');
        this.advanceTo(end + 2);
      } else {
        return;
      }
    }
  }

  private error(message: string, line = this.line, col = this.i - this.lineStart + 1): JsonnetScanError {
    return new JsonnetScanError(message, line, col);
  }

  /** A '…' or "…" string with JSON-style escapes (and \' ). */
  private quoted(quote: string, line: number, col: number): string {
    const s = this.s;
    let out = '';
    let j = this.i + 1;
    for (;;) {
      const c = s[j];
      if (c === undefined) throw this.error('unterminated string', line, col);
      if (c === quote) break;
      if (c === '\\') {
        const e = s[j + 1];
        if (e !== undefined && SIMPLE_ESCAPES[e] !== undefined) {
          out += SIMPLE_ESCAPES[e];
          j += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(j + 2, j + 6))) {
          out += String.fromCharCode(Number.parseInt(s.slice(j + 2, j + 6), 16));
          j += 6;
        } else {
          // An unknown escape is a static error in jsonnet; keep the text, the evaluation fails anyway.
          out += c;
          j += 1;
        }
        continue;
      }
      out += c;
      j++;
    }
    this.advanceTo(j + 1);
    return out;
  }

  /** A verbatim @'…' or @"…" string: the quote doubled is a quote, nothing else is special. */
  private verbatim(quote: string, line: number, col: number): string {
    const s = this.s;
    let out = '';
    let j = this.i + 1;
    for (;;) {
      const c = s[j];
      if (c === undefined) throw this.error('unterminated string', line, col);
      if (c === quote) {
        if (s[j + 1] === quote) {
          out += quote;
          j += 2;
          continue;
        }
        break;
      }
      out += c;
      j++;
    }
    this.advanceTo(j + 1);
    return out;
  }

  /**
   * A ||| text block: the rest of the opening line is blank, the first content line sets the
   * indentation, and the block ends at the first line that does not start with it (which must be
   * blanks and `|||`).
   */
  private textBlock(line: number, col: number): void {
    const s = this.s;
    let j = this.i + 3;
    if (s[j] === '-') j++;
    while (s[j] === ' ' || s[j] === '\t') j++;
    if (s[j] === '\r') j++;
    if (s[j] !== '\n') throw this.error('text block: the opening ||| must end its line', line, col);
    j++;
    // Blank lines before the first content line belong to the block.
    while (s[j] === '\n') j++;
    let indent = '';
    while (s[j + indent.length] === ' ' || s[j + indent.length] === '\t') indent += s[j + indent.length];
    if (indent === '') throw this.error('text block: the first line must be indented', line, col);
    for (;;) {
      if (j >= s.length) throw this.error('unterminated text block', line, col);
      if (s[j] === '\n') {
        j++;
        continue;
      }
      if (s.startsWith(indent, j)) {
        const nl = s.indexOf('\n', j);
        if (nl < 0) throw this.error('unterminated text block', line, col);
        j = nl + 1;
        continue;
      }
      let k = j;
      while (s[k] === ' ' || s[k] === '\t') k++;
      if (!s.startsWith('|||', k)) throw this.error('text block: expected |||', line, col);
      this.advanceTo(k + 3);
      return;
    }
  }
}
