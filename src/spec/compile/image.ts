// Docker image references as Drone's docker runner reads them (`internal/docker/image` on top of
// docker/distribution `reference`): normalisation to a fully-qualified name, tag-less matching,
// the registry host, and the effective pull policy.
import type { PullPolicy } from '../plan.js';

const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]*)';
const NAME_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const NAME = `(?:${DOMAIN}/)?${NAME_COMPONENT}(?:/${NAME_COMPONENT})*`;

const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ANCHORED_NAME = new RegExp(`^(?:(${DOMAIN})/)?(${NAME_COMPONENT}(?:/${NAME_COMPONENT})*)$`);
const IDENTIFIER = /^[a-f0-9]{64}$/;
const DIGEST_SIZES: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
const NAME_TOTAL_LENGTH_MAX = 255;

const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO = 'library';

/** A parsed, normalised image reference. */
export interface ImageReference {
  /** Registry host, e.g. `docker.io`, `gcr.io`, `localhost:5000`. */
  domain: string;
  /** Repository path, e.g. `library/golang`. */
  path: string;
  tag: string;
  digest: string;
}

function validDigest(d: string): boolean {
  const i = d.indexOf(':');
  const size = DIGEST_SIZES[d.slice(0, i)];
  return size !== undefined && d.length - i - 1 === size && /^[a-f0-9]+$/.test(d.slice(i + 1));
}

/** distribution's `splitDockerDomain`: Docker Hub unless the first part looks like a host. */
function splitDockerDomain(name: string): [string, string] {
  const i = name.indexOf('/');
  let domain: string;
  let remainder: string;
  const first = i === -1 ? '' : name.slice(0, i);
  if (i === -1 || (!/[.:]/.test(first) && first !== 'localhost')) {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  } else {
    domain = first;
    remainder = name.slice(i + 1);
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = `${OFFICIAL_REPO}/${remainder}`;
  return [domain, remainder];
}

/**
 * Parses and normalises an image name like distribution's `ParseNormalizedNamed`; undefined when
 * the name is not a valid reference (Drone then leaves it unchanged) or is a bare digest.
 */
export function parseImage(image: string): ImageReference | undefined {
  // The same few images recur in every step and pipeline: parse each once (results are frozen).
  let ref = parsed.get(image);
  if (ref === undefined && !parsed.has(image)) {
    ref = parseImageUncached(image);
    if (ref) Object.freeze(ref);
    if (parsed.size >= 4096) parsed.clear();
    parsed.set(image, ref);
  }
  return ref;
}

const parsed = new Map<string, ImageReference | undefined>();

function parseImageUncached(image: string): ImageReference | undefined {
  if (IDENTIFIER.test(image) || validDigest(image)) return undefined;
  const [domain, remainder] = splitDockerDomain(image);
  const sep = remainder.indexOf(':');
  const remote = sep === -1 ? remainder : remainder.slice(0, sep);
  if (remote.toLowerCase() !== remote) return undefined;
  const full = `${domain}/${remainder}`;
  const m = REFERENCE.exec(full);
  if (!m) return undefined;
  const name = m[1]!;
  if (name.length > NAME_TOTAL_LENGTH_MAX) return undefined;
  const digest = m[3] ?? '';
  if (digest !== '' && !validDigest(digest)) return undefined;
  const parts = ANCHORED_NAME.exec(name);
  if (!parts) return undefined;
  return { domain: parts[1] ?? '', path: parts[2]!, tag: m[2] ?? '', digest };
}

function nameOf(ref: ImageReference): string {
  return ref.domain ? `${ref.domain}/${ref.path}` : ref.path;
}

/** The fully-qualified name with a tag (`golang` → `docker.io/library/golang:latest`); invalid input is returned as is. */
export function expandImage(image: string): string {
  const ref = parseImage(image);
  if (!ref) return image;
  const tag = ref.tag === '' && ref.digest === '' ? 'latest' : ref.tag;
  return nameOf(ref) + (tag ? `:${tag}` : '') + (ref.digest ? `@${ref.digest}` : '');
}

/** The familiar name without tag (`docker.io/library/golang:1` → `golang`); invalid input as is. */
export function trimImage(image: string): string {
  const ref = parseImage(image);
  if (!ref) return image;
  if (ref.domain !== DEFAULT_DOMAIN) return nameOf(ref);
  const split = ref.path.split('/');
  return split.length === 2 && split[0] === OFFICIAL_REPO ? split[1]! : ref.path;
}

/** True when two images name the same repository, tags ignored. */
export function matchImage(image: string, ...candidates: string[]): boolean {
  const a = trimImage(image);
  return candidates.some((c) => trimImage(c) === a);
}

/** True when the image uses (explicitly or by default) the `latest` tag. */
export function isLatestImage(image: string): boolean {
  return expandImage(image).endsWith(':latest');
}

/** The registry host of an image (`docker.io` for Docker Hub), or undefined for an invalid name. */
export function imageDomain(image: string): string | undefined {
  return parseImage(image)?.domain;
}

/** Host part of a registry address that may be a URL (`https://index.docker.io/v1/` → `index.docker.io`). */
export function registryHost(address: string): string {
  const m = /^(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?\/\/([^/?#]*)/.exec(address);
  if (!m || m[1] === '') return address;
  const host = m[1]!;
  const at = host.lastIndexOf('@');
  return at === -1 ? host : host.slice(at + 1);
}

/**
 * True when credentials for `address` apply to the image: same registry host, with `index.docker.io`
 * read as `docker.io`. (Drone meant to accept URL addresses too but a swapped error check stops it;
 * Hangar does what was meant.)
 */
export function matchRegistry(image: string, address: string): boolean {
  const domain = imageDomain(image);
  if (domain === undefined) return false;
  let host = registryHost(address);
  if (host === LEGACY_DEFAULT_DOMAIN) host = DEFAULT_DOMAIN;
  return domain === host;
}

/** The YAML `pull` value as a plan policy (unknown values and `` mean `default`). */
export function pullPolicyOf(pull: string): PullPolicy {
  const p = pull.toLowerCase();
  return p === 'always' || p === 'if-not-exists' || p === 'never' ? p : 'default';
}

/**
 * What an engine should do for a policy: `default` pulls `:latest` images every time and other tags
 * only when missing (§4.5).
 */
export function effectivePull(policy: PullPolicy, image: string): 'always' | 'if-not-exists' | 'never' {
  if (policy === 'default') return isLatestImage(image) ? 'always' : 'if-not-exists';
  return policy;
}
