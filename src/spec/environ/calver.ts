// DRONE_CALVER_* for tag builds whose major part looks like a year: runner-go `environ/calver.go`.

interface Calver {
  major: string;
  minor: string;
  micro: string;
  modifier: string;
}

/** Go's `strconv.Atoi` succeeds: optional sign, decimal digits, within int64. */
function isNumber(s: string): boolean {
  if (!/^[+-]?[0-9]+$/.test(s)) return false;
  const n = BigInt(s);
  return n >= -9223372036854775808n && n <= 9223372036854775807n;
}

/** `strconv.Atoi(s)` with errors read as 0, as Drone's `isYear` does. */
function atoi(s: string): number {
  return isNumber(s) ? Number(s) : 0;
}

/** Drone's deliberately loose calendar-version parser; undefined when major or minor is not a number. */
export function parseCalver(tag: string): Calver | undefined {
  const s = tag.startsWith('v') ? tag.slice(1) : tag;
  const dot = s.split('.');
  const p = dot.length > 3 ? [dot[0]!, dot[1]!, dot.slice(2).join('.')] : dot;
  if (p.length < 2) return undefined;
  const c: Calver = { major: p[0]!, minor: p[1]!, micro: p[2] ?? '', modifier: '' };
  const dash = c.micro.indexOf('-');
  if (dash !== -1) {
    c.modifier = c.micro.slice(dash + 1);
    c.micro = c.micro.slice(0, dash);
  }
  if (!isNumber(c.major) || !isNumber(c.minor)) return undefined;
  return c;
}

function isYear(s: string): boolean {
  const i = atoi(s);
  return (i > 18 && i < 100) || (i > 2018 && i < 9999);
}

function format(c: Calver): string {
  let s = `${c.major}.${c.minor}`;
  if (c.micro !== '') s += `.${c.micro}`;
  if (c.modifier !== '') s += `-${c.modifier}`;
  return s;
}

/** The DRONE_CALVER* variables for a tag name; empty when it is not a calendar version. */
export function calverEnviron(tag: string): Record<string, string> {
  const c = parseCalver(tag);
  if (!c || !isYear(c.major)) return {};
  const env: Record<string, string> = {
    DRONE_CALVER: format(c),
    DRONE_CALVER_MAJOR_MINOR: `${c.major}.${c.minor}`,
    DRONE_CALVER_MAJOR: c.major,
    DRONE_CALVER_MINOR: c.minor,
    DRONE_CALVER_MICRO: c.micro,
  };
  if (c.modifier !== '') env.DRONE_CALVER_MODIFIER = c.modifier;
  env.DRONE_CALVER_SHORT = format({ ...c, modifier: '' });
  return env;
}
