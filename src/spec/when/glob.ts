// Drone matches condition values with doublestar v1.1.1 (`filepath` in drone-yaml and runner-go).
// This is a port of its semantics, not of its code: pattern and value are split on `/`; a `**`
// component spans components (at the end of a pattern, one or more; elsewhere, zero or more); inside a
// component `*` and `?` never cross `/`, `[...]` negates only with `^`, `{a,b}` alternatives cannot
// contain `/`, and `\x` is a literal x. Dot files are ordinary; `!`, `(…)`, `+(…)` are literal
// characters. A malformed pattern (unclosed `[` or `{`, empty or ill-formed class, trailing `\`)
// matches nothing. Also as in doublestar: an empty value component matches only `*` (so `*` matches
// ''), a trailing `/` is ignored on both sides, and a `*` may match nothing at the end of a value only
// when it is the pattern's last character.
//
// Matching never backtracks: each component runs as an NFA over code points and the `**` walk is
// memoised, so the cost is bounded by pattern size × value size.

type Token =
  | { kind: 'lit'; cp: number }
  | { kind: 'any' }
  | { kind: 'star' }
  | { kind: 'set'; negate: boolean; ranges: number[] };

interface Component {
  /** The component as written (doublestar compares it textually in two places). */
  text: string;
  /** True for a `**` component. */
  globstar: boolean;
  /** Brace-expanded alternatives; empty when the component is malformed. */
  alternatives: Token[][];
}

// Brace expansion multiplies; past this many alternatives the pattern is treated as malformed.
const MAX_ALTERNATIVES = 1024;

/** doublestar's splitPathOnSeparator: a separator after `\` does not split, a trailing one is dropped. */
function split(s: string, sep: string): string[] {
  if (!s.includes(sep)) return [s];
  const out: string[] = [];
  let start = 0;
  while (start < s.length) {
    let end = s.indexOf(sep, start);
    while (end > 0 && s[end - 1] === '\\') end = s.indexOf(sep, end + 1);
    if (end < 0) end = s.length;
    out.push(s.slice(start, end));
    start = end + sep.length;
  }
  return out;
}

/** Index of the first `c` at or after `from` that does not follow a backslash, or -1. */
function indexUnescaped(s: string, c: string, from: number): number {
  let i = s.indexOf(c, from);
  while (i > 0 && s[i - 1] === '\\') i = s.indexOf(c, i + 1);
  return i;
}

/** Parses a class body (between `[` and `]`), or undefined when doublestar calls it malformed. */
function parseClass(body: string): Token | undefined {
  const cps = Array.from(body, (c) => c.codePointAt(0)!);
  if (cps.length === 0) return undefined;
  const negate = cps[0] === 0x5e; /* ^ */
  const ranges: number[] = [];
  let i = negate ? 1 : 0;
  const read = (): number | undefined => {
    let c = cps[i++];
    if (c === 0x5c /* \ */) c = cps[i++];
    return c;
  };
  while (i < cps.length) {
    if (cps[i] === 0x2d /* - */) return undefined;
    const lo = read();
    if (lo === undefined) return undefined;
    let hi = lo;
    if (cps[i] === 0x2d) {
      i++;
      if (i >= cps.length || cps[i] === 0x2d) return undefined;
      const h = read();
      if (h === undefined) return undefined;
      hi = h;
    }
    ranges.push(lo, hi);
  }
  return { kind: 'set', negate, ranges };
}

/** Tokenizes one component, expanding `{…}` textually (option + rest) as doublestar does. */
function expand(text: string, budget: { left: number }): Token[][] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = String.fromCodePoint(text.codePointAt(i)!);
    if (c === '\\') {
      if (i + 1 >= text.length) return undefined;
      const e = String.fromCodePoint(text.codePointAt(i + 1)!);
      tokens.push({ kind: 'lit', cp: e.codePointAt(0)! });
      i += 1 + e.length;
    } else if (c === '*') {
      tokens.push({ kind: 'star' });
      i++;
    } else if (c === '?') {
      tokens.push({ kind: 'any' });
      i++;
    } else if (c === '[') {
      const end = indexUnescaped(text, ']', i + 1);
      if (end < 0) return undefined;
      const set = parseClass(text.slice(i + 1, end));
      if (!set) return undefined;
      tokens.push(set);
      i = end + 1;
    } else if (c === '{') {
      const end = indexUnescaped(text, '}', i + 1);
      if (end < 0) return undefined;
      const rest = text.slice(end + 1);
      const out: Token[][] = [];
      for (const option of split(text.slice(i + 1, end), ',')) {
        // A malformed option only loses its own alternatives.
        for (const alt of expand(option + rest, budget) ?? []) {
          if (--budget.left < 0) return undefined;
          out.push([...tokens, ...alt]);
        }
      }
      return out;
    } else {
      tokens.push({ kind: 'lit', cp: c.codePointAt(0)! });
      i += c.length;
    }
  }
  return [tokens];
}

function accepts(t: Token, cp: number): boolean {
  if (t.kind === 'lit') return t.cp === cp;
  if (t.kind !== 'set') return true;
  let hit = false;
  for (let k = 0; k < t.ranges.length && !hit; k += 2) hit = cp >= t.ranges[k]! && cp <= t.ranges[k + 1]!;
  return hit !== t.negate;
}

/** One alternative against one non-empty value component. */
function runTokens(tokens: readonly Token[], cps: readonly number[]): boolean {
  const m = tokens.length;
  let cur = new Uint8Array(m + 1);
  let next = new Uint8Array(m + 1);
  cur[0] = 1;
  for (const cp of cps) {
    // A star may match nothing only while characters remain (see the header).
    for (let i = 0; i < m; i++) if (cur[i] && tokens[i]!.kind === 'star') cur[i + 1] = 1;
    next.fill(0);
    let alive = false;
    for (let i = 0; i < m; i++) {
      if (!cur[i]) continue;
      const t = tokens[i]!;
      if (t.kind === 'star') next[i] = 1;
      else if (accepts(t, cp)) next[i + 1] = 1;
      else continue;
      alive = true;
    }
    if (!alive) return false;
    [cur, next] = [next, cur];
  }
  return cur[m] === 1 || (m > 0 && tokens[m - 1]!.kind === 'star' && cur[m - 1] === 1);
}

function matchComponent(c: Component, value: string): boolean {
  if (value === '') return c.text === '' || c.text === '*';
  if (c.text === '') return false;
  const cps = Array.from(value, (ch) => ch.codePointAt(0)!);
  return c.alternatives.some((alt) => runTokens(alt, cps));
}

function compile(pattern: string): Component[] {
  return split(pattern, '/').map((text) => ({
    text,
    globstar: text === '**',
    alternatives: expand(text, { left: MAX_ALTERNATIVES }) ?? [],
  }));
}

function matchCompiled(pattern: readonly Component[], value: string): boolean {
  const names = split(value, '/');
  const P = pattern.length;
  const N = names.length;
  // memo[p * (N + 1) + n]: 0 unknown, 1 true, 2 false.
  const memo = new Uint8Array((P + 1) * (N + 1));
  const walk = (p: number, n: number): boolean => {
    if (p === P || n === N) return p === P && n === N;
    const key = p * (N + 1) + n;
    if (memo[key]) return memo[key] === 1;
    let ok: boolean;
    if (pattern[p]!.globstar) {
      ok = p + 1 === P;
      for (let k = n; !ok && k < N; k++) ok = walk(p + 1, k);
    } else {
      ok = matchComponent(pattern[p]!, names[n]!) && walk(p + 1, n + 1);
    }
    memo[key] = ok ? 1 : 2;
    return ok;
  };
  return walk(0, 0);
}

const cache = new Map<string, Component[]>();

/** Matches a value against one doublestar-v1 glob; a malformed pattern matches nothing. */
export function globMatch(pattern: string, value: string): boolean {
  let c = cache.get(pattern);
  if (!c) {
    c = compile(pattern);
    if (cache.size > 10_000) cache.clear();
    cache.set(pattern, c);
  }
  return matchCompiled(c, value);
}
