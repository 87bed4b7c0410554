// Drone matches condition values with doublestar v1 (aliased as `filepath` in drone-yaml and
// runner-go): `*` and `?` stop at `/`, `**` crosses it, `{a,b}` and `[...]` work, dot files are
// ordinary, and there is no negation or extglob. picomatch with these options behaves the same.
import picomatch from 'picomatch';

const OPTIONS: picomatch.PicomatchOptions = { dot: true, nonegate: true, noextglob: true };
const cache = new Map<string, (s: string) => boolean>();

/** Matches a value against one doublestar-style glob; an invalid pattern matches nothing. */
export function globMatch(pattern: string, value: string): boolean {
  let m = cache.get(pattern);
  if (!m) {
    try {
      m = picomatch(pattern, OPTIONS);
    } catch {
      m = () => false;
    }
    if (cache.size > 10_000) cache.clear();
    cache.set(pattern, m);
  }
  return m(value);
}
