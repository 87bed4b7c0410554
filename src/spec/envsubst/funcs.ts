// The string functions behind each `${…}` operator, named as in drone/envsubst funcs.go. Positions
// and lengths count code points (bash counts characters; Go's byte offsets could split a character).
import { compilePattern, findMatch, type Pattern, prefixMatch } from './pattern.js';

const codePoints = (s: string): number[] => Array.from(s, (c) => c.codePointAt(0)!);
const fromCodePoints = (cps: readonly number[], start = 0, end = cps.length): string => {
  let out = '';
  // Chunked so that very long values never exceed the argument limit of fromCodePoint.
  for (let i = start; i < end; i += 4096)
    out += String.fromCodePoint(...cps.slice(i, Math.min(end, i + 4096)));
  return out;
};

/** `${#v}`. */
export function len(s: string): string {
  let n = 0;
  for (const _ of s) n++;
  return String(n);
}

/** `${v,,}`. */
export function lower(s: string): string {
  return s.toLowerCase();
}

/** `${v^^}`. */
export function upper(s: string): string {
  return s.toUpperCase();
}

/** `${v,}`. */
export function lowerFirst(s: string): string {
  const first = s.codePointAt(0);
  if (first === undefined) return s;
  const c = String.fromCodePoint(first);
  return c.toLowerCase() + s.slice(c.length);
}

/** `${v^}`. */
export function upperFirst(s: string): string {
  const first = s.codePointAt(0);
  if (first === undefined) return s;
  const c = String.fromCodePoint(first);
  return c.toUpperCase() + s.slice(c.length);
}

/** `${v=d}` and every other default form: the value, or the concatenated args when it is empty. */
export function defaultValue(s: string, ...args: string[]): string {
  return s === '' && args.length > 0 ? args.join('') : s;
}

/** Go's strconv.Atoi accepts an optional sign and decimal digits, nothing else. */
function atoi(s: string): number | undefined {
  return /^[+-]?[0-9]+$/.test(s) ? Number(s) : undefined;
}

/** `${v:pos}` and `${v:pos:len}`; an unparsable number leaves the value as is (as bash and Drone do). */
export function substr(s: string, ...args: string[]): string {
  if (args.length === 0) return s;
  let pos = atoi(args[0]!);
  if (pos === undefined) return s;
  const cps = codePoints(s);
  const n = cps.length;
  if (pos < 0) pos = Math.max(0, n + pos);
  if (pos >= n) return '';
  if (args.length === 1) return fromCodePoints(cps, pos);
  const length = atoi(args[1]!);
  if (length === undefined) return s;
  // A negative length counts back from the end (bash); Drone would panic here.
  const end = length < 0 ? n + length : pos + length;
  if (end <= pos) return '';
  return fromCodePoints(cps, pos, Math.min(end, n));
}

function trimPrefix(s: string, pattern: string, longest: boolean): string {
  const p = compilePattern(pattern);
  const cps = codePoints(s);
  const m = prefixMatch(p.tokens, cps);
  const k = longest ? m.longest : m.shortest;
  return k > 0 ? fromCodePoints(cps, k) : s;
}

function trimSuffix(s: string, pattern: string, longest: boolean): string {
  const p = compilePattern(pattern);
  const cps = codePoints(s);
  const m = prefixMatch(p.reversed, [...cps].reverse());
  const k = longest ? m.longest : m.shortest;
  return k > 0 ? fromCodePoints(cps, 0, cps.length - k) : s;
}

/** `${v#p}`: removes the shortest prefix matching p. */
export function trimShortestPrefix(s: string, pattern = ''): string {
  return trimPrefix(s, pattern, false);
}

/** `${v##p}`: removes the longest prefix matching p. */
export function trimLongestPrefix(s: string, pattern = ''): string {
  return trimPrefix(s, pattern, true);
}

/** `${v%p}`: removes the shortest suffix matching p. */
export function trimShortestSuffix(s: string, pattern = ''): string {
  return trimSuffix(s, pattern, false);
}

/** `${v%%p}`: removes the longest suffix matching p. */
export function trimLongestSuffix(s: string, pattern = ''): string {
  return trimSuffix(s, pattern, true);
}

function replace(s: string, p: Pattern, repl: string, all: boolean): string {
  if (p.literal !== undefined) {
    if (p.literal === '') return s;
    return all ? s.split(p.literal).join(repl) : s.replace(p.literal, () => repl);
  }
  const cps = codePoints(s);
  let out = '';
  let from = 0;
  let copied = 0;
  while (from <= cps.length) {
    const hit = findMatch(p.tokens, cps, from);
    if (!hit) break;
    out += fromCodePoints(cps, copied, hit[0]) + repl;
    copied = from = hit[1];
    if (!all) break;
  }
  return out + fromCodePoints(cps, copied);
}

/** `${v/p/r}`: replaces the first (leftmost, longest) match of p. */
export function replaceFirst(s: string, pattern = '', repl = ''): string {
  return replace(s, compilePattern(pattern), repl, false);
}

/** `${v//p/r}`: replaces every match of p. */
export function replaceAll(s: string, pattern = '', repl = ''): string {
  return replace(s, compilePattern(pattern), repl, true);
}

/** `${v/#p/r}`: replaces the longest prefix matching p (an empty p prepends r, as in bash). */
export function replacePrefix(s: string, pattern = '', repl = ''): string {
  const cps = codePoints(s);
  const k = prefixMatch(compilePattern(pattern).tokens, cps).longest;
  return k < 0 ? s : repl + fromCodePoints(cps, k);
}

/** `${v/%p/r}`: replaces the longest suffix matching p (an empty p appends r, as in bash). */
export function replaceSuffix(s: string, pattern = '', repl = ''): string {
  const cps = codePoints(s);
  const k = prefixMatch(compilePattern(pattern).reversed, [...cps].reverse()).longest;
  return k < 0 ? s : fromCodePoints(cps, 0, cps.length - k) + repl;
}

/** The functions by drone/envsubst's Go names (as in its funcs_test.go). */
export const substitutionFunctions: Readonly<Record<string, (s: string, ...args: string[]) => string>> = {
  len,
  lower,
  lowerFirst,
  upper,
  upperFirst,
  default: defaultValue,
  substr,
  trimShortestPrefix,
  trimLongestPrefix,
  trimShortestSuffix,
  trimLongestSuffix,
  replaceFirst,
  replaceAll,
  replacePrefix,
  replaceSuffix,
};
