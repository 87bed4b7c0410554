// Bash parameter-expansion patterns (`${v#p}`, `${v//p/r}`): `*` (any run, `/` included), `?`,
// `[...]` / `[!...]` / `[^...]`, and `\x` for a literal x. Malformed brackets are literal, as in bash.
// Matching simulates the pattern as an NFA over code points, so it is O(value × pattern) and never
// backtracks, whatever the user writes.

type Token =
  | { kind: 'lit'; cp: number }
  | { kind: 'any' }
  | { kind: 'star' }
  | { kind: 'set'; negate: boolean; ranges: number[] };

/** A compiled pattern; `reversed` matches the reversed value (used for suffixes). */
export interface Pattern {
  readonly tokens: readonly Token[];
  readonly reversed: readonly Token[];
  /** True when the pattern has no wildcard, so plain string search is exact. */
  readonly literal: string | undefined;
}

/** Compiles a bash glob pattern. */
export function compilePattern(src: string): Pattern {
  const cps = Array.from(src, (c) => c.codePointAt(0)!);
  const tokens: Token[] = [];
  let literal = true;
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    if (c === 0x5c /* \ */ && i + 1 < cps.length) {
      tokens.push({ kind: 'lit', cp: cps[++i]! });
    } else if (c === 0x2a /* * */) {
      literal = false;
      // Runs of stars are one star; fewer states, same language.
      if (tokens[tokens.length - 1]?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (c === 0x3f /* ? */) {
      literal = false;
      tokens.push({ kind: 'any' });
    } else if (c === 0x5b /* [ */) {
      const set = parseSet(cps, i);
      if (set) {
        literal = false;
        tokens.push(set.token);
        i = set.end;
      } else {
        tokens.push({ kind: 'lit', cp: c });
      }
    } else {
      tokens.push({ kind: 'lit', cp: c });
    }
  }
  const lit = literal ? String.fromCodePoint(...tokens.map((t) => (t.kind === 'lit' ? t.cp : 0))) : undefined;
  return { tokens, reversed: [...tokens].reverse(), literal: lit };
}

/** Parses `[...]` starting at `open`; undefined when it is not closed (then `[` is literal). */
function parseSet(cps: number[], open: number): { token: Token; end: number } | undefined {
  let i = open + 1;
  let negate = false;
  if (cps[i] === 0x21 /* ! */ || cps[i] === 0x5e /* ^ */) {
    negate = true;
    i++;
  }
  const ranges: number[] = [];
  let first = true;
  while (i < cps.length) {
    let c = cps[i]!;
    if (c === 0x5d /* ] */ && !first) return { token: { kind: 'set', negate, ranges }, end: i };
    first = false;
    if (c === 0x5c && i + 1 < cps.length) c = cps[++i]!;
    let hi = c;
    if (cps[i + 1] === 0x2d /* - */ && i + 2 < cps.length && cps[i + 2] !== 0x5d) {
      hi = cps[i + 2]!;
      i += 2;
      if (hi === 0x5c && i + 1 < cps.length) hi = cps[++i]!;
    }
    ranges.push(c, hi);
    i++;
  }
  return undefined;
}

function accepts(t: Token, cp: number): boolean {
  switch (t.kind) {
    case 'lit':
      return t.cp === cp;
    case 'any':
      return true;
    case 'set': {
      let hit = false;
      for (let k = 0; k < t.ranges.length; k += 2) {
        if (cp >= t.ranges[k]! && cp <= t.ranges[k + 1]!) {
          hit = true;
          break;
        }
      }
      return hit !== t.negate;
    }
    case 'star':
      return true;
  }
}

/**
 * Lengths of the shortest and the longest prefix of `cps` that the tokens match (-1 when none).
 * The empty prefix counts, as in bash.
 */
export function prefixMatch(
  tokens: readonly Token[],
  cps: readonly number[],
): { shortest: number; longest: number } {
  const m = tokens.length;
  let cur = new Uint8Array(m + 1);
  let next = new Uint8Array(m + 1);
  cur[0] = 1;
  closeOver(tokens, cur);
  let shortest = -1;
  let longest = -1;
  if (cur[m]) shortest = longest = 0;
  for (let k = 0; k < cps.length; k++) {
    next.fill(0);
    let alive = false;
    for (let i = 0; i < m; i++) {
      if (!cur[i]) continue;
      const t = tokens[i]!;
      if (t.kind === 'star') {
        next[i] = 1;
        alive = true;
      } else if (accepts(t, cps[k]!)) {
        next[i + 1] = 1;
        alive = true;
      }
    }
    if (!alive) break;
    closeOver(tokens, next);
    [cur, next] = [next, cur];
    if (cur[m]) {
      if (shortest < 0) shortest = k + 1;
      longest = k + 1;
    }
  }
  return { shortest, longest };
}

function closeOver(tokens: readonly Token[], set: Uint8Array): void {
  for (let i = 0; i < tokens.length; i++) if (set[i] && tokens[i]!.kind === 'star') set[i + 1] = 1;
}

/**
 * The leftmost, then longest, non-empty match of the tokens in `cps` at or after `from`, as
 * [start, end), or undefined. Each NFA state keeps only its earliest start: two threads in the same
 * state have the same future, so the earlier one always wins.
 */
export function findMatch(
  tokens: readonly Token[],
  cps: readonly number[],
  from: number,
): [number, number] | undefined {
  const m = tokens.length;
  let cur = new Int32Array(m + 1).fill(-1);
  let next = new Int32Array(m + 1).fill(-1);
  let bestStart = -1;
  let bestEnd = -1;
  for (let k = from; k <= cps.length; k++) {
    if (bestStart < 0 && cur[0] === -1) {
      cur[0] = k;
      closeOverStarts(tokens, cur);
    }
    const s = cur[m]!;
    if (s >= 0 && k > s && (bestStart < 0 || s < bestStart || (s === bestStart && k > bestEnd))) {
      bestStart = s;
      bestEnd = k;
    }
    if (k === cps.length) break;
    next.fill(-1);
    let alive = false;
    for (let i = 0; i < m; i++) {
      const st = cur[i]!;
      // Threads that started after the best match can no longer beat it.
      if (st < 0 || (bestStart >= 0 && st > bestStart)) continue;
      const t = tokens[i]!;
      const to = t.kind === 'star' ? i : accepts(t, cps[k]!) ? i + 1 : -1;
      if (to < 0) continue;
      if (next[to] === -1 || st < next[to]!) next[to] = st;
      alive = true;
    }
    closeOverStarts(tokens, next);
    [cur, next] = [next, cur];
    if (!alive && bestStart >= 0) break;
  }
  return bestStart >= 0 ? [bestStart, bestEnd] : undefined;
}

function closeOverStarts(tokens: readonly Token[], set: Int32Array): void {
  for (let i = 0; i < tokens.length; i++) {
    const s = set[i]!;
    if (s >= 0 && tokens[i]!.kind === 'star' && (set[i + 1] === -1 || s < set[i + 1]!)) set[i + 1] = s;
  }
}
