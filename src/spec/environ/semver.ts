// DRONE_SEMVER_* for tag builds: runner-go `environ/semver.go` on top of coreos/go-semver v0.3.0,
// including its error strings (they reach users as DRONE_SEMVER_ERROR).
import { goQuote } from '../envsubst/quote.js';

const IDENTIFIER = /^[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$/;
const INT64_MAX = 9223372036854775807n;

interface Version {
  major: bigint;
  minor: bigint;
  patch: bigint;
  preRelease: string;
  metadata: string;
}

/** go-semver's `splitOff`: the part after the first `delim`, removing it from the input. */
function splitOff(input: string, delim: string): [rest: string, value: string] {
  const i = input.indexOf(delim);
  return i === -1 ? [input, ''] : [input.slice(0, i), input.slice(i + delim.length)];
}

/** Go's `strconv.ParseInt(s, 10, 64)` for the digits go-semver can see (signs were split off). */
function parseInt64(s: string): bigint {
  if (!/^[0-9]+$/.test(s)) throw new Error(`strconv.ParseInt: parsing ${goQuote(s)}: invalid syntax`);
  const n = BigInt(s);
  if (n > INT64_MAX) throw new Error(`strconv.ParseInt: parsing ${goQuote(s)}: value out of range`);
  return n;
}

function validateIdentifier(id: string): void {
  if (id !== '' && !IDENTIFIER.test(id)) throw new Error(`${id} is not a valid semver identifier`);
}

/** Parses like go-semver's `NewVersion`; throws with go-semver's message. */
function parseSemver(text: string): Version {
  const [afterMeta, metadata] = splitOff(text, '+');
  const [core, preRelease] = splitOff(afterMeta, '-');
  const dot = core.split('.');
  const parts = dot.length > 3 ? [dot[0]!, dot[1]!, dot.slice(2).join('.')] : dot;
  if (parts.length !== 3) throw new Error(`${core} is not in dotted-tri format`);
  try {
    validateIdentifier(preRelease);
  } catch (e) {
    throw new Error(`failed to validate pre-release: ${(e as Error).message}`);
  }
  try {
    validateIdentifier(metadata);
  } catch (e) {
    throw new Error(`failed to validate metadata: ${(e as Error).message}`);
  }
  const [major, minor, patch] = parts.map(parseInt64) as [bigint, bigint, bigint];
  return { major, minor, patch, preRelease, metadata };
}

function format(v: Version): string {
  let s = `${v.major}.${v.minor}.${v.patch}`;
  if (v.preRelease !== '') s += `-${v.preRelease}`;
  if (v.metadata !== '') s += `+${v.metadata}`;
  return s;
}

/** The DRONE_SEMVER* variables for a tag name (one leading `v` is ignored), or DRONE_SEMVER_ERROR. */
export function semverEnviron(tag: string): Record<string, string> {
  const text = tag.startsWith('v') ? tag.slice(1) : tag;
  let v: Version;
  try {
    v = parseSemver(text);
  } catch (e) {
    return { DRONE_SEMVER_ERROR: (e as Error).message };
  }
  const env: Record<string, string> = {
    DRONE_SEMVER: format(v),
    DRONE_SEMVER_MAJOR: String(v.major),
    DRONE_SEMVER_MINOR: String(v.minor),
    DRONE_SEMVER_PATCH: String(v.patch),
  };
  if (v.preRelease !== '') env.DRONE_SEMVER_PRERELEASE = v.preRelease;
  if (v.metadata !== '') env.DRONE_SEMVER_BUILD = v.metadata;
  env.DRONE_SEMVER_SHORT = format({ ...v, preRelease: '', metadata: '' });
  return env;
}
